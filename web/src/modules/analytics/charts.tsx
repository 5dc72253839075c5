// Small SVG charts for the analytics dashboards: horizontal bars, a funnel, grouped bars, a line
// and a cohort heat map. Plain SVG instead of a charting package: the few shapes we need take a
// few hundred lines, add nothing to the shared node_modules, stay inside the lazy analytics chunk,
// and use only elements the PNG export can repaint on a canvas (no transforms, no foreignObject).
import { useLayoutEffect, useRef, useState, type MouseEvent, type ReactNode, type RefObject } from 'react';
import { navigate } from '../../router';
import { funnelBars, heatColor, heatTextLight, linePath, niceMax, scale, ticks } from './chartMath';

/** A chart mark that opens the records behind it: an SVG link routed inside the app. */
function Mark({ to, label, children }: { to: string | null | undefined; label: string; children: ReactNode }) {
  if (!to) return <g aria-label={label}>{children}</g>;
  const open = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} aria-label={label} className="ch-link" onClick={open}>
      {children}
    </a>
  );
}

/**
 * The width the chart's box has on screen, so the SVG is drawn 1:1 (text keeps its size on wide
 * and narrow screens alike) and the PNG export has the same geometry.
 */
function useBoxWidth(fallback: number): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const measure = (w: number) => {
      if (w > 0) setWidth(Math.max(280, Math.floor(w)));
    };
    measure(el.getBoundingClientRect().width);
    const ro = new ResizeObserver((entries) => measure(entries[0]?.contentRect.width ?? 0));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export type BarItem = { key: string; label: string; value: number; display: string; to?: string | null; note?: string; tone?: 'accent' | 'success' | 'danger' | 'muted' };

/** Horizontal bars, one row each: label, bar, figure (and an optional note after it). */
export function BarChart({ items, title, labelWidth = 150 }: { items: BarItem[]; title: string; labelWidth?: number }) {
  const [box, width] = useBoxWidth(600);
  const row = 30;
  const valueWidth = Math.min(210, Math.round(width * 0.38));
  labelWidth = Math.min(labelWidth, Math.round(width * 0.3));
  const barMax = Math.max(40, width - labelWidth - valueWidth - 16);
  const top = niceMax(Math.max(0, ...items.map((i) => i.value)));
  const height = Math.max(row, items.length * row) + 8;
  return (
    <div ref={box} className="chart-box">
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={title}>
      {items.map((it, i) => {
        const y = 4 + i * row;
        const w = it.value > 0 ? Math.max(2, scale(it.value, top, barMax)) : 0;
        return (
          <Mark key={it.key} to={it.to} label={`${it.label}: ${it.display}`}>
            <rect className="ch-hit" x={0} y={y} width={width} height={row - 2} />
            <text className="ch-label" x={labelWidth - 8} y={y + row / 2} textAnchor="end" dominantBaseline="middle">
              {clip(it.label, 22)}
            </text>
            <rect className="ch-track" x={labelWidth} y={y + 6} width={barMax} height={row - 14} rx={3} />
            <rect className={`ch-bar ch-${it.tone ?? 'accent'}`} x={labelWidth} y={y + 6} width={w} height={row - 14} rx={3} />
            <text className="ch-value" x={labelWidth + barMax + 8} y={y + row / 2} dominantBaseline="middle">
              {it.display}
              {it.note ? ` · ${it.note}` : ''}
            </text>
          </Mark>
        );
      })}
    </svg>
    </div>
  );
}

export type FunnelItem = { key: string; label: string; reached: number; display: string; conversion?: string; dropOff?: string; to?: string | null; tone?: 'accent' | 'success' | 'danger' };

/** A centred funnel: each stage's bar is its share of the first; conversion and drop-off beside. */
export function FunnelChart({ items, title }: { items: FunnelItem[]; title: string }) {
  const [box, width] = useBoxWidth(640);
  const row = 44;
  // Fixed side columns on wide boxes; on a phone they give up room so the bars stay readable.
  const labelWidth = Math.min(170, Math.round(width * 0.26));
  const noteWidth = Math.min(170, Math.round(width * 0.3));
  const barArea = width - labelWidth - noteWidth;
  const bars = funnelBars(items, barArea);
  const height = items.length * row + 6;
  return (
    <div ref={box} className="chart-box">
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={title}>
      {items.map((it, i) => {
        const bar = bars[i] ?? { width: 0, x: barArea / 2, share: 0 };
        const y = 3 + i * row;
        return (
          <Mark key={it.key} to={it.to} label={`${it.label}: ${it.display}`}>
            <rect className="ch-hit" x={0} y={y} width={width} height={row - 4} />
            <text className="ch-label" x={labelWidth - 10} y={y + row / 2 - 2} textAnchor="end" dominantBaseline="middle">
              {clip(it.label, 24)}
            </text>
            <rect className="ch-track" x={labelWidth} y={y + 4} width={barArea} height={row - 12} rx={4} />
            <rect className={`ch-bar ch-${it.tone ?? 'accent'}`} x={labelWidth + bar.x} y={y + 4} width={bar.width} height={row - 12} rx={4} />
            <text className={bar.share >= 0.35 ? 'ch-value ch-on-bar' : 'ch-value'} x={labelWidth + barArea / 2} y={y + row / 2 - 2} textAnchor="middle" dominantBaseline="middle">
              {it.display}
            </text>
            {it.conversion && (
              <text className="ch-note" x={labelWidth + barArea + 10} y={y + row / 2 - 9} dominantBaseline="middle">
                {it.conversion}
              </text>
            )}
            {it.dropOff && (
              <text className="ch-note ch-danger-text" x={labelWidth + barArea + 10} y={y + row / 2 + 7} dominantBaseline="middle">
                {it.dropOff}
              </text>
            )}
          </Mark>
        );
      })}
    </svg>
    </div>
  );
}

export type Series = { key: string; label: string; tone: 'accent' | 'success' | 'warning' | 'muted' | 'danger' };
/** One category; `tos` opens each series' records separately where the server links them apart. */
export type Group = { key: string; label: string; values: Record<string, number>; displays: Record<string, string>; to?: string | null; tos?: Record<string, string | null> };

/** Vertical bars grouped per category (e.g. forecast vs actual per period), with a legend. */
export function GroupedBars({ groups, series, title, height = 240, format }: { groups: Group[]; series: Series[]; title: string; height?: number; format: (v: number) => string }) {
  const [box, width] = useBoxWidth(640);
  const left = 72;
  const bottom = 28;
  const top = 26;
  const plotH = height - top - bottom;
  const max = Math.max(0, ...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)));
  const axis = ticks(max);
  const axisMax = axis[axis.length - 1] ?? 1;
  const groupW = (width - left - 8) / Math.max(1, groups.length);
  const barW = Math.min(36, (groupW - 16) / Math.max(1, series.length));
  return (
    <div ref={box} className="chart-box">
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={title}>
      {series.map((s, i) => (
        <g key={s.key}>
          <rect className={`ch-bar ch-${s.tone}`} x={left + i * 130} y={6} width={10} height={10} rx={2} />
          <text className="ch-note" x={left + i * 130 + 15} y={11} dominantBaseline="middle">
            {clip(s.label, 18)}
          </text>
        </g>
      ))}
      {axis.map((v) => {
        const y = top + plotH - scale(v, axisMax, plotH);
        return (
          <g key={v}>
            <line className="ch-grid" x1={left} x2={width - 4} y1={y} y2={y} />
            <text className="ch-axis" x={left - 6} y={y} textAnchor="end" dominantBaseline="middle">
              {format(v)}
            </text>
          </g>
        );
      })}
      {groups.map((g, gi) => {
        const x0 = left + gi * groupW + (groupW - barW * series.length) / 2;
        return (
          <g key={g.key}>
            {series.map((s, si) => {
              const h = scale(g.values[s.key] ?? 0, axisMax, plotH);
              return (
                <Mark key={s.key} to={g.tos?.[s.key] ?? g.to} label={`${g.label}, ${s.label}: ${g.displays[s.key] ?? ''}`}>
                  <rect className="ch-hit" x={x0 + si * barW} y={top} width={barW} height={plotH} />
                  <rect className={`ch-bar ch-${s.tone}`} x={x0 + si * barW} y={top + plotH - h} width={Math.max(1, barW - 3)} height={h} rx={2} />
                </Mark>
              );
            })}
            <text className="ch-label" x={left + gi * groupW + groupW / 2} y={height - 10} textAnchor="middle">
              {clip(g.label, 16)}
            </text>
          </g>
        );
      })}
    </svg>
    </div>
  );
}

/** A line per series over shared categories; missing values break the line. */
export function LineChart({ categories, series, values, title, height = 220, format }: { categories: string[]; series: Series[]; values: Record<string, (number | null)[]>; title: string; height?: number; format: (v: number) => string }) {
  const [box, width] = useBoxWidth(640);
  const left = 52;
  const top = 26;
  const bottom = 26;
  const plotH = height - top - bottom;
  const plotW = width - left - 12;
  const max = Math.max(0, ...Object.values(values).flatMap((v) => v.filter((x): x is number => x !== null)));
  const axis = ticks(max);
  const axisMax = axis[axis.length - 1] ?? 1;
  const x = (i: number) => left + (categories.length > 1 ? (i * plotW) / (categories.length - 1) : plotW / 2);
  const y = (v: number) => top + plotH - scale(v, axisMax, plotH);
  const every = Math.max(1, Math.ceil(categories.length / 12));
  return (
    <div ref={box} className="chart-box">
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={title}>
      {series.map((s, i) => (
        <g key={s.key}>
          <rect className={`ch-bar ch-${s.tone}`} x={left + i * 130} y={6} width={10} height={10} rx={2} />
          <text className="ch-note" x={left + i * 130 + 15} y={11} dominantBaseline="middle">
            {clip(s.label, 18)}
          </text>
        </g>
      ))}
      {axis.map((v) => (
        <g key={v}>
          <line className="ch-grid" x1={left} x2={width - 4} y1={y(v)} y2={y(v)} />
          <text className="ch-axis" x={left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
            {format(v)}
          </text>
        </g>
      ))}
      {categories.map((c, i) =>
        i % every === 0 ? (
          <text key={c} className="ch-axis" x={x(i)} y={height - 8} textAnchor="middle">
            {c}
          </text>
        ) : null,
      )}
      {series.map((s) => {
        const pts = (values[s.key] ?? []).map((v, i) => (v === null ? null : { x: x(i), y: y(v) }));
        return (
          <g key={s.key}>
            <path className={`ch-line ch-stroke-${s.tone}`} d={linePath(pts)} />
            {pts.map((p, i) => (p ? <circle key={i} className={`ch-bar ch-${s.tone}`} cx={p.x} cy={p.y} r={3} /> : null))}
          </g>
        );
      })}
    </svg>
    </div>
  );
}

/** Cohort retention: one row per cohort, one cell per month since the first purchase. */
export function Heatmap({ rows, columns, title, format, rowLabel }: { rows: { key: string; label: string; note: string; cells: (number | null)[]; to?: string | null }[]; columns: number; title: string; format: (v: number) => string; rowLabel: (i: number) => string }) {
  const cell = 44;
  const left = 150;
  const top = 24;
  const width = left + Math.max(1, columns) * cell + 4;
  const height = top + rows.length * 26 + 4;
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={title}>
      {Array.from({ length: columns }, (_, i) => (
        <text key={i} className="ch-axis" x={left + i * cell + cell / 2} y={14} textAnchor="middle">
          {rowLabel(i)}
        </text>
      ))}
      {rows.map((r, ri) => {
        const y = top + ri * 26;
        return (
          <Mark key={r.key} to={r.to} label={`${r.label}: ${r.note}`}>
            <text className="ch-label" x={8} y={y + 12} dominantBaseline="middle">
              {r.label}
            </text>
            <text className="ch-note" x={left - 8} y={y + 12} textAnchor="end" dominantBaseline="middle">
              {r.note}
            </text>
            {r.cells.map((v, ci) => (
              <g key={ci}>
                <rect className="ch-cell" x={left + ci * cell + 1} y={y + 1} width={cell - 2} height={22} rx={3} style={{ fill: heatColor(v) }} />
                {v !== null && (
                  <text className={heatTextLight(v) ? 'ch-cell-text ch-on-bar' : 'ch-cell-text'} x={left + ci * cell + cell / 2} y={y + 12} textAnchor="middle" dominantBaseline="middle">
                    {format(v)}
                  </text>
                )}
              </g>
            ))}
          </Mark>
        );
      })}
    </svg>
  );
}
