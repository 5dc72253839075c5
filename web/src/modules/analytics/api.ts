// Shapes of the analytics endpoints (sales, marketing, customers, reports) and the downloads:
// CSV/XLSX from the endpoint itself with `format=`, PNG painted from the chart's SVG.
import { ApiError, buildQuery, type Problem, type Query } from '../../api/client';
import { dispositionName } from './chartMath';
import type { components } from '../../api/generated/schema';

type Schemas = components['schemas'];

/** Exact decimal amounts by ISO 4217 currency. */
export type Sums = Schemas['MoneySums'];
/** A ratio 0..1 as the server sends it: a number or a decimal string. */
export type Ratio = number | string | null;

// The answers' shapes come from the server's OpenAPI document (`npm run gen:api`).
export type Funnel = Schemas['AnalyticsFunnel'];
export type FunnelStage = Funnel['stages'][number];
export type Velocity = Schemas['AnalyticsVelocity'];
export type VelocityRow = Velocity['stages'][number];
export type WinLoss = Schemas['AnalyticsWinLoss'];
export type Forecast = Schemas['AnalyticsForecast'];
export type ForecastPeriod = Forecast['periods'][number];
/** `percent` is fact ÷ plan × 100 as a decimal string ("85.50"), not a 0..1 ratio. */
export type PlanFact = Schemas['AnalyticsPlanFact'];
export type PlanFactRow = PlanFact['rows'][number];
export type Sources = Schemas['AnalyticsSources'];
export type SourceRow = Sources['rows'][number];
export type Report = Schemas['AnalyticsReport'];
export type Rfm = Schemas['AnalyticsRfm'];
export type RfmSegment = Rfm['segments'][number];
export type Cohorts = Schemas['AnalyticsCohorts'];
export type Cohort = Cohorts['cohorts'][number];
export type Clv = Schemas['AnalyticsClv'];
export type ClvCustomer = Schemas['AnalyticsClvCustomer'];
export type ContactAnalytics = Schemas['ContactAnalytics'];
export type SavedReport = Schemas['Reports'] & { id: string; version: number };

/** The rows of an answer that may list them under `rows`, `stages`, `data` or `segments`. */
export function rowsOf<T>(data: unknown, keys: string[] = ['rows', 'stages', 'data']): T[] {
  if (Array.isArray(data)) return data as T[];
  if (!data || typeof data !== 'object') return [];
  for (const k of keys) {
    const v = (data as Record<string, unknown>)[k];
    if (Array.isArray(v)) return v as T[];
  }
  return [];
}

/** Shared dashboard filters, as they appear in the URL and in every analytics request. */
export const FILTER_KEYS = ['from', 'to', 'pipeline_id', 'owner_id', 'team_id', 'source'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export function filtersFrom(params: URLSearchParams): Partial<Record<FilterKey, string>> {
  const out: Partial<Record<FilterKey, string>> = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) out[k] = v;
  }
  return out;
}

function triggerDownload(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Downloads `GET /api/v1{path}?…&format=csv|xlsx` as a file. Fetched rather than linked, so a
 * refused export (403, 400 with a field) shows its problem instead of a broken download.
 */
export async function downloadExport(path: string, query: Query, format: 'csv' | 'xlsx', fallbackName: string): Promise<void> {
  const res = await fetch(`/api/v1${path}${buildQuery({ ...query, format })}`, {
    credentials: 'same-origin',
    headers: { Accept: format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  });
  if (!res.ok) {
    let problem: Problem = {};
    try {
      problem = (await res.json()) as Problem;
    } catch {
      /* no problem document */
    }
    throw new ApiError(res.status, problem);
  }
  const blob = await res.blob();
  triggerDownload(blob, dispositionName(res.headers.get('Content-Disposition')) ?? fallbackName);
}

/** The colour a computed style gives, or a fallback (for `var(--…)` fills on the canvas). */
function paint(el: Element, prop: 'fill' | 'stroke'): string | null {
  const v = getComputedStyle(el)[prop];
  return !v || v === 'none' ? null : v;
}

/**
 * Paints a chart's SVG onto a canvas and downloads it as PNG. The server's CSP (`default-src
 * 'self'`) refuses data: and blob: images, so the usual "SVG → <img> → canvas" route is closed;
 * the charts use only rect, line, path, circle, polygon and text, which the 2D context draws
 * directly.
 */
export async function downloadPng(svg: SVGSVGElement, name: string): Promise<void> {
  const box = svg.viewBox.baseVal;
  const rect = svg.getBoundingClientRect();
  const width = box && box.width ? box.width : rect.width;
  const height = box && box.height ? box.height : rect.height;
  const ratio = 2;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * ratio);
  canvas.height = Math.ceil(height * ratio);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('canvas');
  ctx.scale(ratio, ratio);
  const bg = getComputedStyle(svg.closest('.card') ?? document.body).backgroundColor;
  ctx.fillStyle = bg && bg !== 'rgba(0, 0, 0, 0)' ? bg : '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const num = (el: Element, a: string) => Number(el.getAttribute(a) ?? 0) || 0;
  const walk = (el: Element) => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') return;
    const fill = paint(el, 'fill');
    const stroke = paint(el, 'stroke');
    const strokeWidth = parseFloat(style.strokeWidth) || 1;
    ctx.globalAlpha = Number(style.opacity || 1) * Number(style.fillOpacity || 1);
    const draw = (p: Path2D) => {
      if (fill) {
        ctx.fillStyle = fill;
        ctx.fill(p);
      }
      if (stroke) {
        ctx.strokeStyle = stroke;
        ctx.lineWidth = strokeWidth;
        ctx.stroke(p);
      }
    };
    switch (el.tagName.toLowerCase()) {
      case 'rect': {
        const p = new Path2D();
        const rx = num(el, 'rx');
        if (rx && 'roundRect' in p) p.roundRect(num(el, 'x'), num(el, 'y'), num(el, 'width'), num(el, 'height'), rx);
        else p.rect(num(el, 'x'), num(el, 'y'), num(el, 'width'), num(el, 'height'));
        draw(p);
        break;
      }
      case 'path':
        draw(new Path2D(el.getAttribute('d') ?? ''));
        break;
      case 'polygon':
        draw(new Path2D(`M${el.getAttribute('points') ?? ''}Z`));
        break;
      case 'line': {
        const p = new Path2D();
        p.moveTo(num(el, 'x1'), num(el, 'y1'));
        p.lineTo(num(el, 'x2'), num(el, 'y2'));
        draw(p);
        break;
      }
      case 'circle': {
        const p = new Path2D();
        p.arc(num(el, 'cx'), num(el, 'cy'), num(el, 'r'), 0, Math.PI * 2);
        draw(p);
        break;
      }
      case 'text': {
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const anchor = el.getAttribute('text-anchor') ?? style.textAnchor;
        ctx.textAlign = anchor === 'middle' ? 'center' : anchor === 'end' ? 'right' : 'left';
        const baseline = el.getAttribute('dominant-baseline') ?? '';
        ctx.textBaseline = baseline === 'middle' || baseline === 'central' ? 'middle' : baseline === 'hanging' ? 'top' : 'alphabetic';
        ctx.fillStyle = fill ?? '#000';
        ctx.fillText(el.textContent ?? '', num(el, 'x'), num(el, 'y'));
        return;
      }
      default:
        break;
    }
    for (const child of Array.from(el.children)) walk(child);
  };
  for (const child of Array.from(svg.children)) walk(child);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('png');
  triggerDownload(blob, name);
}
