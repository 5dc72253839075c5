import { describe, expect, it } from 'vitest';
import {
  amountLength,
  conversion,
  currenciesOf,
  dispositionName,
  drilldownRoute,
  exportName,
  funnelBars,
  heatColor,
  heatTextLight,
  linePath,
  matchPreset,
  niceMax,
  parseDefinition,
  presetRange,
  reportQuery,
  reportTable,
  scale,
  ticks,
  toCount,
  toRatio,
} from './chartMath';

describe('ratios and counts from the server', () => {
  it.each([
    [0.25, 0.25],
    ['0.3125', 0.3125],
    ['1', 1],
    [' 0.5 ', 0.5],
    ['-0.2', -0.2],
    [null, null],
    [undefined, null],
    ['abc', null],
    ['1e3', null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
  ])('toRatio(%j) = %j', (input, out) => expect(toRatio(input)).toBe(out));

  it.each([
    [7, 7],
    ['12', 12],
    [{ count: 3, sums: {} }, 3],
    [{ count: '4' }, 4],
    ['1.5', 0],
    [null, 0],
    [{}, 0],
  ])('toCount(%j) = %j', (input, out) => expect(toCount(input)).toBe(out));

  it('takes amounts for bar lengths only from exact decimal strings', () => {
    expect(amountLength('1500.50')).toBe(1500.5);
    expect(amountLength('-20')).toBe(-20);
    expect(amountLength('1 500')).toBe(0);
    expect(amountLength(null)).toBe(0);
    expect(amountLength(undefined)).toBe(0);
  });

  it('computes conversion only from a non-empty stage', () => {
    expect(conversion(8, 2)).toBe(0.25);
    expect(conversion(0, 0)).toBeNull();
  });
});

describe('scales', () => {
  it.each([
    [0, 1],
    [-5, 1],
    [1, 1],
    [7, 10],
    [11, 20],
    [21, 25],
    [26, 50],
    [99, 100],
    [100, 100],
    [101, 200],
    [0.3, 0.5],
    [1234567, 2000000],
  ])('niceMax(%d) = %d', (v, out) => expect(niceMax(v)).toBeCloseTo(out, 9));

  it('spaces ticks evenly up to the nice maximum', () => {
    expect(ticks(7)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(ticks(180, 2)).toEqual([0, 100, 200]);
  });

  it('maps and clamps', () => {
    expect(scale(5, 10, 200)).toBe(100);
    expect(scale(20, 10, 200)).toBe(200);
    expect(scale(-3, 10, 200)).toBe(0);
    expect(scale(5, 0, 200)).toBe(0);
    expect(scale(Number.NaN, 10, 200)).toBe(0);
  });
});

describe('funnel geometry', () => {
  it('centres bars by their share of the first stage', () => {
    const bars = funnelBars([{ reached: 20 }, { reached: 10 }, { reached: 1 }, { reached: 0 }], 400);
    expect(bars[0]).toEqual({ width: 400, x: 0, share: 1 });
    expect(bars[1]).toEqual({ width: 200, x: 100, share: 0.5 });
    // A small non-zero stage keeps a visible sliver; an empty one has no bar.
    expect(bars[2]).toEqual({ width: 20, x: 190, share: 0.05 });
    expect(bars[3]).toEqual({ width: 0, x: 200, share: 0 });
  });

  it('draws nothing for an empty funnel', () => {
    expect(funnelBars([{ reached: 0 }, { reached: 0 }], 100).map((b) => b.width)).toEqual([0, 0]);
  });
});

describe('heat map and line', () => {
  it('blends the accent by the ratio, with a floor so small cells stay visible', () => {
    expect(heatColor(1)).toBe('rgba(31, 111, 235, 1.00)');
    expect(heatColor(0.31)).toBe('rgba(31, 111, 235, 0.31)');
    expect(heatColor(0)).toBe('rgba(31, 111, 235, 0.06)');
    expect(heatColor(null)).toBe('rgba(0, 0, 0, 0)');
    expect(heatTextLight(0.8)).toBe(true);
    expect(heatTextLight(0.2)).toBe(false);
    expect(heatTextLight(null)).toBe(false);
  });

  it('breaks a line at missing points', () => {
    expect(linePath([{ x: 0, y: 10 }, { x: 5.04, y: 2 }, null, { x: 20, y: 1 }, { x: 30, y: 0 }])).toBe('M0 10 L5 2 M20 1 L30 0');
    expect(linePath([])).toBe('');
  });

  it('orders currencies by how often they appear', () => {
    expect(currenciesOf([{ RUB: '1', USD: '2' }, { RUB: '3' }, null, { EUR: '1' }])).toEqual(['RUB', 'EUR', 'USD']);
  });
});

describe('drill-down', () => {
  it('maps an API list URL onto the app list route, keeping filters and sort', () => {
    expect(drilldownRoute('/api/v1/deals?filter[pipeline_id]=p1&filter[stage_id]=s2&limit=50&cursor=x')).toBe(
      '/deals?filter%5Bpipeline_id%5D=p1&filter%5Bstage_id%5D=s2',
    );
    expect(drilldownRoute('/api/v1/contacts?filter[rfm_segment]=champions&sort=-created_at')).toBe('/contacts?filter%5Brfm_segment%5D=champions&sort=-created_at');
    expect(drilldownRoute('/api/v1/leads?filter[created_at][gte]=2026-01-01')).toBe('/leads?filter%5Bcreated_at%5D%5Bgte%5D=2026-01-01');
    expect(drilldownRoute('/api/v1/deals')).toBe('/deals');
  });

  it('refuses what the app has no list for', () => {
    expect(drilldownRoute('/api/v1/orders?filter[contact_id]=1')).toBeNull();
    expect(drilldownRoute('/api/v1/deals/123')).toBeNull();
    expect(drilldownRoute('')).toBeNull();
    expect(drilldownRoute(null)).toBeNull();
    expect(drilldownRoute(42)).toBeNull();
  });

  it('reads the route the list page reads back', () => {
    const route = drilldownRoute('/api/v1/deals?filter[stage_id]=s%26x') as string;
    const params = new URLSearchParams(route.split('?')[1]);
    expect(params.get('filter[stage_id]')).toBe('s&x');
  });
});

describe('report definitions', () => {
  it('builds the report query: two groups at most, count by default, filter operators', () => {
    expect(
      reportQuery({
        entity: 'deals',
        group_by: ['owner_id', 'stage_id', 'source'],
        aggregate: ['count', 'sum:amount', 'sum:amount'],
        filters: [
          { field: 'status', op: 'eq', value: 'won' },
          { field: 'amount', op: 'gte', value: '1000' },
          { field: '', op: 'eq', value: 'ignored' },
        ],
      }),
    ).toEqual({ entity: 'deals', group_by: 'owner_id,stage_id', aggregate: 'count,sum:amount', 'filter[status]': 'won', 'filter[amount][gte]': '1000' });
    expect(reportQuery({ entity: 'leads', group_by: [], aggregate: [], filters: [] })).toEqual({ entity: 'leads', aggregate: 'count' });
  });

  it('reads saved definitions back, as objects, strings, or the list filter form', () => {
    const def = { entity: 'deals', group_by: ['owner_id'], aggregate: ['count', 'avg:amount'], filters: [{ field: 'status', op: 'ne', value: 'lost' }] };
    expect(parseDefinition(def)).toEqual(def);
    expect(parseDefinition(JSON.stringify(def))).toEqual(def);
    expect(parseDefinition({ entity: 'leads', group_by: 'source,channel,status', aggregate: 'count', filter: { status: { ne: 'junk' }, source: 'web' } })).toEqual({
      entity: 'leads',
      group_by: ['source', 'channel'],
      aggregate: ['count'],
      filters: [
        { field: 'status', op: 'ne', value: 'junk' },
        { field: 'source', op: 'eq', value: 'web' },
      ],
    });
    expect(parseDefinition('not json')).toEqual({ entity: 'deals', group_by: [], aggregate: ['count'], filters: [] });
  });

  it('reads report rows as arrays or objects', () => {
    expect(reportTable({ columns: ['owner_id', 'count'], rows: [['u1', 3], ['u2', 1]] })).toEqual({
      columns: ['owner_id', 'count'],
      rows: [
        { owner_id: 'u1', count: 3 },
        { owner_id: 'u2', count: 1 },
      ],
    });
    expect(reportTable({ columns: [{ name: 'stage_id' }, { name: 'sum:amount' }], rows: [{ stage_id: 's', 'sum:amount': '10.00', drilldown: '/api/v1/deals' }] }).columns).toEqual(['stage_id', 'sum:amount']);
    expect(reportTable({ rows: [{ source: 'web', count: 2, drilldown: '/x' }] }).columns).toEqual(['source', 'count']);
    expect(reportTable(null)).toEqual({ columns: [], rows: [] });
  });
});

describe('exports and periods', () => {
  it('names files safely', () => {
    const d = new Date('2026-11-23T10:00:00Z');
    expect(exportName('Воронка продаж', 'csv', d)).toBe('Воронка-продаж-2026-11-23.csv');
    expect(exportName('Plan / fact: Q4', 'png', d)).toBe('Plan-fact-Q4-2026-11-23.png');
    expect(exportName('***', 'xlsx', d)).toBe('export-2026-11-23.xlsx');
  });

  it('reads Content-Disposition names', () => {
    expect(dispositionName('attachment; filename="funnel.csv"')).toBe('funnel.csv');
    expect(dispositionName("attachment; filename=\"f.csv\"; filename*=UTF-8''%D0%B2%D0%BE%D1%80%D0%BE%D0%BD%D0%BA%D0%B0.csv")).toBe('воронка.csv');
    expect(dispositionName('attachment')).toBeNull();
    expect(dispositionName(null)).toBeNull();
  });

  it('turns presets into inclusive UTC bounds and back', () => {
    const today = new Date('2026-11-23T12:00:00Z');
    expect(presetRange('month', today)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(presetRange('last_month', today)).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(presetRange('quarter', today)).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetRange('year', today)).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(presetRange('all', today)).toBeNull();
    expect(presetRange('last_month', new Date('2026-01-15T00:00:00Z'))).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(presetRange('month', new Date('2028-02-10T00:00:00Z'))).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(matchPreset('2026-10-01', '2026-12-31', today)).toBe('quarter');
    expect(matchPreset('', '', today)).toBe('all');
    expect(matchPreset('2026-10-02', '2026-12-31', today)).toBe('custom');
  });
});
