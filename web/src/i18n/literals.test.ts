// No user-visible text is hard-coded in components: JSX text and the text attributes of
// elements (placeholder, title, aria-label, alt, label) must come from translations.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const TEXT_ATTRIBUTES = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label', 'aria-description']);
const LETTER = /\p{L}/u;

function tsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsxFiles(p));
    // Component tests render fixtures, not interface text.
    else if (name.endsWith('.tsx') && !name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

export function findLiterals(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${file}:${line + 1}: ${what}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && LETTER.test(node.text)) report(node, JSON.stringify(node.text.trim()));
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText())) {
      const init = node.initializer;
      if (init && ts.isStringLiteral(init) && LETTER.test(init.text)) report(node, `${node.name.getText()}=${JSON.stringify(init.text)}`);
    }
    if (ts.isJsxExpression(node) && node.expression && (ts.isStringLiteral(node.expression) || ts.isNoSubstitutionTemplateLiteral(node.expression))) {
      const parent = node.parent;
      if ((ts.isJsxElement(parent) || ts.isJsxFragment(parent)) && LETTER.test(node.expression.text)) report(node, JSON.stringify(node.expression.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('hard-coded text', () => {
  it('finds literals in a sample (the check itself works)', () => {
    const sample = `const A = () => <div title="Hello"><b>Text</b>{'more'}<i>{t('ok')}</i> — </div>;`;
    expect(findLiterals('sample.tsx', sample)).toHaveLength(3);
  });

  it('has no user-visible string literals in components', () => {
    const root = join(__dirname, '..');
    const found = tsxFiles(root).flatMap((f) => findLiterals(relative(root, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
