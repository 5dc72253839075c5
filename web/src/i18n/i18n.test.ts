// Every key exists in ru, uk and en with the plural forms each language needs, every key the
// code uses exists, and interpolations agree across languages.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { i18n } from './index';
import { en } from './locales/en';
import { ru } from './locales/ru';
import { uk } from './locales/uk';

const LOCALES = { en, ru, uk } as const;
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(obj: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') flatten(v, key, out);
    else out[key] = String(v);
  }
  return out;
}

const flat = Object.fromEntries(Object.entries(LOCALES).map(([l, v]) => [l, flatten(v)])) as Record<keyof typeof LOCALES, Record<string, string>>;

function baseKeys(keys: string[]): Set<string> {
  return new Set(keys.map((k) => k.replace(PLURAL, '')));
}

function vars(text: string): string {
  return Array.from(text.matchAll(/\{\{(\w+)\}\}/g), (m) => m[1])
    .sort()
    .join(',');
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'generated' && name !== 'locales') out.push(...sourceFiles(p));
    } else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('translations', () => {
  const enBase = baseKeys(Object.keys(flat.en));

  for (const lang of ['ru', 'uk'] as const) {
    it(`${lang} has exactly the keys of en`, () => {
      const base = baseKeys(Object.keys(flat[lang]));
      expect([...enBase].filter((k) => !base.has(k)), `missing in ${lang}`).toEqual([]);
      expect([...base].filter((k) => !enBase.has(k)), `extra in ${lang}`).toEqual([]);
    });
  }

  for (const lang of ['en', 'ru', 'uk'] as const) {
    it(`${lang} has every plural category of its language`, () => {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const keys = Object.keys(flat[lang]);
      const plurals = new Set(keys.filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
      const missing: string[] = [];
      for (const base of plurals) for (const c of categories) if (!(`${base}_${c}` in flat[lang])) missing.push(`${base}_${c}`);
      expect(missing).toEqual([]);
      // A key that needs plurals in one language needs them in all.
      for (const other of ['en', 'ru', 'uk'] as const) {
        const otherPlurals = new Set(Object.keys(flat[other]).filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
        expect([...plurals].filter((p) => !otherPlurals.has(p))).toEqual([]);
      }
    });
  }

  it('uses the same interpolation variables in every language', () => {
    const mismatched: string[] = [];
    for (const [key, text] of Object.entries(flat.en)) {
      const base = key.replace(PLURAL, '');
      for (const lang of ['ru', 'uk'] as const) {
        const candidates = Object.entries(flat[lang]).filter(([k]) => k.replace(PLURAL, '') === base);
        for (const [k, v] of candidates) {
          if (vars(v).replace('count', '') !== vars(text).replace('count', '')) mismatched.push(`${lang}:${k}`);
        }
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('has every key the code asks for', () => {
    const root = join(__dirname, '..');
    const missing: string[] = [];
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        const key = m[1] as string;
        if (!enBase.has(key)) missing.push(`${file}: ${key}`);
      }
      for (const m of text.matchAll(/\bt\(\s*`([a-zA-Z0-9_.]+)\.\$\{/g)) {
        const prefix = `${m[1] as string}.`;
        if (![...enBase].some((k) => k.startsWith(prefix))) missing.push(`${file}: ${prefix}*`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('declines Russian and Ukrainian counts', async () => {
    const t = (lng: string, count: number) => i18n.t('board.dealCount', { lng, count });
    expect(t('ru', 1)).toBe('1 сделка');
    expect(t('ru', 3)).toBe('3 сделки');
    expect(t('ru', 5)).toBe('5 сделок');
    expect(t('ru', 21)).toBe('21 сделка');
    expect(t('ru', 1.5)).toBe('1.5 сделки');
    expect(t('uk', 2)).toBe('2 угоди');
    expect(t('uk', 11)).toBe('11 угод');
    expect(t('en', 1)).toBe('1 deal');
    expect(t('en', 2)).toBe('2 deals');
  });
});
