// Analytics: sales, marketing and customer dashboards with shared filters kept in the URL, every
// figure a link to the records behind it, and the report builder. A code-split route, so none of
// it weighs on the first screen.
import { Suspense, lazy, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Query } from '../api/client';
import { useResource } from '../api/store';
import type { Me, Pipeline } from '../api/types';
import { useMe } from '../modules/auth/AuthContext';
import { usePipelines, useTeams, useUsers } from '../modules/records/hooks';
import { optionLabel } from '../modules/records/labels';
import {
  filtersFrom,
  rowsOf,
  type Clv,
  type ClvCustomer,
  type Cohorts,
  type Forecast,
  type ForecastPeriod,
  type Funnel,
  type FunnelStage,
  type PlanFact,
  type Rfm,
  type Sources,
  type SourceRow,
  type Sums,
  type VelocityRow,
  type WinLoss,
} from '../modules/analytics/api';
import { BarChart, FunnelChart, GroupedBars, Heatmap, LineChart, type BarItem } from '../modules/analytics/charts';
import { amountLength, currenciesOf, drilldownRoute, matchPreset, presetRange, toCount, toRatio, type PeriodPreset } from '../modules/analytics/chartMath';
import { Widget } from '../modules/analytics/Widget';
import { CostForm, PlanForm } from '../modules/analytics/PlanCostForms';
import { formatDateTime, formatDecimal, formatMoney, formatNumber, formatPercent, formatSums } from '../i18n/format';
import { Link, useSearchParams } from '../router';
import { Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';
import { errorText } from '../api/errors';

const ReportBuilder = lazy(() => import('../modules/analytics/ReportBuilder'));

const TABS = ['sales', 'marketing', 'customers', 'reports'] as const;
type Filters = ReturnType<typeof filtersFrom>;

function useAnalytics<T>(path: string | null, query: Query) {
  const key = path ? `analytics:${path}:${JSON.stringify(query)}` : null;
  return useResource<T>(key, () => api.get<T>(path as string, query));
}

export default function AnalyticsPage({ tab }: { tab: string }) {
  const { t } = useTranslation();
  const current = (TABS as readonly string[]).includes(tab) ? (tab as (typeof TABS)[number]) : 'sales';
  const [params] = useSearchParams();
  const search = params.toString();
  const filters = filtersFrom(params);
  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>{t('analytics.title')}</h1>
      </div>
      <nav className="tabs an-tabs" aria-label={t('analytics.title')}>
        {TABS.map((x) => (
          <Link key={x} to={`/analytics/${x}${search ? `?${search}` : ''}`} className="tab" aria-selected={current === x} aria-current={current === x ? 'page' : undefined}>
            {t(`analytics.tabs.${x}`)}
          </Link>
        ))}
      </nav>
      {current !== 'reports' && <FilterBar filters={filters} />}
      {current === 'sales' && <SalesTab filters={filters} />}
      {current === 'marketing' && <MarketingTab filters={filters} />}
      {current === 'customers' && <CustomersTab filters={filters} />}
      {current === 'reports' && (
        <Suspense fallback={<Spinner label={t('common.loading')} />}>
          <ReportBuilder />
        </Suspense>
      )}
    </div>
  );
}

function FilterBar({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const [, setParams] = useSearchParams();
  const pipelines = usePipelines();
  const users = useUsers();
  const teams = useTeams();
  const [source, setSource] = useState(filters.source ?? '');
  useEffect(() => setSource(filters.source ?? ''), [filters.source]);
  const preset = matchPreset(filters.from ?? '', filters.to ?? '');
  const choosePreset = (p: string) => {
    if (p === 'custom') return;
    const r = presetRange(p as PeriodPreset);
    setParams({ from: r?.from ?? null, to: r?.to ?? null });
  };
  return (
    <div className="an-filters" role="group" aria-label={t('analytics.filters')}>
      <Select label={t('analytics.period')} value={preset} onChange={choosePreset}>
        {(['all', 'month', 'last_month', 'quarter', 'year', 'custom'] as const).map((p) => (
          <option key={p} value={p} disabled={p === 'custom' && preset !== 'custom'}>
            {t(`analytics.presets.${p}`)}
          </option>
        ))}
      </Select>
      <DateInput label={t('analytics.from')} value={filters.from ?? ''} onChange={(v) => setParams({ from: v })} />
      <DateInput label={t('analytics.to')} value={filters.to ?? ''} onChange={(v) => setParams({ to: v })} />
      <Select label={t('board.pipeline')} value={filters.pipeline_id ?? ''} onChange={(v) => setParams({ pipeline_id: v })}>
        <option value="">{t('analytics.anyPipeline')}</option>
        {(pipelines.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </Select>
      <Select label={t('board.owner')} value={filters.owner_id ?? ''} onChange={(v) => setParams({ owner_id: v })}>
        <option value="">{t('board.allOwners')}</option>
        {(users.data ?? []).map((u) => (
          <option key={u.id} value={u.id}>
            {u.name || u.email}
          </option>
        ))}
      </Select>
      <Select label={t('users.team')} value={filters.team_id ?? ''} onChange={(v) => setParams({ team_id: v })}>
        <option value="">{t('analytics.anyTeam')}</option>
        {(teams.data ?? []).map((tm) => (
          <option key={tm.id} value={tm.id}>
            {tm.name}
          </option>
        ))}
      </Select>
      <div className="field">
        <label htmlFor="an-source">{t('analytics.source')}</label>
        <input
          id="an-source"
          className="input"
          value={source}
          onChange={(e) => setSource(e.target.value)}
          onBlur={() => setParams({ source: source.trim() })}
          onKeyDown={(e) => e.key === 'Enter' && setParams({ source: source.trim() })}
        />
      </div>
      {Object.keys(filters).length > 0 && (
        <button type="button" className="btn btn-ghost" onClick={() => setParams(Object.fromEntries(Object.keys(filters).map((k) => [k, null])))}>
          {t('board.resetFilters')}
        </button>
      )}
    </div>
  );
}

function Select({ label, value, onChange, children }: { label: string; value: string; onChange: (v: string) => void; children: ReactNode }) {
  const id = `an-${label.replace(/\W+/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}

function DateInput({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const id = `an-${label.replace(/\W+/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" type="date" value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

function CurrencyPicker({ value, options, onChange }: { value: string; options: string[]; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  if (options.length < 2) return null;
  return (
    <select className="select" style={{ width: 'auto', height: 30 }} aria-label={t('analytics.currency')} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </select>
  );
}

/** The currency a widget draws in: the chosen one while present, else the most common. */
function useCurrency(sums: (Sums | null | undefined)[]): [string, string[], (c: string) => void] {
  const options = currenciesOf(sums);
  const [chosen, setChosen] = useState('');
  const cur = options.includes(chosen) ? chosen : (options[0] ?? '');
  return [cur, options, setChosen];
}

function Kpi({ label, value, to }: { label: string; value: string; to?: string | null }) {
  return (
    <div className="an-kpi">
      <span className="an-kpi-value">{to ? <Link to={to}>{value}</Link> : value}</span>
      <span className="an-kpi-label">{label}</span>
    </div>
  );
}

function pct(v: unknown): string {
  return formatPercent(toRatio(v));
}

/** A figure that opens the records behind it when the server says which they are. */
function Linked({ route, children }: { route: string | null | undefined; children: ReactNode }) {
  return route ? <Link to={route}>{children}</Link> : <>{children}</>;
}

// ---------------------------------------------------------------- sales

function SalesTab({ filters }: { filters: Filters }) {
  const pipelines = usePipelines();
  const pipeline: Pipeline | undefined = pipelines.data?.find((p) => p.id === filters.pipeline_id) ?? pipelines.data?.[0];
  return (
    <div className="an-grid">
      <FunnelWidget filters={filters} pipeline={pipeline} loadingPipelines={pipelines.loading} />
      <WinLossWidget filters={filters} />
      <VelocityWidget filters={filters} pipeline={pipeline} />
      <ForecastWidget filters={filters} />
      <PlanFactWidget filters={filters} />
    </div>
  );
}

function stageRoute(stage: FunnelStage, pipelineId: string | undefined): string {
  return drilldownRoute(stage.drilldown) ?? `/deals?${new URLSearchParams({ ...(pipelineId ? { 'filter[pipeline_id]': pipelineId } : {}), 'filter[stage_id]': stage.stage_id }).toString()}`;
}

function FunnelWidget({ filters, pipeline, loadingPipelines }: { filters: Filters; pipeline?: Pipeline; loadingPipelines: boolean }) {
  const { t } = useTranslation();
  const query: Query = { ...filters, pipeline_id: pipeline?.id };
  const res = useAnalytics<Funnel>(pipeline ? '/analytics/funnel' : null, query);
  const stages = [...rowsOf<FunnelStage>(res.data, ['stages'])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const shown = stages.filter((s) => s.kind !== 'lost');
  const lostStages = stages.filter((s) => s.kind === 'lost');
  const items = shown.map((s, i) => {
    const next = shown[i + 1];
    const conv = toRatio(s.conversion_to_next) ?? (next && s.reached > 0 ? next.reached / s.reached : null);
    return {
      key: s.stage_id,
      label: s.name ?? '—',
      reached: toCount(s.reached),
      display: formatNumber(toCount(s.reached)),
      conversion: next && conv !== null ? t('analytics.toNext', { value: formatPercent(conv) }) : undefined,
      // The server sends drop-off as a count of deals; the share beside it is 1 − conversion.
      dropOff:
        next && conv !== null
          ? t('analytics.dropOff', { value: typeof s.drop_off === 'number' ? `${formatNumber(s.drop_off)} (${formatPercent(Math.max(0, 1 - conv))})` : formatPercent(Math.max(0, 1 - conv)) })
          : undefined,
      to: stageRoute(s, pipeline?.id),
      tone: s.kind === 'won' ? ('success' as const) : ('accent' as const),
    };
  });
  return (
    <Widget id="funnel" title={t('analytics.funnel')} loading={loadingPipelines || (!!pipeline && res.loading)} error={res.error} empty={!pipeline || shown.length === 0} exportPath="/analytics/funnel" exportQuery={query} wide>
      <div className="stack">
        <div className="an-kpis">
          <Kpi label={t('analytics.winRate')} value={pct(res.data?.win_rate)} />
          <Kpi label={t('analytics.won')} value={formatNumber(toCount(res.data?.won))} />
          <Kpi label={t('analytics.lost')} value={formatNumber(toCount(res.data?.lost))} to={lostStages[0] ? stageRoute(lostStages[0], pipeline?.id) : null} />
          <Kpi label={t('board.pipeline')} value={pipeline?.name ?? ''} />
        </div>
        <FunnelChart items={items} title={t('analytics.funnel')} />
      </div>
    </Widget>
  );
}

function WinLossWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const res = useAnalytics<WinLoss>('/analytics/win-loss', filters);
  const reasons = res.data?.reasons ?? [];
  const items: BarItem[] = reasons.map((r) => ({
    key: r.reason ?? '',
    label: r.reason ? t(`loss.reasons.${r.reason}`, { defaultValue: r.reason }) : t('analytics.noReason'),
    value: toCount(r.count),
    display: formatNumber(toCount(r.count)),
    note: formatSums(r.sums),
    to: drilldownRoute(r.drilldown),
    tone: 'danger',
  }));
  return (
    <Widget id="win-loss" title={t('analytics.winLoss')} loading={res.loading} error={res.error} exportPath="/analytics/win-loss" exportQuery={filters}>
      <div className="stack">
        <div className="an-kpis">
          <Kpi label={t('analytics.winRate')} value={pct(res.data?.win_rate)} />
          <Kpi label={t('analytics.won')} value={formatNumber(toCount(res.data?.won))} to={drilldownRoute(res.data?.won?.drilldown)} />
          <Kpi label={t('analytics.lost')} value={formatNumber(toCount(res.data?.lost))} to={drilldownRoute(res.data?.lost?.drilldown)} />
        </div>
        <div className="muted">
          {t('analytics.wonSum', { sum: formatSums(res.data?.won?.sums) || '0' })} · {t('analytics.lostSum', { sum: formatSums(res.data?.lost?.sums) || '0' })}
        </div>
        <h3>{t('analytics.lossReasons')}</h3>
        {items.length ? <BarChart items={items} title={t('analytics.lossReasons')} /> : <p className="muted">{t('analytics.noData')}</p>}
      </div>
    </Widget>
  );
}

function VelocityWidget({ filters, pipeline }: { filters: Filters; pipeline?: Pipeline }) {
  const { t } = useTranslation();
  const query: Query = { ...filters, pipeline_id: pipeline?.id };
  const res = useAnalytics<unknown>(pipeline ? '/analytics/velocity' : null, query);
  // Time in a won or lost stage is not a step of the sale: only open stages are shown.
  const rows = rowsOf<VelocityRow & { kind?: string }>(res.data, ['stages', 'rows', 'data']).filter((r) => r.kind !== 'won' && r.kind !== 'lost');
  const items: BarItem[] = rows.map((r) => ({
    key: r.stage_id,
    label: r.name ?? '—',
    value: toRatio(r.avg_days) ?? 0,
    display: t('analytics.days', { value: formatDecimal(toRatio(r.avg_days)) || '0' }),
    note: t('analytics.median', { value: formatDecimal(toRatio(r.median_days)) || '0' }),
    to: drilldownRoute(r.drilldown) ?? `/deals?${new URLSearchParams({ 'filter[stage_id]': r.stage_id }).toString()}`,
  }));
  return (
    <Widget id="velocity" title={t('analytics.velocity')} loading={!!pipeline && res.loading} error={res.error} empty={rows.length === 0} exportPath="/analytics/velocity" exportQuery={query}>
      <BarChart items={items} title={t('analytics.velocity')} labelWidth={140} />
    </Widget>
  );
}

function ForecastWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const [period, setPeriod] = useState<'month' | 'quarter'>('month');
  const query: Query = { ...filters, period };
  const res = useAnalytics<Forecast>('/analytics/forecast', query);
  const periods = res.data?.periods ?? [];
  const [cur, options, setCur] = useCurrency(periods.flatMap((p) => [p.weighted, p.best_case, p.run_rate, p.actual]));
  const series = [
    { key: 'weighted', label: t('analytics.weighted'), tone: 'accent' as const },
    { key: 'best_case', label: t('analytics.bestCase'), tone: 'muted' as const },
    { key: 'run_rate', label: t('analytics.runRate'), tone: 'warning' as const },
    { key: 'actual', label: t('analytics.actual'), tone: 'success' as const },
  ];
  const groups = periods.map((p) => {
    const values: Record<string, number> = {};
    const displays: Record<string, string> = {};
    for (const s of series) {
      const v = (p[s.key as keyof typeof p] as Sums | undefined)?.[cur];
      values[s.key] = amountLength(v);
      displays[s.key] = formatMoney(v ?? '0', cur, true);
    }
    return { key: p.period, label: p.period, values, displays, tos: Object.fromEntries(series.map((s) => [s.key, forecastRoute(p, s.key)])) };
  });
  return (
    <Widget
      id="forecast"
      title={t('analytics.forecast')}
      loading={res.loading}
      error={res.error}
      empty={periods.length === 0}
      exportPath="/analytics/forecast"
      exportQuery={query}
      actions={
        <>
          <CurrencyPicker value={cur} options={options} onChange={setCur} />
          <div className="segmented" role="group" aria-label={t('analytics.period')}>
            {(['month', 'quarter'] as const).map((p) => (
              <button key={p} type="button" aria-pressed={period === p} onClick={() => setPeriod(p)}>
                {t(`analytics.by.${p}`)}
              </button>
            ))}
          </div>
        </>
      }
    >
      <div className="stack">
        <GroupedBars groups={groups} series={series} title={t('analytics.forecast')} format={(v) => formatMoney(String(v), cur, true)} />
        <div style={{ overflowX: 'auto' }}>
          <table className="grid an-table">
            <thead>
              <tr>
                <th scope="col">{t('analytics.period')}</th>
                {series.map((s) => (
                  <th key={s.key} scope="col" className="num">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {periods.map((p) => (
                <tr key={p.period}>
                  <td>{p.period}</td>
                  {series.map((s) => {
                    const text = formatSums(p[s.key as keyof typeof p] as Sums | undefined, false) || '—';
                    const route = forecastRoute(p, s.key);
                    return (
                      <td key={s.key} className="num">
                        {route ? <Link to={route}>{text}</Link> : text}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Widget>
  );
}

/** The deals behind one forecast figure: open deals for the weighted and best cases. */
function forecastRoute(p: ForecastPeriod, series: string): string | null {
  const d = p.drilldown;
  if (!d || typeof d === 'string') return drilldownRoute(d);
  return drilldownRoute(series === 'actual' ? d.actual : series === 'run_rate' ? d.run_rate : d.open);
}

/** Plans and campaign costs are written by administrators and managers (the server decides). */
function canPlan(me: Me): boolean {
  return !me.permissions.read_only && (me.role === 'admin' || me.role === 'manager');
}

function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function PlanFactWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const me = useMe();
  const [period, setPeriod] = useState((filters.from ?? '').slice(0, 7) || currentMonth());
  const query: Query = { ...filters, from: undefined, to: undefined, period };
  const res = useAnalytics<PlanFact>('/analytics/plan-fact', query);
  const rows = rowsOf<PlanFact['rows'][number]>(res.data, ['rows']);
  const [cur, options, setCur] = useCurrency(rows.flatMap((r) => [r.plan, r.fact]));
  const groups = rows.map((r, i) => ({
    key: r.owner_id ?? r.team_id ?? String(i),
    label: r.name ?? '—',
    values: { plan: amountLength(r.plan?.[cur]), fact: amountLength(r.fact?.[cur]) },
    displays: { plan: formatMoney(r.plan?.[cur] ?? '0', cur, true), fact: formatMoney(r.fact?.[cur] ?? '0', cur, true) },
    to: drilldownRoute(r.drilldown),
  }));
  const series = [
    { key: 'plan', label: t('analytics.plan'), tone: 'muted' as const },
    { key: 'fact', label: t('analytics.fact'), tone: 'success' as const },
  ];
  return (
    <Widget
      id="plan-fact"
      title={t('analytics.planFact')}
      loading={res.loading}
      error={res.error}
      empty={rows.length === 0}
      exportPath="/analytics/plan-fact"
      exportQuery={query}
      footer={canPlan(me) && <PlanForm period={period} />}
      actions={
        <>
          <CurrencyPicker value={cur} options={options} onChange={setCur} />
          <input className="input" type="month" style={{ width: 'auto', height: 30 }} aria-label={t('analytics.planMonth')} value={period} onChange={(e) => e.target.value && setPeriod(e.target.value)} />
        </>
      }
    >
      <div className="stack">
        <GroupedBars groups={groups} series={series} title={t('analytics.planFact')} format={(v) => formatMoney(String(v), cur, true)} />
        <table className="grid an-table">
          <thead>
            <tr>
              <th scope="col">{t('analytics.manager')}</th>
              <th scope="col" className="num">
                {t('analytics.plan')}
              </th>
              <th scope="col" className="num">
                {t('analytics.fact')}
              </th>
              <th scope="col" className="num">
                {t('analytics.percentOfPlan')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.owner_id ?? r.team_id ?? i}>
                <td>{r.name ?? '—'}</td>
                <td className="num">{formatSums(r.plan, false) || '—'}</td>
                <td className="num">
                  <Linked route={drilldownRoute(r.drilldown)}>{formatSums(r.fact, false) || '0'}</Linked>
                </td>
                <td className="num">{toRatio(r.percent) === null ? '—' : formatPercent((toRatio(r.percent) as number) / 100)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Widget>
  );
}

// ---------------------------------------------------------------- marketing

function sourceRoute(r: SourceRow, what: 'leads' | 'deals'): string | null {
  const d = r.drilldown;
  if (!d || typeof d === 'string') return drilldownRoute(d);
  return drilldownRoute(what === 'deals' ? (d.deals ?? d.leads) : d.leads);
}

function roiText(roi: SourceRow['roi'], cur: string): string {
  if (roi && typeof roi === 'object') return pct((roi as Record<string, unknown>)[cur]) || '—';
  return pct(roi) || '—';
}

function MarketingTab({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const me = useMe();
  const [groupBy, setGroupBy] = useState<'source' | 'campaign'>('source');
  const query: Query = { ...filters, group_by: groupBy };
  const res = useAnalytics<Sources>('/analytics/sources', query);
  const rows = rowsOf<SourceRow>(res.data, ['rows']);
  const [cur, options, setCur] = useCurrency(rows.flatMap((r) => [r.revenue, r.cost]));
  const sourceName = (v: string | null | undefined) => (v ? optionLabel(t, 'source', v) : t('analytics.noSource'));
  const label = (r: SourceRow) => (groupBy === 'campaign' && r.campaign ? r.campaign : sourceName(r.source));
  const leadsItems: BarItem[] = rows.map((r, i) => ({
    key: `${label(r)}-${i}`,
    label: label(r),
    value: toCount(r.leads),
    display: formatNumber(toCount(r.leads)),
    note: t('analytics.conversionShort', { value: pct(r.conversion) || '0' }),
    to: sourceRoute(r, 'leads'),
  }));
  const revenueItems: BarItem[] = rows.map((r, i) => ({
    key: `${label(r)}-${i}`,
    label: label(r),
    value: amountLength(r.revenue?.[cur]),
    display: formatMoney(r.revenue?.[cur] ?? '0', cur, true),
    note: t('analytics.roiShort', { value: roiText(r.roi, cur) }),
    to: sourceRoute(r, 'deals'),
    tone: 'success',
  }));
  const actions = (
    <>
      <CurrencyPicker value={cur} options={options} onChange={setCur} />
      <div className="segmented" role="group" aria-label={t('analytics.groupBy')}>
        {(['source', 'campaign'] as const).map((g) => (
          <button key={g} type="button" aria-pressed={groupBy === g} onClick={() => setGroupBy(g)}>
            {t(`analytics.by.${g}`)}
          </button>
        ))}
      </div>
    </>
  );
  return (
    <div className="an-grid">
      <Widget id="sources-leads" title={t('analytics.leadsBySource')} loading={res.loading} error={res.error} empty={rows.length === 0} exportPath="/analytics/sources" exportQuery={query} actions={actions}>
        <BarChart items={leadsItems} title={t('analytics.leadsBySource')} />
      </Widget>
      <Widget id="sources-revenue" title={t('analytics.revenueBySource')} loading={res.loading} error={res.error} empty={rows.length === 0} exportPath="/analytics/sources" exportQuery={query}>
        <BarChart items={revenueItems} title={t('analytics.revenueBySource')} />
      </Widget>
      <Widget id="sources-table" title={t('analytics.sourcesTable')} loading={res.loading} error={res.error} empty={rows.length === 0} exportPath="/analytics/sources" exportQuery={query} wide footer={canPlan(me) && <CostForm />}>
        <div style={{ overflowX: 'auto' }}>
          <table className="grid an-table">
            <thead>
              <tr>
                <th scope="col">{t('analytics.by.source')}</th>
                {groupBy === 'campaign' && <th scope="col">{t('analytics.by.campaign')}</th>}
                <th scope="col" className="num">{t('analytics.leads')}</th>
                <th scope="col" className="num">{t('analytics.converted')}</th>
                <th scope="col" className="num">{t('analytics.conversion')}</th>
                <th scope="col" className="num">{t('analytics.dealsWon')}</th>
                <th scope="col" className="num">{t('analytics.revenue')}</th>
                <th scope="col" className="num">{t('analytics.cost')}</th>
                <th scope="col" className="num">{t('analytics.costPerLead')}</th>
                <th scope="col" className="num">{t('analytics.costPerAcquisition')}</th>
                <th scope="col" className="num">{t('analytics.roi')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={`${r.source}-${r.campaign}-${i}`}>
                  <td>{sourceName(r.source)}</td>
                  {groupBy === 'campaign' && <td>{r.campaign || '—'}</td>}
                  <td className="num">
                    <Linked route={sourceRoute(r, 'leads')}>{formatNumber(toCount(r.leads))}</Linked>
                  </td>
                  <td className="num">{formatNumber(toCount(r.converted))}</td>
                  <td className="num">{pct(r.conversion) || '—'}</td>
                  <td className="num">
                    <Linked route={typeof r.drilldown === 'object' ? drilldownRoute(r.drilldown?.deals) : null}>{formatNumber(toCount(r.deals_won))}</Linked>
                  </td>
                  <td className="num">{formatSums(r.revenue, false) || '—'}</td>
                  <td className="num">{formatSums(r.cost, false) || '—'}</td>
                  <td className="num">{formatSums(r.cost_per_lead, false) || '—'}</td>
                  <td className="num">{formatSums(r.cost_per_acquisition, false) || '—'}</td>
                  <td className="num">{roiText(r.roi, cur)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Widget>
    </div>
  );
}

// ---------------------------------------------------------------- customers

// The server's segment names (the common 11-segment RFM map), best customers first.
export const SEGMENTS = ['champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cannot_lose', 'hibernating', 'lost'] as const;

function CustomersTab({ filters }: { filters: Filters }) {
  return (
    <div className="an-grid">
      <RfmWidget filters={filters} />
      <ClvWidget filters={filters} />
      <CohortWidget filters={filters} />
    </div>
  );
}

function RfmWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const res = useAnalytics<Rfm>('/analytics/rfm', filters);
  const segments = rowsOf<Rfm['segments'][number]>(res.data, ['segments']);
  const order = (s: string) => {
    const i = (SEGMENTS as readonly string[]).indexOf(s);
    return i < 0 ? SEGMENTS.length : i;
  };
  const sorted = [...segments].sort((a, b) => order(a.segment) - order(b.segment));
  const items: BarItem[] = sorted.map((s) => ({
    key: s.segment,
    label: t(`analytics.segments.${s.segment}`, { defaultValue: s.segment }),
    value: toCount(s.customers),
    display: t('analytics.customers', { count: toCount(s.customers) }),
    note: formatSums(s.revenue),
    to: drilldownRoute(s.drilldown) ?? `/contacts?${new URLSearchParams({ 'filter[rfm_segment]': s.segment }).toString()}`,
    tone: s.segment === 'at_risk' || s.segment === 'cannot_lose' || s.segment === 'lost' ? 'danger' : s.segment === 'champions' || s.segment === 'loyal' ? 'success' : 'accent',
  }));
  return (
    <Widget id="rfm" title={t('analytics.rfm')} loading={res.loading} error={res.error} empty={segments.length === 0} exportPath="/analytics/rfm" exportQuery={filters}>
      <BarChart items={items} title={t('analytics.rfm')} labelWidth={170} />
    </Widget>
  );
}

function monthOf(date: string | undefined): string | undefined {
  return date && /^\d{4}-\d{2}/.test(date) ? date.slice(0, 7) : undefined;
}

function CohortWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const query: Query = { ...filters, from: monthOf(filters.from), to: monthOf(filters.to) };
  const res = useAnalytics<Cohorts>('/analytics/cohorts', query);
  const cohorts = rowsOf<Cohorts['cohorts'][number]>(res.data, ['cohorts']);
  const columns = Math.max(0, ...cohorts.map((c) => c.retention.length));
  const rows = cohorts.map((c) => ({
    key: c.cohort,
    label: c.cohort,
    note: t('analytics.customers', { count: toCount(c.customers) }),
    cells: Array.from({ length: columns }, (_, i) => (i < c.retention.length ? toRatio(c.retention[i]) : null)),
  }));
  // The mean retention curve, weighted by cohort size, over the months every cohort could reach.
  const mean = Array.from({ length: columns }, (_, i) => {
    let n = 0;
    let w = 0;
    for (const c of cohorts) {
      const r = toRatio(c.retention[i]);
      if (r === null) continue;
      n += r * toCount(c.customers);
      w += toCount(c.customers);
    }
    return w > 0 ? n / w : null;
  });
  return (
    <Widget id="cohorts" title={t('analytics.cohorts')} loading={res.loading} error={res.error} empty={cohorts.length === 0} exportPath="/analytics/cohorts" exportQuery={query} wide>
      <div className="stack">
        <div style={{ overflowX: 'auto' }}>
          <Heatmap rows={rows} columns={columns} title={t('analytics.cohorts')} format={(v) => formatPercent(v, 0)} rowLabel={(i) => t('analytics.monthN', { n: i })} />
        </div>
        <h3>{t('analytics.meanRetention')}</h3>
        <LineChart
          categories={Array.from({ length: columns }, (_, i) => t('analytics.monthN', { n: i }))}
          series={[{ key: 'mean', label: t('analytics.meanRetention'), tone: 'accent' }]}
          values={{ mean }}
          title={t('analytics.meanRetention')}
          format={(v) => formatPercent(v, 0)}
        />
      </div>
    </Widget>
  );
}

function clvTop(data: Clv | undefined): ClvCustomer[] {
  return data?.top ?? [];
}

function ClvWidget({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const res = useAnalytics<Clv>('/analytics/clv', filters);
  const [busy, setBusy] = useState(false);
  const canRefit = me.role === 'admin' || me.role === 'manager';
  const refit = async () => {
    setBusy(true);
    try {
      await api.post('/analytics/clv/refit', { model: 'bgnbd', annual_discount_rate: 0.1, horizon_months: 12 });
      await res.reload();
      toast.show(t('analytics.refitted'));
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const top = clvTop(res.data);
  const totals = res.data?.totals ?? {};
  const currency = typeof res.data?.currency === 'string' ? res.data.currency : null;
  const money = (v: unknown, c?: string | null) => (typeof v === 'string' || typeof v === 'number' ? formatMoney(v, c ?? currency) : '—');
  const items: BarItem[] = top.slice(0, 10).map((c) => ({
    key: c.contact_id,
    label: c.name || c.contact_id,
    value: amountLength(c.clv ?? null),
    display: money(c.clv),
    note: c.p_alive !== undefined ? t('analytics.pAliveShort', { value: pct(c.p_alive) }) : undefined,
    to: drilldownRoute(c.drilldown) ?? `/contacts/${c.contact_id}`,
    tone: 'success',
  }));
  const notFitted = !res.data?.fitted_at && top.length === 0;
  return (
    <Widget
      id="clv"
      title={t('analytics.clv')}
      loading={res.loading}
      error={res.error}
      exportPath="/analytics/clv"
      exportQuery={filters}
      actions={
        canRefit && (
          <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void refit()}>
            {t('analytics.refit')}
          </button>
        )
      }
    >
      {notFitted ? (
        <p className="muted">{t('analytics.notFitted')}</p>
      ) : (
        <div className="stack">
          <div className="an-kpis">
            {Object.entries(totals)
              .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
              .slice(0, 4)
              .map(([k, v]) => (
                <Kpi key={k} label={t(`analytics.clvTotals.${k}`, { defaultValue: k })} value={/clv|revenue|spend|value/.test(k) ? money(v) : formatDecimal(toRatio(v), 2)} />
              ))}
          </div>
          <div className="muted" style={{ fontSize: 12 }}>
            {t('analytics.fitted', { model: res.data?.model ?? '', when: formatDateTime(res.data?.fitted_at ?? null), ll: formatDecimal(toRatio(res.data?.log_likelihood), 2) })}
          </div>
          <h3>{t('analytics.topCustomers')}</h3>
          <BarChart items={items} title={t('analytics.topCustomers')} labelWidth={170} />
        </div>
      )}
    </Widget>
  );
}
