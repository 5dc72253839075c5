// The stylesheet parses: an unclosed block swallows every rule after it, which the build only
// warns about and which no screen test notices until someone looks.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import postcss from 'postcss';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname);

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) return cssFiles(p);
    return entry.name.endsWith('.css') ? [p] : [];
  });
}

describe('stylesheets', () => {
  const files = cssFiles(SRC);

  it('finds the app stylesheet', () => {
    expect(files.some((f) => f.endsWith('styles.css'))).toBe(true);
  });

  it.each(files)('%s parses', (file) => {
    expect(() => postcss.parse(readFileSync(file, 'utf8'), { from: file })).not.toThrow();
  });

  it('rejects an unclosed block', () => {
    expect(() => postcss.parse('.a td {\n  color: red;\n.b { color: blue; }\n')).toThrow(/Unclosed block/);
  });

  it('keeps rules at the top level where they were written', () => {
    for (const file of files) {
      const root = postcss.parse(readFileSync(file, 'utf8'), { from: file });
      const nested: string[] = [];
      root.walkRules((rule) => {
        // Rules belong at the top level or inside an at-rule (@media, @supports); a rule inside
        // another rule is what a missing closing brace leaves behind.
        if (rule.parent?.type === 'rule') nested.push(`${(rule.parent as postcss.Rule).selector} > ${rule.selector}`);
      });
      expect(nested, file).toEqual([]);
    }
  });
});
