// The server's per-field messages are curated English; the common ones are shown in the user's
// language, with the numbers they carry. Unknown messages pass through as they are.
import { i18n } from '../i18n';

const EXACT: Record<string, string> = {
  'is required': 'required',
  'is too large': 'tooLarge',
  'must be a number': 'number',
  'must be an integer': 'integer',
  'must be a decimal amount': 'decimal',
  'must be a decimal number like 1500.50': 'decimal',
  'must be a date YYYY-MM-DD': 'date',
  'must be an RFC 3339 date-time': 'dateTime',
  'must not be negative': 'negative',
  'must be between 0 and 100': 'percent',
  'must be between 0 and 100, with up to 2 decimals': 'percent2',
  'must be greater than 0 and at most 10^9, with up to 3 decimals': 'quantity',
  'refers to a record that does not exist': 'missingRecord',
  'is already used by another product': 'skuTaken',
  'already has a price in this list': 'priceExists',
  'the price list has no price for this product': 'noListPrice',
  'is required for a line without a product': 'lineName',
  'the line total is too large': 'lineTooLarge',
  'cannot change while the deal has product lines': 'currencyLocked',
  'cannot change while the list has prices': 'listCurrencyLocked',
  'is not a known IANA time zone': 'timeZone',
};

const PATTERNS: [RegExp, string, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^has more than (\d+) fraction digits$/, 'fractionDigits', (m) => ({ digits: m[1] ?? '' })],
  [/^is longer than (\d+) (?:bytes|characters)$/, 'tooLong', (m) => ({ max: m[1] ?? '' })],
  [/^must be the deal's currency \(([A-Z]{3})\)$/, 'dealCurrency', (m) => ({ currency: m[1] ?? '' })],
  [/^the price list is in ([A-Z]{3}), the deal in ([A-Z]{3})$/, 'listCurrency', (m) => ({ list: m[1] ?? '', deal: m[2] ?? '' })],
];

export function localizeServerMessage(message: string): string {
  const key = EXACT[message];
  if (key) return i18n.t(`serverErrors.${key}`);
  for (const [re, k, vars] of PATTERNS) {
    const m = re.exec(message);
    if (m) return i18n.t(`serverErrors.${k}`, vars(m));
  }
  return message;
}
