// Report builder: an entity, filters, up to two group-by fields and aggregates; run it, save it
// (optionally shared with a team), reopen or export saved reports.
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FieldErrors } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate, useResource } from '../../api/store';
import type { EntityMeta, FieldMeta, RecordBody } from '../../api/types';
import { formatMoney, formatNumber } from '../../i18n/format';
import { Link } from '../../router';
import { errorsOf, FormErrorBox } from '../../ui/Fields';
import { Icon } from '../../ui/Icon';
import { FieldError } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { FieldValue } from '../records/FieldValue';
import { LIST_ENTITIES } from '../records/entities';
import { useMeta, usePipelines, useTeams, useUsers, userName } from '../records/hooks';
import { entityLabel, fieldLabel } from '../records/labels';
import { downloadExport, rowsOf, type SavedReport } from './api';
import { BarChart, type BarItem } from './charts';
import { AGGREGATES, amountLength, drilldownRoute, exportName, parseDefinition, reportQuery, reportTable, type ReportDefinition, type ReportFilter } from './chartMath';
import { Widget } from './Widget';

const OPS = ['eq', 'ne', 'contains', 'starts', 'lt', 'lte', 'gt', 'gte', 'in', 'empty'] as const;
const NUMERIC = new Set(['money', 'integer', 'number']);
const GROUPABLE = new Set(['enum', 'user', 'reference', 'text', 'bool', 'currency', 'date', 'email']);

type Report = { columns: string[]; rows: Record<string, unknown>[] };

const EMPTY: ReportDefinition = { entity: 'deals', group_by: ['owner_id'], aggregate: ['count'], filters: [] };

export default function ReportBuilder() {
  const { t } = useTranslation();
  const toast = useToast();
  const [def, setDef] = useState<ReportDefinition>(EMPTY);
  const [ran, setRan] = useState<{ def: ReportDefinition; report: Report } | null>(null);
  const [runErrors, setRunErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const meta = useMeta(def.entity);
  const saved = useResource<SavedReport[]>('reports', () => api.get<unknown>('/reports', { limit: 200 }).then((r) => rowsOf<SavedReport>(r, ['data'])));

  const run = async (d: ReportDefinition = def) => {
    setRunErrors({});
    setBusy(true);
    try {
      const data = await api.get<unknown>('/analytics/report', reportQuery(d));
      setRan({ def: d, report: reportTable(data) });
    } catch (e) {
      setRunErrors(errorsOf(e));
      setRan(null);
    } finally {
      setBusy(false);
    }
  };

  const open = (r: SavedReport) => {
    const d = parseDefinition(r.definition);
    setDef(d);
    void run(d);
  };

  // A saved report exports by its id, so the file is what the server stored, not the form.
  const exportSaved = async (r: SavedReport, format: 'csv' | 'xlsx') => {
    try {
      await downloadExport('/analytics/report', { report_id: r.id }, format, exportName(r.name ?? '', format));
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const remove = async (r: SavedReport) => {
    try {
      await api.del(`/reports/${r.id}`, r.version ? { ifMatch: r.version } : {});
      invalidate('reports');
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  return (
    <div className="an-grid">
      <section className="card" aria-labelledby="rb-h">
        <div className="card-head">
          <h2 id="rb-h" className="grow">
            {t('reports.builder')}
          </h2>
        </div>
        <form
          className="card-body stack"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            void run();
          }}
        >
          <FormErrorBox errors={runErrors} />
          <DefinitionEditor def={def} meta={meta.data} errors={runErrors} onChange={setDef} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              <Icon name="chart" size={15} />
              {t('reports.run')}
            </button>
          </div>
        </form>
      </section>
      <SavedReports reports={saved.data ?? []} loading={saved.loading} error={saved.error} onOpen={open} onRemove={(r) => void remove(r)} onExport={(r, f) => void exportSaved(r, f)} />
      {ran && <ReportResult def={ran.def} report={ran.report} meta={meta.data} />}
      {ran && <SaveReport def={ran.def} />}
    </div>
  );
}

function DefinitionEditor({ def, meta, errors, onChange }: { def: ReportDefinition; meta?: EntityMeta; errors: FieldErrors; onChange: (d: ReportDefinition) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const fields = meta?.fields ?? [];
  const groupable = fields.filter((f) => GROUPABLE.has(f.type) && !f.name.endsWith('_e164'));
  const numeric = fields.filter((f) => NUMERIC.has(f.type));
  const setGroup = (i: number, v: string) => {
    const g = [...def.group_by];
    g[i] = v;
    onChange({ ...def, group_by: g.filter(Boolean) });
  };
  const setAgg = (i: number, v: string) => onChange({ ...def, aggregate: def.aggregate.map((a, k) => (k === i ? v : a)) });
  const setFilter = (i: number, patch: Partial<ReportFilter>) => onChange({ ...def, filters: def.filters.map((f, k) => (k === i ? { ...f, ...patch } : f)) });
  const err = (key: string) => Object.entries(errors).find(([k]) => k === key || k.startsWith(`${key}[`) || k.startsWith(`${key}.`))?.[1];
  return (
    <div className="stack">
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-entity`}>{t('reports.entity')}</label>
          <select id={`${id}-entity`} className="select" value={def.entity} onChange={(e) => onChange({ ...EMPTY, entity: e.target.value, group_by: [] })}>
            {LIST_ENTITIES.map((e) => (
              <option key={e} value={e}>
                {entityLabel(t, e)}
              </option>
            ))}
          </select>
          <FieldError id={`${id}-entity-e`} message={err('entity')} />
        </div>
        {[0, 1].map((i) => (
          <div className="field" key={i}>
            <label htmlFor={`${id}-g${i}`}>{t('reports.groupBy', { n: i + 1 })}</label>
            <select id={`${id}-g${i}`} className="select" value={def.group_by[i] ?? ''} disabled={i === 1 && !def.group_by[0]} onChange={(e) => setGroup(i, e.target.value)}>
              <option value="">—</option>
              {groupable.map((f) => (
                <option key={f.name} value={f.name}>
                  {fieldLabel(t, f)}
                </option>
              ))}
            </select>
            {i === 0 && <FieldError id={`${id}-g-e`} message={err('group_by')} />}
          </div>
        ))}
      </div>
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="field-label">{t('reports.aggregates')}</legend>
        {def.aggregate.map((a, i) => {
          const [fn, field] = a.split(':');
          return (
            <div className="row wrap" key={i}>
              <select className="select" style={{ width: 'auto' }} aria-label={t('reports.function', { n: i + 1 })} value={fn} onChange={(e) => setAgg(i, e.target.value === 'count' ? 'count' : `${e.target.value}:${field ?? numeric[0]?.name ?? ''}`)}>
                {AGGREGATES.map((g) => (
                  <option key={g} value={g} disabled={g !== 'count' && numeric.length === 0}>
                    {t(`reports.agg.${g}`)}
                  </option>
                ))}
              </select>
              {fn !== 'count' && (
                <select className="select" style={{ width: 'auto' }} aria-label={t('reports.aggField', { n: i + 1 })} value={field ?? ''} onChange={(e) => setAgg(i, `${fn}:${e.target.value}`)}>
                  {numeric.map((f) => (
                    <option key={f.name} value={f.name}>
                      {fieldLabel(t, f)}
                    </option>
                  ))}
                </select>
              )}
              {def.aggregate.length > 1 && (
                <button type="button" className="btn btn-ghost btn-icon" aria-label={t('reports.removeAggregate')} onClick={() => onChange({ ...def, aggregate: def.aggregate.filter((_, k) => k !== i) })}>
                  <Icon name="close" size={15} />
                </button>
              )}
            </div>
          );
        })}
        <FieldError id={`${id}-a-e`} message={err('aggregate')} />
        <div>
          <button type="button" className="btn btn-sm" disabled={numeric.length === 0} onClick={() => onChange({ ...def, aggregate: [...def.aggregate, `sum:${numeric[0]?.name ?? ''}`] })}>
            <Icon name="plus" size={14} />
            {t('reports.addAggregate')}
          </button>
        </div>
      </fieldset>
      <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="field-label">{t('reports.filters')}</legend>
        {def.filters.map((f, i) => (
          <div key={i} className="stack" style={{ gap: 2 }}>
            <div className="row wrap">
              <select className="select" style={{ width: 'auto' }} aria-label={t('list.field')} value={f.field} onChange={(e) => setFilter(i, { field: e.target.value })}>
                {fields.map((x) => (
                  <option key={x.name} value={x.name}>
                    {fieldLabel(t, x)}
                  </option>
                ))}
              </select>
              <select className="select" style={{ width: 'auto' }} aria-label={t('list.operator')} value={f.op} onChange={(e) => setFilter(i, { op: e.target.value })}>
                {OPS.map((o) => (
                  <option key={o} value={o}>
                    {t(`list.ops.${o}`)}
                  </option>
                ))}
              </select>
              <input className="input" style={{ width: 180 }} aria-label={t('list.value')} value={f.value} onChange={(e) => setFilter(i, { value: e.target.value })} />
              <button type="button" className="btn btn-ghost btn-icon" aria-label={t('list.removeFilter', { field: f.field })} onClick={() => onChange({ ...def, filters: def.filters.filter((_, k) => k !== i) })}>
                <Icon name="close" size={15} />
              </button>
            </div>
            <FieldError id={`${id}-f${i}-e`} message={err(`filter[${f.field}]`) ?? err(f.field)} />
          </div>
        ))}
        <div>
          <button type="button" className="btn btn-sm" disabled={fields.length === 0} onClick={() => onChange({ ...def, filters: [...def.filters, { field: fields[0]?.name ?? '', op: 'eq', value: '' }] })}>
            <Icon name="filter" size={14} />
            {t('reports.addFilter')}
          </button>
        </div>
      </fieldset>
    </div>
  );
}

function columnLabel(t: ReturnType<typeof useTranslation>['t'], meta: EntityMeta | undefined, column: string): string {
  const m = /^(count|sum|avg|min|max)(?:[:_](.+))?$/.exec(column);
  const field = (name: string) => meta?.fields.find((f) => f.name === name);
  if (m) {
    const f = m[2] ? field(m[2]) : undefined;
    return m[2] ? t('reports.aggOf', { fn: t(`reports.agg.${m[1] as string}`), field: f ? fieldLabel(t, f) : m[2] }) : t(`reports.agg.${m[1] as string}`);
  }
  const f = field(column);
  return f ? fieldLabel(t, f) : t(`fields.${column}`, { defaultValue: column });
}

function cellText(v: unknown, currency: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([c, x]) => formatMoney(String(x), c))
      .join(' · ');
  }
  if (typeof v === 'string' && typeof currency === 'string' && /^-?\d+\.\d+$/.test(v)) return formatMoney(v, currency);
  if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) return formatNumber(v);
  return String(v);
}

function ReportResult({ def, report, meta }: { def: ReportDefinition; report: Report; meta?: EntityMeta }) {
  const { t } = useTranslation();
  const groupFields = def.group_by.map((g) => meta?.fields.find((f) => f.name === g)).filter((f): f is FieldMeta => Boolean(f));
  const valueColumns = report.columns.filter((c) => !def.group_by.includes(c) && c !== 'currency' && c !== 'drilldown');
  const first = valueColumns[0];
  const groupLabel = (row: Record<string, unknown>) =>
    def.group_by
      .map((g) => {
        const v = row[g];
        return v === null || v === undefined || v === '' ? '—' : String(v);
      })
      .join(' · ');
  const items: BarItem[] = useMemo(
    () =>
      first && def.group_by.length === 1
        ? report.rows.slice(0, 20).map((r, i) => {
            const v = r[first];
            return {
              key: `${i}`,
              label: groupLabel(r),
              value: typeof v === 'object' && v ? amountLength(Object.values(v as Record<string, string>)[0]) : amountLength(v as string),
              display: cellText(v, r.currency),
              to: drilldownRoute(r.drilldown),
            };
          })
        : [],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [report, def],
  );
  const users = useUsers();
  const pipelines = usePipelines();
  // Chart labels are SVG text: names of users, stages and pipelines, and option labels, resolved here.
  const labelOf = (field: FieldMeta | undefined, value: string): string => {
    if (!field || value === '—') return value;
    if (field.type === 'user' || field.name === 'owner_id') return userName(users.data, value) || value;
    if (field.name === 'stage_id') return pipelines.data?.flatMap((p) => p.stages).find((st) => st.id === value)?.name ?? value;
    if (field.name === 'pipeline_id') return pipelines.data?.find((p) => p.id === value)?.name ?? value;
    if (field.type === 'enum' && !field.custom) return t(`options.${field.name}.${value}`, { defaultValue: value });
    if (field.type === 'bool') return value === 'true' ? t('common.yes') : value === 'false' ? t('common.no') : value;
    return value;
  };
  const query = reportQuery(def);
  return (
    <Widget id="report" title={t('reports.result')} loading={false} error={null} empty={report.rows.length === 0} exportPath="/analytics/report" exportQuery={query} wide>
      <div className="stack">
        {items.length > 0 && <BarChart items={items.map((it) => ({ ...it, label: labelOf(groupFields[0], it.label) }))} title={t('reports.result')} />}
        <div style={{ overflowX: 'auto' }}>
          <table className="grid an-table" aria-label={t('reports.result')}>
            <thead>
              <tr>
                {report.columns
                  .filter((c) => c !== 'drilldown')
                  .map((c) => (
                    <th key={c} scope="col" className={def.group_by.includes(c) ? undefined : 'num'}>
                      {columnLabel(t, meta, c)}
                    </th>
                  ))}
              </tr>
            </thead>
            <tbody>
              {report.rows.map((r, i) => (
                <tr key={i}>
                  {report.columns
                    .filter((c) => c !== 'drilldown')
                    .map((c) => {
                      const gf = groupFields.find((f) => f.name === c);
                      if (gf) {
                        return (
                          <td key={c}>
                            <FieldValue field={gf} record={r as RecordBody} />
                          </td>
                        );
                      }
                      const route = c === first ? drilldownRoute(r.drilldown) : null;
                      const text = cellText(r[c], r.currency);
                      return (
                        <td key={c} className={c === 'currency' ? undefined : 'num'}>
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

function SaveReport({ def }: { def: ReportDefinition }) {
  const { t } = useTranslation();
  const toast = useToast();
  const teams = useTeams();
  const id = useId();
  const [name, setName] = useState('');
  const [team, setTeam] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      const body: Record<string, unknown> = { name: name.trim(), definition: def };
      if (team) body.shared_team_id = team;
      await api.post('/reports', body);
      invalidate('reports');
      toast.show(t('reports.saved', { name: name.trim() }));
      setName('');
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <div className="card-head">
        <h2 id={`${id}-h`}>{t('reports.save')}</h2>
      </div>
      <form className="card-body stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-name`}>{t('reports.name')}</label>
            <input id={`${id}-name`} className="input" value={name} aria-invalid={errors.name ? true : undefined} aria-describedby={errors.name ? `${id}-name-e` : undefined} onChange={(e) => setName(e.target.value)} />
            <FieldError id={`${id}-name-e`} message={errors.name ?? errors.definition} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-team`}>{t('reports.shareWith')}</label>
            <select id={`${id}-team`} className="select" value={team} onChange={(e) => setTeam(e.target.value)}>
              <option value="">{t('reports.private')}</option>
              {(teams.data ?? []).map((tm) => (
                <option key={tm.id} value={tm.id}>
                  {tm.name}
                </option>
              ))}
            </select>
            <FieldError id={`${id}-team-e`} message={errors.shared_team_id} />
          </div>
        </div>
        <div>
          <button type="submit" className="btn btn-primary">
            {t('reports.saveButton')}
          </button>
        </div>
      </form>
    </section>
  );
}

function SavedReports({ reports, loading, error, onOpen, onRemove, onExport }: { reports: SavedReport[]; loading: boolean; error: unknown; onOpen: (r: SavedReport) => void; onRemove: (r: SavedReport) => void; onExport: (r: SavedReport, format: 'csv' | 'xlsx') => void }) {
  const { t } = useTranslation();
  const teams = useTeams();
  return (
    <Widget id="saved-reports" title={t('reports.savedTitle')} loading={loading} error={error}>
      {reports.length === 0 ? (
        <p className="muted">{t('reports.none')}</p>
      ) : (
        <ul className="related-list" aria-label={t('reports.savedTitle')}>
          {reports.map((r) => {
            const shared = teams.data?.find((tm) => tm.id === r.shared_team_id)?.name;
            return (
              <li key={r.id} className="task-row" data-report={r.name}>
                <Icon name="chart" size={16} />
                <strong className="grow">{r.name}</strong>
                {shared && <span className="badge">{t('reports.sharedWith', { team: shared })}</span>}
                <button type="button" className="btn btn-sm" onClick={() => onOpen(r)}>
                  {t('reports.open')}
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => onExport(r, 'csv')} aria-label={t('reports.exportNamed', { name: r.name, format: 'CSV' })}>
                  {t('reports.csv')}
                </button>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => onExport(r, 'xlsx')} aria-label={t('reports.exportNamed', { name: r.name, format: 'XLSX' })}>
                  {t('reports.xlsx')}
                </button>
                <button type="button" className="btn btn-ghost btn-icon" aria-label={t('reports.deleteNamed', { name: r.name })} onClick={() => onRemove(r)}>
                  <Icon name="trash" size={15} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Widget>
  );
}
