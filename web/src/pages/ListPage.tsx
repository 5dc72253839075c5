// List view of any entity: sortable columns of your choice, filters on any field (custom ones too)
// kept in the URL, infinite scroll by cursor, inline edit with If-Match, bulk assign and delete.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type Query } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { BatchOperation, BatchResult, EntityMeta, FieldMeta, Page, RecordBody } from '../api/types';
import { ACTIVITY_ICONS } from '../modules/activities/ActivityComposer';
import { FieldInput } from '../modules/records/FieldInput';
import { FieldValue } from '../modules/records/FieldValue';
import { NewRecordDialog } from '../modules/records/RecordForm';
import { SavedViews } from '../modules/records/SavedViews';
import { defaultColumns, ENTITY_ICONS, fieldValue, recordTitle } from '../modules/records/entities';
import { useMeta, usePipelines, useUsers } from '../modules/records/hooks';
import { entityLabel, fieldLabel, optionLabel } from '../modules/records/labels';
import { Link, useLocation, useSearchParams } from '../router';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { Avatar, Empty, FieldError, Spinner } from '../ui/Misc';
import { Popover } from '../ui/Popover';
import { useToast } from '../ui/Toast';

const PAGE = 50;
const PEOPLE = new Set(['contacts', 'leads', 'companies']);

export const OPS = ['eq', 'ne', 'contains', 'starts', 'lt', 'lte', 'gt', 'gte', 'in', 'empty'] as const;

type Filter = { field: string; op: string; value: string };

function parseFilters(params: URLSearchParams): Filter[] {
  const out: Filter[] = [];
  for (const [k, v] of params) {
    const m = /^filter\[([^\]]+)\](?:\[([a-z]+)\])?$/.exec(k);
    if (m) out.push({ field: m[1] as string, op: m[2] ?? 'eq', value: v });
  }
  return out;
}

function filterKey(f: { field: string; op: string }): string {
  return f.op === 'eq' ? `filter[${f.field}]` : `filter[${f.field}][${f.op}]`;
}

const SYSTEM_FIELDS: FieldMeta[] = [
  { name: 'created_at', type: 'datetime', label: 'Created', read_only: true },
  { name: 'updated_at', type: 'datetime', label: 'Updated', read_only: true },
];

function columnsKey(entity: string): string {
  return `voronka.cols.${entity}`;
}

function loadColumns(entity: string, meta: EntityMeta): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(columnsKey(entity)) ?? 'null') as unknown;
    if (Array.isArray(saved)) {
      const names = new Set([...meta.fields, ...SYSTEM_FIELDS].map((f) => f.name));
      const cols = saved.filter((c): c is string => typeof c === 'string' && names.has(c));
      if (cols.length) return cols;
    }
  } catch {
    /* defaults */
  }
  return defaultColumns(entity, meta);
}

export default function ListPage({ entity }: { entity: string }) {
  const { t } = useTranslation();
  const meta = useMeta(entity);
  if (meta.error) {
    return (
      <div className="page">
        <div className="form-error" role="alert">
          {errorText(t, meta.error)}
        </div>
      </div>
    );
  }
  if (!meta.data) return <Spinner label={t('common.loading')} />;
  return <ListView entity={entity} meta={meta.data} />;
}

function ListView({ entity, meta }: { entity: string; meta: EntityMeta }) {
  const { t } = useTranslation();
  const toast = useToast();
  const { search } = useLocation();
  const [params, setParams] = useSearchParams();
  const filters = parseFilters(params);
  const sort = params.get('sort') ?? '';
  const allFields = useMemo(() => [...meta.fields, ...SYSTEM_FIELDS], [meta]);
  const [columns, setColumns] = useState<string[]>(() => loadColumns(entity, meta));
  const colFields = columns.map((c) => allFields.find((f) => f.name === c)).filter((f): f is FieldMeta => Boolean(f));
  const users = useUsers();
  const pipelines = usePipelines();

  const query: Query = {};
  for (const f of filters) query[filterKey(f)] = f.value;
  if (sort) query.sort = sort;
  const queryKey = JSON.stringify(query);
  const first = useResource<Page<RecordBody>>(`list:${entity}:${queryKey}`, () => api.get<Page<RecordBody>>(`/${entity}`, { ...query, limit: PAGE }));
  const [rows, setRows] = useState<RecordBody[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<{ id: string; field: string } | null>(null);
  const [creating, setCreating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!first.data) return;
    setRows(first.data.data);
    setCursor(first.data.next_cursor);
  }, [first.data]);
  useEffect(() => setSelected(new Set()), [queryKey]);

  const loadMore = useCallback(async () => {
    if (!cursor || more) return;
    setMore(true);
    try {
      const page = await api.get<Page<RecordBody>>(`/${entity}`, { ...JSON.parse(queryKey), limit: PAGE, cursor });
      setRows((r) => {
        const seen = new Set(r.map((x) => x.id));
        return [...r, ...page.data.filter((x) => !seen.has(x.id))];
      });
      setCursor(page.next_cursor);
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
      setCursor(null);
    } finally {
      setMore(false);
    }
  }, [cursor, more, entity, queryKey, toast]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el) return undefined;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore(), { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [loadMore]);

  const saveColumns = (cols: string[]) => {
    setColumns(cols);
    try {
      localStorage.setItem(columnsKey(entity), JSON.stringify(cols));
    } catch {
      /* this session only */
    }
  };

  const sortDir = (name: string) => (sort === name ? 'ascending' : sort === `-${name}` ? 'descending' : 'none');
  const sortIcon = (name: string) =>
    sort === name ? <Icon name="chevronUp" size={13} /> : sort === `-${name}` ? <Icon name="chevronDown" size={13} /> : null;
  const toggleSort = (name: string) => {
    const next = sort === name ? `-${name}` : sort === `-${name}` ? null : name;
    setParams({ sort: next });
  };

  const saveCell = async (row: RecordBody, field: FieldMeta, value: unknown) => {
    const before = fieldValue(row, field);
    if (JSON.stringify(before ?? null) === JSON.stringify(value ?? null)) {
      setEditing(null);
      return undefined;
    }
    try {
      const updated = await api.patch<RecordBody>(`/${entity}/${row.id}`, { [field.name]: value }, { ifMatch: row.version });
      setRows((rs) => rs.map((r) => (r.id === row.id ? updated : r)));
      setEditing(null);
      invalidate(`record:${entity}/${row.id}`);
      return undefined;
    } catch (e) {
      if (isApiError(e) && e.status === 412) {
        toast.show(t('records.staleWrite'), {
          kind: 'error',
          action: {
            label: t('records.reload'),
            run: () => void api.get<RecordBody>(`/${entity}/${row.id}`).then((fresh) => setRows((rs) => rs.map((r) => (r.id === row.id ? fresh : r)))),
          },
        });
        setEditing(null);
        return undefined;
      }
      if (isApiError(e)) return e.fieldErrors[field.name] ?? e.message;
      return String(e);
    }
  };

  const runBatch = async (ops: BatchOperation[]) => {
    for (let i = 0; i < ops.length; i += 100) {
      await api.post<BatchResult>('/batch', { operations: ops.slice(i, i + 100) });
    }
  };

  const bulkAssign = async (owner: string) => {
    const ids = Array.from(selected);
    try {
      await runBatch(ids.map((id) => ({ method: 'PATCH', path: `/api/v1/${entity}/${id}`, body: { owner_id: owner } })));
      toast.show(t('list.assigned', { count: ids.length }));
      setSelected(new Set());
      void first.reload();
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const bulkDelete = async () => {
    const ids = Array.from(selected);
    setConfirmDelete(false);
    try {
      await runBatch(ids.map((id) => ({ method: 'DELETE', path: `/api/v1/${entity}/${id}` })));
      setRows((rs) => rs.filter((r) => !selected.has(r.id)));
      setSelected(new Set());
      invalidate('trash');
      toast.show(t('list.deleted', { count: ids.length }), {
        action: {
          label: t('common.undo'),
          run: () =>
            void runBatch(ids.map((id) => ({ method: 'POST', path: `/api/v1/${entity}/${id}/restore` }))).then(() => {
              void first.reload();
              invalidate('trash');
            }),
        },
      });
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const newInitial: Record<string, unknown> = {};
  if (entity === 'deals' && pipelines.data?.[0]) {
    newInitial.pipeline_id = pipelines.data[0].id;
    newInitial.stage_id = pipelines.data[0].stages[0]?.id;
  }
  if (entity === 'activities') newInitial.type = 'task';

  return (
    <div className="page-wide">
      <div className="page-head">
        <h1>{entityLabel(t, entity)}</h1>
        <FilterMenu fields={allFields} onAdd={(f) => setParams({ [filterKey(f)]: f.value })} />
        <ColumnMenu fields={allFields} columns={columns} onChange={saveColumns} />
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
          <Icon name="plus" size={16} />
          {t(`entityNew.${entity}`)}
        </button>
      </div>
      <SavedViews entity={entity} columns={columns} onColumns={saveColumns} />
      {filters.length > 0 && (
        <div className="chips" aria-label={t('list.activeFilters')}>
          {filters.map((f) => {
            const field = allFields.find((x) => x.name === f.field || `custom.${x.name}` === f.field);
            const label = field ? fieldLabel(t, field) : f.field;
            const value =
              field?.type === 'enum'
                ? optionLabel(t, field, f.value)
                : field?.type === 'user'
                  ? users.data?.find((u) => u.id === f.value)?.name ?? f.value
                  : f.value;
            return (
              <span key={filterKey(f)} className="chip">
                {label} {t(`list.ops.${f.op}`)} {f.op === 'empty' ? '' : `«${value}»`}
                <button type="button" aria-label={t('list.removeFilter', { field: label })} onClick={() => setParams({ [filterKey(f)]: null })}>
                  <Icon name="close" size={12} />
                </button>
              </span>
            );
          })}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setParams(Object.fromEntries(filters.map((f) => [filterKey(f), null])))}>
            {t('list.clearFilters')}
          </button>
        </div>
      )}
      {selected.size > 0 && (
        <div className="bulk-bar" role="region" aria-label={t('list.bulkActions')}>
          <span>{t('list.selected', { count: selected.size })}</span>
          <span className="grow" />
          <label className="sr-only" htmlFor="bulk-owner">
            {t('list.assignTo')}
          </label>
          <select id="bulk-owner" className="select" style={{ width: 'auto', height: 30 }} value="" onChange={(e) => e.target.value && void bulkAssign(e.target.value)}>
            <option value="">{t('list.assignTo')}</option>
            {(users.data ?? [])
              .filter((u) => u.active)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.email}
                </option>
              ))}
          </select>
          <button type="button" className="btn btn-sm btn-danger" onClick={() => setConfirmDelete(true)}>
            <Icon name="trash" size={15} />
            {t('common.delete')}
          </button>
        </div>
      )}
      <div className="table-wrap" style={{ marginBottom: 16 }}>
        {first.loading ? (
          <Spinner label={t('common.loading')} />
        ) : first.error ? (
          <div className="form-error" role="alert" style={{ margin: 12 }}>
            {isApiError(first.error) ? Object.values(first.error.fieldErrors).join('; ') || first.error.message : String(first.error)}
          </div>
        ) : rows.length === 0 ? (
          <Empty icon={ENTITY_ICONS[entity] ?? 'deal'} title={search.includes('filter') ? t('list.nothingFound') : t('list.empty')} />
        ) : (
          <table className="grid" aria-label={entityLabel(t, entity)}>
            <thead>
              <tr>
                <th className="check">
                  <input
                    type="checkbox"
                    className="checkbox"
                    aria-label={t('list.selectAll')}
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
                  />
                </th>
                <th scope="col" aria-sort={sortDir(meta.title_fields[0] ?? '')}>
                  <button type="button" onClick={() => toggleSort(meta.title_fields[0] ?? 'updated_at')}>
                    {t('list.name')}
                    {sortIcon(meta.title_fields[0] ?? '')}
                  </button>
                </th>
                {colFields.map((f) => {
                  const dir = sort === f.name ? 'ascending' : sort === `-${f.name}` ? 'descending' : undefined;
                  return (
                    <th key={f.name} aria-sort={dir ?? 'none'} scope="col">
                      <button type="button" onClick={() => toggleSort(f.name)}>
                        {fieldLabel(t, f)}
                        {dir && <Icon name={dir === 'ascending' ? 'chevronUp' : 'chevronDown'} size={13} />}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} className={selected.has(row.id) ? 'selected' : undefined} data-id={row.id}>
                  <td className="check">
                    <input
                      type="checkbox"
                      className="checkbox"
                      aria-label={t('list.selectRow', { title: recordTitle(row, meta) })}
                      checked={selected.has(row.id)}
                      onChange={() =>
                        setSelected((s) => {
                          const n = new Set(s);
                          if (n.has(row.id)) n.delete(row.id);
                          else n.add(row.id);
                          return n;
                        })
                      }
                    />
                  </td>
                  <td className="title-cell">
                    <Link to={`/${entity}/${row.id}`}>
                      {PEOPLE.has(entity) ? (
                        <Avatar name={recordTitle(row, meta)} id={row.id} />
                      ) : (
                        <Icon name={entity === 'activities' ? ACTIVITY_ICONS[String(row.type)] ?? 'task' : ENTITY_ICONS[entity] ?? 'deal'} size={16} />
                      )}
                      <span>{recordTitle(row, meta)}</span>
                    </Link>
                  </td>
                  {colFields.map((f) =>
                    editing?.id === row.id && editing.field === f.name ? (
                      <EditCell key={f.name} row={row} field={f} onCancel={() => setEditing(null)} onSave={(v) => saveCell(row, f, v)} />
                    ) : (
                      <td
                        key={f.name}
                        className={f.read_only ? undefined : 'editable'}
                        tabIndex={f.read_only ? undefined : 0}
                        title={f.read_only ? undefined : t('list.editHint')}
                        onDoubleClick={() => !f.read_only && setEditing({ id: row.id, field: f.name })}
                        onKeyDown={(e) => {
                          if (!f.read_only && (e.key === 'Enter' || e.key === 'F2') && e.target === e.currentTarget) {
                            e.preventDefault();
                            setEditing({ id: row.id, field: f.name });
                          }
                        }}
                      >
                        <FieldValue field={f} record={row} />
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div ref={sentinel} className="list-foot">
          {more ? t('common.loading') : rows.length > 0 && !cursor ? t('list.shown', { count: rows.length }) : ''}
        </div>
      </div>
      {creating && (
        <NewRecordDialog
          entity={entity}
          initial={newInitial}
          onClose={() => setCreating(false)}
          onCreated={(r) => {
            setRows((rs) => [r, ...rs.filter((x) => x.id !== r.id)]);
            toast.show(t('records.created', { title: recordTitle(r, meta) }));
          }}
        />
      )}
      {confirmDelete && (
        <Dialog
          title={t('list.deleteTitle', { count: selected.size })}
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void bulkDelete()}>
                {t('common.delete')}
              </button>
            </>
          }
        >
          <p>{t('list.deleteExplain')}</p>
        </Dialog>
      )}
    </div>
  );
}

function EditCell({ row, field, onCancel, onSave }: { row: RecordBody; field: FieldMeta; onCancel: () => void; onSave: (v: unknown) => Promise<string | undefined> }) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState<unknown>(fieldValue(row, field));
  const [error, setError] = useState<string>();
  const saving = useRef(false);
  const save = async (v: unknown) => {
    if (saving.current) return;
    saving.current = true;
    const err = await onSave(v);
    saving.current = false;
    setError(err);
  };
  const immediate = field.type === 'enum' || field.type === 'user' || field.type === 'bool' || field.type === 'currency' || field.name === 'stage_id';
  return (
    <td className="editing">
      <div
        onBlur={(e) => {
          if (!immediate && !e.currentTarget.contains(e.relatedTarget as Node | null)) void save(value);
        }}
      >
        <FieldInput
          field={field}
          id={id}
          label={fieldLabel(t, field)}
          value={value}
          autoFocus
          error={error}
          errorId={`${id}-e`}
          pipelineId={typeof row.pipeline_id === 'string' ? row.pipeline_id : undefined}
          onChange={(v) => {
            setValue(v);
            if (immediate) void save(v);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onCancel();
            if (e.key === 'Enter' && !(e.target instanceof HTMLTextAreaElement)) {
              e.preventDefault();
              void save(value);
            }
          }}
        />
        <FieldError id={`${id}-e`} message={error} />
      </div>
    </td>
  );
}

function FilterMenu({ fields, onAdd }: { fields: FieldMeta[]; onAdd: (f: Filter) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState(fields[0]?.name ?? '');
  const field = fields.find((f) => f.name === name);
  const textual = field && ['text', 'email', 'phone', 'url'].includes(field.type);
  const [op, setOp] = useState<string>('eq');
  const [value, setValue] = useState<unknown>('');
  useEffect(() => {
    setOp(textual ? 'contains' : 'eq');
    setValue(field?.type === 'bool' ? false : '');
  }, [name]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Popover
      label={
        <>
          <Icon name="filter" size={16} />
          <span className="hide-sm">{t('list.filter')}</span>
        </>
      }
      ariaLabel={t('list.filter')}
    >
      {(close) => (
        <form
          className="stack"
          style={{ width: 280, padding: 6 }}
          onSubmit={(e) => {
            e.preventDefault();
            if (!field) return;
            const param = field.custom ? `custom.${field.name}` : field.name;
            const v = op === 'empty' ? 'true' : Array.isArray(value) ? value.join(',') : String(value ?? '');
            onAdd({ field: param, op, value: v });
            close();
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-f`}>{t('list.field')}</label>
            <select id={`${id}-f`} className="select" value={name} onChange={(e) => setName(e.target.value)}>
              {fields.map((f) => (
                <option key={f.name} value={f.name}>
                  {fieldLabel(t, f)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-op`}>{t('list.operator')}</label>
            <select id={`${id}-op`} className="select" value={op} onChange={(e) => setOp(e.target.value)}>
              {OPS.map((o) => (
                <option key={o} value={o}>
                  {t(`list.ops.${o}`)}
                </option>
              ))}
            </select>
          </div>
          {op !== 'empty' && field && (
            <div className="field">
              <label htmlFor={`${id}-v`}>{t('list.value')}</label>
              {op === 'contains' || op === 'starts' || op === 'in' || field.type === 'reference' ? (
                <input id={`${id}-v`} className="input" value={String(value ?? '')} onChange={(e) => setValue(e.target.value)} />
              ) : (
                <FieldInput field={{ ...field, read_only: false }} id={`${id}-v`} value={value} onChange={setValue} />
              )}
            </div>
          )}
          <button type="submit" className="btn btn-primary">
            {t('list.apply')}
          </button>
        </form>
      )}
    </Popover>
  );
}

function ColumnMenu({ fields, columns, onChange }: { fields: FieldMeta[]; columns: string[]; onChange: (c: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <Popover
      label={
        <>
          <Icon name="columns" size={16} />
          <span className="hide-sm">{t('list.columns')}</span>
        </>
      }
      ariaLabel={t('list.columns')}
      align="right"
    >
      {() => (
        <fieldset style={{ border: 0, margin: 0, padding: 4, maxHeight: 360, overflowY: 'auto', minWidth: 220 }}>
          <legend className="field-label" style={{ padding: '4px 6px' }}>
            {t('list.chooseColumns')}
          </legend>
          {fields.map((f) => (
            <label key={f.name} className="menu-item">
              <input
                type="checkbox"
                className="checkbox"
                checked={columns.includes(f.name)}
                onChange={(e) => onChange(e.target.checked ? [...columns, f.name] : columns.filter((c) => c !== f.name))}
              />
              {fieldLabel(t, f)}
            </label>
          ))}
        </fieldset>
      )}
    </Popover>
  );
}
