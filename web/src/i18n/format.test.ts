// Money, numbers and dates follow the language and the user's time zone.
import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from './index';
import { formatDate, formatDateTime, formatMoney, formatSums, fromLocalInput, setTimeZone, toLocalInput } from './format';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

afterEach(async () => {
  setTimeZone(null);
  await i18n.changeLanguage('ru');
});

describe('format', () => {
  it('formats money per language', async () => {
    await i18n.changeLanguage('ru');
    expect(nbsp(formatMoney('1500.50', 'RUB'))).toBe('1 500,50 ₽');
    await i18n.changeLanguage('uk');
    expect(nbsp(formatMoney('1500.5', 'UAH'))).toBe('1 500,50 ₴');
    await i18n.changeLanguage('en');
    expect(formatMoney('1500.50', 'USD')).toBe('$1,500.50');
    expect(formatMoney('1500.50', 'RUB')).toBe('₽1,500.50');
    expect(formatMoney('3001', 'EUR', true)).toBe('€3,001');
  });

  it('joins sums of several currencies and skips zeros', async () => {
    await i18n.changeLanguage('en');
    expect(formatSums({ RUB: '0.00', USD: '10.00' })).toBe('$10');
  });

  it('keeps calendar dates on their day in any zone', async () => {
    await i18n.changeLanguage('en');
    setTimeZone('Pacific/Honolulu');
    expect(formatDate('2024-03-01')).toBe('1 Mar 2024');
  });

  it('shows instants in the user time zone', async () => {
    await i18n.changeLanguage('ru');
    setTimeZone('Europe/Moscow');
    expect(formatDateTime('2024-03-01T21:30:00Z')).toContain('00:30');
    setTimeZone('Europe/Kyiv');
    expect(toLocalInput('2024-07-01T09:00:00Z')).toBe('2024-07-01T12:00');
    expect(fromLocalInput('2024-07-01T12:00')).toBe('2024-07-01T09:00:00.000Z');
  });
});
