// Line arithmetic matches the server's rules (sales/deal_math_test.cpp) and never goes through floats.
import { describe, expect, it } from 'vitest';
import { computeLineTotals, currencyDigits, formatMinor, normalizeDecimal, parseScaled, previewLine, sumAmounts } from './lineMath';
import { formatMoney } from '../../i18n/format';
import { i18n } from '../../i18n';

describe('decimal input', () => {
  it.each([
    ['1500.50', '1500.50'],
    ['1 500,5', '1500.5'],
    ['\u00a02\u202f500 ', '2500'],
    ['.5', '.5'],
    ['12abc', null],
    ['-3', null],
    ['1.2.3', null],
    ['', null],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeDecimal(input)).toBe(expected);
  });

  it('scales to minor units exactly and refuses extra places', () => {
    expect(parseScaled('33.33', 2)).toBe(3333n);
    expect(parseScaled('0.1', 2)).toBe(10n);
    expect(parseScaled('92233720368547758.07', 2)).toBe(9223372036854775807n);
    expect(parseScaled('1.005', 2)).toBeNull();
    expect(parseScaled('1.5', 3)).toBe(1500n);
  });

  it('formats minor units back with the currency’s places', () => {
    expect(formatMinor(150050n, 2)).toBe('1500.50');
    expect(formatMinor(5n, 2)).toBe('0.05');
    expect(formatMinor(1234n, 0)).toBe('1234');
    expect(formatMinor(1n, 3)).toBe('0.001');
    expect(formatMinor(-250n, 2)).toBe('-2.50');
  });

  it('knows the fraction digits of currencies', () => {
    expect(currencyDigits('RUB')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
    expect(currencyDigits(null)).toBe(2);
  });
});

describe('line totals', () => {
  it('rounds half-up once per value (3 × 33.33 less 10% is 89.99)', () => {
    expect(computeLineTotals(3333n, 3000n, 1000n, 0n)).toEqual({ amount: 8999n, tax: 0n, total: 8999n });
  });

  it('taxes the rounded amount', () => {
    // 0.05 × 1 with 50% discount = 0.025 -> 0.03; 20% tax of 0.03 = 0.006 -> 0.01.
    expect(computeLineTotals(5n, 1000n, 5000n, 2000n)).toEqual({ amount: 3n, tax: 1n, total: 4n });
  });

  it('previews a typed line in the deal currency', () => {
    expect(previewLine({ price: '2 500,00', quantity: '18', discount_percent: '15', tax_percent: '20' }, 'RUB')).toEqual({
      amount: '38250.00',
      tax: '7650.00',
      total: '45900.00',
    });
    expect(previewLine({ price: '1000', quantity: '1.5', discount_percent: '', tax_percent: '' }, 'JPY')).toEqual({ amount: '1500', tax: '0', total: '1500' });
  });

  it('has no preview for values the server would refuse', () => {
    const ok = { price: '10', quantity: '1', discount_percent: '0', tax_percent: '0' };
    expect(previewLine({ ...ok, price: '10.001' }, 'RUB')).toBeNull();
    expect(previewLine({ ...ok, quantity: '0' }, 'RUB')).toBeNull();
    expect(previewLine({ ...ok, quantity: '1.0001' }, 'RUB')).toBeNull();
    expect(previewLine({ ...ok, discount_percent: '100.5' }, 'RUB')).toBeNull();
    expect(previewLine({ ...ok, price: '92233720368547758.07', quantity: '2' }, 'RUB')).toBeNull();
  });

  it('sums line totals exactly where floats would drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumAmounts(['0.10', '0.20'], 'RUB')).toBe('0.30');
    expect(sumAmounts(['45900.00', '203040.00', '27000.00'], 'RUB')).toBe('275940.00');
    expect(sumAmounts(['1', null], 'RUB')).toBeNull();
  });
});

describe('money display', () => {
  it('formats large decimal strings without losing kopecks', async () => {
    await i18n.changeLanguage('en');
    // 2^53 + 1 minor units: a float would print ...992.
    expect(formatMoney('90071992547409.93', 'USD')).toBe('$90,071,992,547,409.93');
    expect(formatMoney('0.30', 'USD')).toBe('$0.30');
  });
});
