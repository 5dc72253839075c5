// i18next set-up: ru, uk and en with ICU plural categories (i18next uses Intl.PluralRules).
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { ru } from './locales/ru';
import { uk } from './locales/uk';

export const LANGUAGES = ['ru', 'uk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const LANG_KEY = 'voronka.lang';

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

export function storedLanguage(): Language | null {
  if (typeof localStorage === 'undefined') return null;
  try {
    const v = localStorage.getItem(LANG_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

function browserLanguage(): Language {
  if (typeof navigator === 'undefined') return 'ru';
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return 'ru';
}

export function setLanguage(lang: Language, remember = true): void {
  if (remember) {
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      /* the choice still applies to this tab */
    }
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (i18n.language !== lang) void i18n.changeLanguage(lang);
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ru: { translation: ru }, uk: { translation: uk } },
  lng: storedLanguage() ?? browserLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  showSupportNotice: false,
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export { i18n };
