import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BarChart, FunnelChart, GroupedBars, Heatmap } from './charts';

function attrs(html: string, tag: string, name: string): string[] {
  return Array.from(html.matchAll(new RegExp(`<${tag}(?=[\\s>])[^>]*\\s${name}="([^"]*)"`, 'g')), (m) => m[1] as string);
}

describe('charts', () => {
  it('draws one link per funnel stage to its records, bars by share of the first stage', () => {
    const html = renderToStaticMarkup(
      <FunnelChart
        title="Funnel"
        items={[
          { key: 'a', label: 'New', reached: 20, display: '20', to: '/deals?filter%5Bstage_id%5D=a' },
          { key: 'b', label: 'Won', reached: 5, display: '5', to: '/deals?filter%5Bstage_id%5D=b', tone: 'success' },
          { key: 'c', label: 'Empty', reached: 0, display: '0', to: null },
        ]}
      />,
    );
    expect(attrs(html, 'a', 'href')).toEqual(['/deals?filter%5Bstage_id%5D=a', '/deals?filter%5Bstage_id%5D=b']);
    expect(attrs(html, 'a', 'aria-label')).toEqual(['New: 20', 'Won: 5']);
    // Bars: the 640 px fallback box less its 166 px label and 170 px note columns leaves 304.
    const widths = attrs(html, 'rect class="ch-bar[^"]*"', 'width').map(Number);
    expect(widths).toEqual([304, 76, 0]);
  });

  it('keeps bars within the track and leaves empty rows without a bar', () => {
    const html = renderToStaticMarkup(
      <BarChart
        title="Bars"
        items={[
          { key: 'x', label: 'X', value: 7, display: '7' },
          { key: 'y', label: 'Y', value: 0, display: '0' },
        ]}
      />,
    );
    const track = Number(attrs(html, 'rect class="ch-track"', 'width')[0]);
    const bars = attrs(html, 'rect class="ch-bar[^"]*"', 'width').map(Number);
    // 7 on an axis that ends at 10: seven tenths of the track.
    expect(bars[0]).toBeCloseTo(track * 0.7, 6);
    expect(bars[1]).toBe(0);
  });

  it('links each series of a group to its own records', () => {
    const html = renderToStaticMarkup(
      <GroupedBars
        title="Forecast"
        format={String}
        series={[
          { key: 'weighted', label: 'Weighted', tone: 'accent' },
          { key: 'actual', label: 'Actual', tone: 'success' },
        ]}
        groups={[{ key: '2026-11', label: '2026-11', values: { weighted: 10, actual: 4 }, displays: { weighted: '10', actual: '4' }, tos: { weighted: '/deals?o=1', actual: '/deals?w=1' } }]}
      />,
    );
    expect(attrs(html, 'a', 'href')).toEqual(['/deals?o=1', '/deals?w=1']);
    expect(attrs(html, 'a', 'aria-label')).toEqual(['2026-11, Weighted: 10', '2026-11, Actual: 4']);
  });

  it('paints heat-map cells by retention and leaves months not yet reached blank', () => {
    const html = renderToStaticMarkup(
      <Heatmap title="Cohorts" columns={3} format={(v) => `${Math.round(v * 100)}%`} rowLabel={(i) => `M${i}`} rows={[{ key: 'c', label: '2026-01', note: '4', cells: [1, 0.25, null] }]} />,
    );
    expect(html).toContain('fill:rgba(31, 111, 235, 1.00)');
    expect(html).toContain('fill:rgba(31, 111, 235, 0.25)');
    expect(html).toContain('fill:rgba(0, 0, 0, 0)');
    expect(html).toContain('>25%<');
    expect(html).not.toContain('>0%<');
  });
});
