// Money, numbers and dates through Intl in the user's language and time zone.
import { i18n } from './index';

let timeZone: string | undefined;

export function setTimeZone(zone: string | null | undefined): void {
  try {
    if (zone) new Intl.DateTimeFormat('en', { timeZone: zone });
    timeZone = zone || undefined;
  } catch {
    timeZone = undefined;
  }
}

export function currentTimeZone(): string {
  return timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function locale(): string {
  switch (i18n.language) {
    case 'ru':
      return 'ru-RU';
    case 'uk':
      return 'uk-UA';
    default:
      return 'en-GB';
  }
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `n|${locale()}|${key}`;
  let f = cache.get(k) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale(), options);
    cache.set(k, f);
  }
  return f;
}

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `d|${locale()}|${timeZone ?? ''}|${key}`;
  let f = cache.get(k) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), options);
    cache.set(k, f);
  }
  return f;
}

export function formatNumber(n: number | string | null | undefined): string {
  if (n === null || n === undefined || n === '') return '';
  const v = typeof n === 'number' ? n : Number(n);
  return Number.isFinite(v) ? numberFormat('plain', {}).format(v) : String(n);
}

/**
 * Formats a decimal string amount ("1500.50") in its currency; compact drops kopecks. Decimal
 * strings go to Intl as they are (exact at any size), never through a floating-point number.
 */
export function formatMoney(amount: string | number | null | undefined, currency?: string | null, compact = false): string {
  if (amount === null || amount === undefined || amount === '') return '';
  const exact = typeof amount === 'string' && /^-?\d+(\.\d+)?$/.test(amount);
  const v = exact ? (amount as `${number}`) : typeof amount === 'number' ? amount : Number(amount);
  if (typeof v === 'number' && !Number.isFinite(v)) return String(amount);
  const cur = currency && /^[A-Z]{3}$/.test(currency) ? currency : undefined;
  const options: Intl.NumberFormatOptions = cur
    ? { style: 'currency', currency: cur, currencyDisplay: 'narrowSymbol', maximumFractionDigits: compact ? 0 : 2, minimumFractionDigits: compact ? 0 : undefined }
    : { maximumFractionDigits: 2 };
  return numberFormat(`${cur ?? ''}|${compact}`, options).format(v);
}

/** Formats several currency sums as "1 500 ₽ · 20 $". */
export function formatSums(sums: Record<string, string> | undefined, compact = true): string {
  if (!sums) return '';
  return Object.entries(sums)
    .filter(([, v]) => Number(v) !== 0)
    .map(([cur, v]) => formatMoney(v, cur, compact))
    .join(' · ');
}

/** A calendar date "YYYY-MM-DD" (no time zone shift). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return dateFormat('date-utc', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(d);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return dateFormat('date', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(d);
}

/** "24 Nov" for dates in the current year, "24 Nov 2025" otherwise. */
export function formatShortDate(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const sameYear = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(d) === new Intl.DateTimeFormat('en', { year: 'numeric', timeZone }).format(new Date());
  return sameYear ? dateFormat('short', { day: 'numeric', month: 'short', timeZone }).format(d) : formatDate(value);
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return dateFormat('datetime', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone }).format(d);
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return dateFormat('time', { hour: '2-digit', minute: '2-digit', timeZone }).format(d);
}

export function formatRelative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return '';
  const d = new Date(value).getTime();
  if (Number.isNaN(d)) return value;
  const diff = (d - now) / 1000;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(diff / 86400), 'day');
  return formatDate(value);
}

/** Parts of `date` in the user's time zone. */
export function zoneParts(date: Date): { y: number; m: number; d: number; h: number; min: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: currentTimeZone(),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute') };
}

/** The UTC instant of local wall-clock time in the user's zone. */
export function zonedToUtc(y: number, m: number, d: number, h = 0, min = 0): Date {
  const guess = new Date(Date.UTC(y, m - 1, d, h, min));
  const p = zoneParts(guess);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
  return new Date(guess.getTime() - (asUtc - guess.getTime()));
}

/** Start and end (exclusive) of "today" in the user's zone, as UTC instants. */
export function todayRange(offsetDays = 0): { start: Date; end: Date } {
  const p = zoneParts(new Date());
  const start = zonedToUtc(p.y, p.m, p.d + offsetDays);
  const end = zonedToUtc(p.y, p.m, p.d + offsetDays + 1);
  return { start, end };
}

/** "YYYY-MM-DDTHH:MM" for <input type=datetime-local> in the user's zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = zoneParts(d);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${pad(p.m)}-${pad(p.d)}T${pad(p.h)}:${pad(p.min)}`;
}

export function fromLocalInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  return zonedToUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).toISOString();
}

/** A ratio 0..1 as a percentage in the user's language ("31.3 %"); '' when absent. */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '';
  return numberFormat(`pct|${digits}`, { style: 'percent', maximumFractionDigits: digits }).format(ratio);
}

/** A decimal figure with at most `digits` fraction digits. */
export function formatDecimal(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  return numberFormat(`dec|${digits}`, { maximumFractionDigits: digits }).format(n);
}
