// Pure helpers behind the analytics charts: ratios from the server's decimal strings, scales and
// ticks, funnel and heat-map geometry, and drill-down URLs mapped onto the app's list routes.
// Amounts stay decimal strings everywhere they are shown; a number is made only for a bar's length.

/** A ratio the server sends as a number or a decimal string ("0.3125"); null when absent or bad. */
export function toRatio(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return null;
}

/** A count the server sends as a number, a numeric string, or `{count}`; 0 otherwise. */
export function toCount(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v && typeof v === 'object' && 'count' in v) return toCount((v as { count: unknown }).count);
  return 0;
}

/** The length a decimal amount gives a bar: geometry only, never shown or summed. */
export function amountLength(amount: string | number | null | undefined): number {
  if (typeof amount === 'number') return Number.isFinite(amount) ? amount : 0;
  if (typeof amount === 'string' && /^-?\d+(\.\d+)?$/.test(amount)) return Number(amount);
  return 0;
}

/** The smallest 1/2/2.5/5 × 10^k at or above `v`, so an axis ends on a round figure. */
export function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * base >= v - base * 1e-9) return m * base;
  }
  return 10 * base;
}

/** `count + 1` evenly spaced ticks from 0 to niceMax(max). */
export function ticks(max: number, count = 4): number[] {
  const top = niceMax(max);
  return Array.from({ length: count + 1 }, (_, i) => (top * i) / count);
}

/** Maps 0..domainMax onto 0..rangeMax, clamped; a zero domain maps everything to 0. */
export function scale(value: number, domainMax: number, rangeMax: number): number {
  if (!(domainMax > 0) || !Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(rangeMax, (value / domainMax) * rangeMax));
}

export type FunnelInput = { reached: number };
export type FunnelBar = { width: number; x: number; share: number };

/** Centred funnel bars: the first stage spans `width`, each later one its share of the first. */
export function funnelBars(stages: FunnelInput[], width: number, minWidth = 4): FunnelBar[] {
  const top = Math.max(0, ...stages.map((s) => s.reached));
  return stages.map((s) => {
    const share = top > 0 ? s.reached / top : 0;
    const w = s.reached > 0 ? Math.max(minWidth, share * width) : 0;
    return { width: w, x: (width - w) / 2, share };
  });
}

/** Conversion from one stage to the next when the server did not send it (reached counts). */
export function conversion(from: number, to: number): number | null {
  return from > 0 ? to / from : null;
}

/**
 * A heat-map cell colour: the accent blended over the surface by `ratio` (0..1), as an rgba()
 * string so it also paints on a canvas for the PNG export.
 */
export function heatColor(ratio: number | null, rgb: readonly [number, number, number] = [31, 111, 235]): string {
  if (ratio === null || !Number.isFinite(ratio)) return 'rgba(0, 0, 0, 0)';
  const a = Math.max(0.06, Math.min(1, ratio));
  return `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${a.toFixed(2)})`;
}

/** Text on a heat-map cell stays readable: light on dark cells. */
export function heatTextLight(ratio: number | null): boolean {
  return ratio !== null && ratio >= 0.55;
}

/** "M x y L x y …" through the points; gaps (null) start a new segment. */
export function linePath(points: ({ x: number; y: number } | null)[]): string {
  const parts: string[] = [];
  let pen = false;
  for (const p of points) {
    if (!p) {
      pen = false;
      continue;
    }
    parts.push(`${pen ? 'L' : 'M'}${round(p.x)} ${round(p.y)}`);
    pen = true;
  }
  return parts.join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The currencies present in a set of per-currency sums, the most frequent first. */
export function currenciesOf(sums: (Record<string, string> | null | undefined)[]): string[] {
  const seen = new Map<string, number>();
  for (const s of sums) for (const cur of Object.keys(s ?? {})) seen.set(cur, (seen.get(cur) ?? 0) + 1);
  return [...seen.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

const LIST_ROUTES = new Set(['deals', 'leads', 'contacts', 'companies', 'activities', 'products']);
const KEEP = /^(filter\[[^\]]+\](\[[a-z]+\])?|sort)$/;

/**
 * The app route for a row's `drilldown` (an API list URL such as
 * "/api/v1/deals?filter[stage_id]=…"): "/deals?filter[stage_id]=…", keeping only the filters and
 * sort the list page understands. Null when the URL is not a list the app shows.
 */
export function drilldownRoute(url: unknown): string | null {
  if (typeof url !== 'string' || !url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://x');
  } catch {
    return null;
  }
  const m = /^\/(?:api\/v1\/)?([a-z_]+)\/?$/.exec(parsed.pathname);
  if (!m || !LIST_ROUTES.has(m[1] as string)) return null;
  const out = new URLSearchParams();
  for (const [k, v] of parsed.searchParams) if (KEEP.test(k)) out.append(k, v);
  const s = out.toString();
  return `/${m[1]}${s ? `?${s}` : ''}`;
}

/** Report definition as the builder keeps it and `GET /analytics/report` takes it. */
export type ReportFilter = { field: string; op: string; value: string };
export type ReportDefinition = { entity: string; group_by: string[]; aggregate: string[]; filters: ReportFilter[] };

export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;

/** Query parameters for the report endpoint: at most two group-by fields, "count" or "fn:field". */
export function reportQuery(def: ReportDefinition): Record<string, string> {
  const q: Record<string, string> = { entity: def.entity };
  const groups = def.group_by.filter(Boolean).slice(0, 2);
  if (groups.length) q.group_by = groups.join(',');
  const aggs = [...new Set(def.aggregate.filter(Boolean))];
  q.aggregate = aggs.length ? aggs.join(',') : 'count';
  for (const f of def.filters) {
    if (!f.field) continue;
    const key = f.op === 'eq' ? `filter[${f.field}]` : `filter[${f.field}][${f.op}]`;
    q[key] = f.value;
  }
  return q;
}

/** A saved definition back into the builder's shape, tolerating older or partial documents. */
export function parseDefinition(raw: unknown): ReportDefinition {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      v = {};
    }
  }
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  const list = (x: unknown): string[] =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : typeof x === 'string' && x ? x.split(',') : [];
  const filters: ReportFilter[] = [];
  if (Array.isArray(o.filters)) {
    for (const f of o.filters) {
      const r = f as Record<string, unknown>;
      if (typeof r.field === 'string') filters.push({ field: r.field, op: typeof r.op === 'string' ? r.op : 'eq', value: String(r.value ?? '') });
    }
  } else if (o.filter && typeof o.filter === 'object') {
    for (const [field, spec] of Object.entries(o.filter as Record<string, unknown>)) {
      if (spec && typeof spec === 'object') for (const [op, value] of Object.entries(spec as Record<string, unknown>)) filters.push({ field, op, value: String(value) });
      else filters.push({ field, op: 'eq', value: String(spec) });
    }
  }
  return {
    entity: typeof o.entity === 'string' ? o.entity : 'deals',
    group_by: list(o.group_by).slice(0, 2),
    aggregate: list(o.aggregate).length ? list(o.aggregate) : ['count'],
    filters,
  };
}

/** Columns and rows of a report answer, whether rows come as arrays or as objects. */
export function reportTable(data: unknown): { columns: string[]; rows: Record<string, unknown>[] } {
  const o = (data && typeof data === 'object' ? data : {}) as { columns?: unknown; rows?: unknown };
  const columns = Array.isArray(o.columns)
    ? o.columns.map((c) => (typeof c === 'string' ? c : String((c as { name?: unknown; key?: unknown })?.name ?? (c as { key?: unknown })?.key ?? '')))
    : [];
  const rawRows = Array.isArray(o.rows) ? o.rows : [];
  const rows = rawRows.map((r) => {
    if (Array.isArray(r)) return Object.fromEntries(columns.map((c, i) => [c, r[i]]));
    return (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
  });
  if (!columns.length && rows[0]) for (const k of Object.keys(rows[0])) if (k !== 'drilldown') columns.push(k);
  return { columns, rows };
}

/** A file name for an export: the widget's name and the date, safe for any file system. */
export function exportName(widget: string, ext: string, now = new Date()): string {
  const safe = widget.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'export';
  return `${safe}-${now.toISOString().slice(0, 10)}.${ext}`;
}

/** The file name a Content-Disposition header gives (RFC 6266 filename* first), or null. */
export function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent((star[1] as string).trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? (plain[1] as string).trim() : null;
}

/** Period presets for the shared filters, as inclusive YYYY-MM-DD bounds in UTC. */
export type PeriodPreset = 'month' | 'last_month' | 'quarter' | 'year' | 'all';

export function presetRange(preset: PeriodPreset, today = new Date()): { from: string; to: string } | null {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const day = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm, dd));
  switch (preset) {
    case 'month':
      return { from: iso(day(y, m, 1)), to: iso(day(y, m + 1, 0)) };
    case 'last_month':
      return { from: iso(day(y, m - 1, 1)), to: iso(day(y, m, 0)) };
    case 'quarter': {
      const q = Math.floor(m / 3) * 3;
      return { from: iso(day(y, q, 1)), to: iso(day(y, q + 3, 0)) };
    }
    case 'year':
      return { from: iso(day(y, 0, 1)), to: iso(day(y, 11, 31)) };
    case 'all':
      return null;
  }
}

/** Which preset the current from/to match, or 'custom'. */
export function matchPreset(from: string, to: string, today = new Date()): PeriodPreset | 'custom' {
  if (!from && !to) return 'all';
  for (const p of ['month', 'last_month', 'quarter', 'year'] as const) {
    const r = presetRange(p, today);
    if (r && r.from === from && r.to === to) return p;
  }
  return 'custom';
}
