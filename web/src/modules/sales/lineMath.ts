// Exact arithmetic for deal product lines in integer minor units (BigInt), the same rules as the
// server's sales/deal_math: half-up rounding once per value, per line; a deal's total is the plain
// sum of its lines. Used for the live preview while editing; saved figures come from the server.

/** Fraction digits of an ISO 4217 currency (CLDR, as the server's ICU): RUB 2, JPY 0, KWD 3. */
export function currencyDigits(currency: string | null | undefined): number {
  if (!currency || !/^[A-Z]{3}$/.test(currency)) return 2;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** What a person types ("1 500,5", "2500.00", " 3 ") as a plain decimal ("1500.5"), or null. */
export function normalizeDecimal(text: string | number | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const s = String(text)
    .trim()
    .replace(/[\s\u00a0\u202f']/g, '')
    .replace(',', '.');
  return /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? s : null;
}

/** A non-negative decimal scaled to `digits` places as an integer; null when it has more places or is not a number. */
export function parseScaled(text: string | number | null | undefined, digits: number): bigint | null {
  const s = normalizeDecimal(text);
  if (s === null) return null;
  const [whole = '', frac = ''] = s.split('.');
  if (frac.length > digits) return null;
  return BigInt((whole || '0') + frac.padEnd(digits, '0'));
}

/** Minor units back to a decimal string with exactly `digits` places: 150050n, 2 → "1500.50". */
export function formatMinor(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  let s = (negative ? -minor : minor).toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  }
  return negative ? `-${s}` : s;
}

function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator / 2n) / denominator;
}

export type LineTotals = { amount: bigint; tax: bigint; total: bigint };

/** Totals of one line from minor units, thousandths of a unit and basis points. */
export function computeLineTotals(priceMinor: bigint, quantityMilli: bigint, discountBp: bigint, taxBp: bigint): LineTotals {
  const amount = divideHalfUp(priceMinor * quantityMilli * (10000n - discountBp), 1000n * 10000n);
  const tax = divideHalfUp(amount * taxBp, 10000n);
  return { amount, tax, total: amount + tax };
}

export type LineInput = { price: string; quantity: string; discount_percent: string; tax_percent: string };

const INT64_MAX = 9223372036854775807n;

/**
 * Totals of a line as typed, as decimal strings in the currency; null when an input is not yet a
 * valid value (the server will say which and why).
 */
export function previewLine(line: LineInput, currency: string): { amount: string; tax: string; total: string } | null {
  const digits = currencyDigits(currency);
  const price = parseScaled(line.price, digits);
  const quantity = parseScaled(line.quantity, 3);
  const discount = line.discount_percent.trim() === '' ? 0n : parseScaled(line.discount_percent, 2);
  const tax = line.tax_percent.trim() === '' ? 0n : parseScaled(line.tax_percent, 2);
  if (price === null || quantity === null || discount === null || tax === null) return null;
  if (quantity <= 0n || discount > 10000n || tax > 10000n) return null;
  const t = computeLineTotals(price, quantity, discount, tax);
  if (t.total > INT64_MAX) return null;
  return { amount: formatMinor(t.amount, digits), tax: formatMinor(t.tax, digits), total: formatMinor(t.total, digits) };
}

/** Sum of decimal strings in one currency, exactly; null when any is missing. */
export function sumAmounts(amounts: (string | null | undefined)[], currency: string): string | null {
  const digits = currencyDigits(currency);
  let sum = 0n;
  for (const a of amounts) {
    const v = a === null || a === undefined ? null : parseScaled(a, digits);
    if (v === null) return null;
    sum += v;
  }
  return formatMinor(sum, digits);
}
