// Record card: fields grouped and edited in place (If-Match; 412 asks to reload), related records,
// one timeline of history and activities with "restore this version", and quick note/call/task.
import { useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, request } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { EntityMeta, FieldMeta, Page, Pipeline, RecordBody } from '../api/types';
import { useMe } from '../modules/auth/AuthContext';
import { FieldInput } from '../modules/records/FieldInput';
import { FieldValue } from '../modules/records/FieldValue';
import { ENTITY_ICONS, fieldValue, recordTitle } from '../modules/records/entities';
import { useMeta, usePipelines } from '../modules/records/hooks';
import { entityLabel, entitySingular, fieldLabel } from '../modules/records/labels';
import { rememberTitle } from '../modules/records/refs';
import { ActivityComposer } from '../modules/activities/ActivityComposer';
import { ContactAnalytics } from '../modules/analytics/ContactAnalytics';
import { Timeline } from '../modules/activities/Timeline';
import { ConvertLeadDialog } from '../modules/sales/ConvertLeadDialog';
import { DealLines } from '../modules/sales/DealLines';
import { DuplicatesPanel } from '../modules/quality/DuplicatesPanel';
import { formatDateTime } from '../i18n/format';
import { Link, navigate } from '../router';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { Avatar, FieldError, Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';

const RELATED: Record<string, { entity: string; field: string }[]> = {
  companies: [
    { entity: 'contacts', field: 'company_id' },
    { entity: 'deals', field: 'company_id' },
    { entity: 'leads', field: 'company_id' },
  ],
  contacts: [
    { entity: 'deals', field: 'contact_id' },
    { entity: 'leads', field: 'contact_id' },
  ],
  products: [],
  deals: [],
  leads: [],
  activities: [],
};

const NOTE_FIELDS = new Set(['notes', 'description', 'loss_reason', 'message']);
const MACHINE_FIELD = /(_e164|_key|_latin)$/;
const HIDE_UNLESS_SET = new Set(['amount_from_lines', 'campaign', 'channel']);
const HIDE_UNLESS_SET_PREFIX = /^utm_/;
const SYSTEM_GROUP = new Set(['owner_id']);

export default function RecordPage({ entity, id }: { entity: string; id: string }) {
  const { t } = useTranslation();
  const meta = useMeta(entity);
  const rec = useResource<RecordBody>(`record:${entity}/${id}`, () => api.get<RecordBody>(`/${entity}/${id}`));
  if (rec.error) {
    const status = isApiError(rec.error) ? rec.error.status : 0;
    return (
      <div className="page">
        <div className="form-error" role="alert">
          {status === 404 ? t('records.notFound') : isApiError(rec.error) ? rec.error.message : String(rec.error)}
        </div>
        <p>
          <Link to={`/${entity}`}>{entityLabel(t, entity)}</Link>
        </p>
      </div>
    );
  }
  if (!meta.data || !rec.data) return <Spinner label={t('common.loading')} />;
  return <RecordView entity={entity} meta={meta.data} record={rec.data} setRecord={(r) => rec.mutate(() => r)} reload={rec.reload} />;
}

type ViewProps = { entity: string; meta: EntityMeta; record: RecordBody; setRecord: (r: RecordBody) => void; reload: () => Promise<unknown> };

function RecordView({ entity, meta, record, setRecord, reload }: ViewProps) {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const [stale, setStale] = useState(false);
  const [converting, setConverting] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const title = recordTitle(record, meta);
  rememberTitle(entity, record.id, title);

  const save = useCallback(
    async (patch: Record<string, unknown>): Promise<Record<string, string> | undefined> => {
      try {
        const res = await request<RecordBody>('PATCH', `/${entity}/${record.id}`, { body: patch, ifMatch: record.version });
        setRecord(res.data);
        invalidate(`history:${entity}/${record.id}`);
        invalidate(`list:${entity}`);
        invalidate('board:');
        return undefined;
      } catch (e) {
        if (isApiError(e) && e.status === 412) {
          setStale(true);
          return { _: t('records.staleWrite') };
        }
        if (isApiError(e)) return Object.keys(e.fieldErrors).length ? e.fieldErrors : { _: e.message };
        return { _: String(e) };
      }
    },
    [entity, record.id, record.version, setRecord, t],
  );

  const remove = async () => {
    setConfirmDelete(false);
    try {
      await api.del(`/${entity}/${record.id}`, { ifMatch: record.version });
      invalidate(`list:${entity}`);
      invalidate('trash');
      invalidate('board:');
      navigate(`/${entity}`);
      toast.show(t('records.deleted', { title }), {
        action: {
          label: t('common.undo'),
          run: () =>
            void api.post(`/${entity}/${record.id}/restore`).then(() => {
              invalidate(`list:${entity}`);
              invalidate('trash');
              navigate(`/${entity}/${record.id}`);
            }),
        },
      });
    } catch (e) {
      if (isApiError(e) && e.status === 412) setStale(true);
      else toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const filled = (f: FieldMeta) => {
    const v = fieldValue(record, f);
    return v !== null && v !== undefined && v !== '' && v !== false && !(Array.isArray(v) && v.length === 0);
  };
  // Computed keys (E.164 copies, matching keys) are for machines; other computed fields show when set.
  const fields = meta.fields.filter((f) => !MACHINE_FIELD.test(f.name) && ((!HIDE_UNLESS_SET.has(f.name) && !HIDE_UNLESS_SET_PREFIX.test(f.name)) || filled(f)));
  const main = fields.filter((f) => !f.custom && !f.read_only && !NOTE_FIELDS.has(f.name) && !SYSTEM_GROUP.has(f.name));
  const custom = fields.filter((f) => f.custom);
  const notes = fields.filter((f) => !f.custom && NOTE_FIELDS.has(f.name) && (f.name !== 'loss_reason' || filled(f)));
  const system = fields.filter((f) => SYSTEM_GROUP.has(f.name) || (f.read_only && !f.custom && filled(f)));

  return (
    <div className="page">
      <div className="crumb">
        <Link to={`/${entity}`}>{entityLabel(t, entity)}</Link>
      </div>
      <div className="record-head">
        <span className="tl-icon note" style={{ width: 44, height: 44 }}>
          <Icon name={ENTITY_ICONS[entity] ?? 'deal'} size={22} />
        </span>
        <div className="grow">
          <h1>{title}</h1>
          <div className="muted" style={{ fontSize: 13 }}>
            {entitySingular(t, entity)} · {t('records.updatedAt', { when: formatDateTime(record.updated_at) })}
          </div>
        </div>
        {entity === 'leads' && (
          <button type="button" className="btn btn-primary" onClick={() => setConverting(true)}>
            <Icon name="convert" size={16} />
            {t('convert.action')}
          </button>
        )}
        <button type="button" className="btn" onClick={() => setConfirmDelete(true)} aria-label={t('common.delete')}>
          <Icon name="trash" size={16} />
          <span className="hide-sm">{t('common.delete')}</span>
        </button>
      </div>
      {stale && (
        <div className="banner" role="alert">
          <Icon name="alert" />
          <span className="grow">{t('records.staleWrite')}</span>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => {
              setStale(false);
              void reload();
              invalidate(`history:${entity}/${record.id}`);
              invalidate(`lines:${record.id}`);
            }}
          >
            {t('records.reload')}
          </button>
        </div>
      )}
      {entity === 'deals' && <StageBar record={record} onMove={(stage_id) => save({ stage_id })} />}
      <div className="record">
        <div className="stack">
          <section className="card" aria-label={t('records.fields')}>
            <FieldGroup title={t('records.groupMain')} fields={main} record={record} save={save} />
            {custom.length > 0 && <FieldGroup title={t('records.groupCustom')} fields={custom} record={record} save={save} />}
            {notes.length > 0 && <FieldGroup title={t('records.groupNotes')} fields={notes} record={record} save={save} />}
            <FieldGroup title={t('records.groupSystem')} fields={system} record={record} save={save}>
              <div className="prop">
                <span className="prop-label">{t('fields.created_at')}</span>
                <span className="prop-value">{formatDateTime(record.created_at)}</span>
              </div>
              <div className="prop">
                <span className="prop-label">{t('fields.updated_at')}</span>
                <span className="prop-value">{formatDateTime(record.updated_at)}</span>
              </div>
            </FieldGroup>
          </section>
          <DuplicatesPanel entity={entity} id={record.id} canMerge={!me.permissions.read_only} />
          {(RELATED[entity] ?? []).map((r) => (
            <Related key={`${r.entity}-${r.field}`} entity={r.entity} field={r.field} id={record.id} />
          ))}
        </div>
        <div className="stack">
          {entity === 'deals' && (
            <DealLines
              deal={record}
              canEdit={!me.permissions.read_only}
              onSaved={() => {
                void reload();
                invalidate(`history:${entity}/${record.id}`);
              }}
              onStale={() => setStale(true)}
            />
          )}
          {entity === 'contacts' && <ContactAnalytics id={record.id} />}
          {entity !== 'activities' && entity !== 'products' && <ActivityComposer relatedEntity={entity} relatedId={record.id} ownerId={me.id} />}
          <Timeline
            entity={entity}
            id={record.id}
            meta={meta}
            version={record.version}
            currency={typeof record.currency === 'string' ? record.currency : null}
            onReverted={(r) => setRecord(r)}
          />
        </div>
      </div>
      {converting && (
        <ConvertLeadDialog
          leadId={record.id}
          title={title}
          dealTitle={typeof record.company_name === 'string' && record.company_name ? record.company_name : title}
          onClose={() => setConverting(false)}
        />
      )}
      {confirmDelete && (
        <Dialog
          title={t('records.deleteTitle', { title })}
          onClose={() => setConfirmDelete(false)}
          footer={
            <>
              <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                {t('common.cancel')}
              </button>
              <button type="button" className="btn btn-danger" onClick={() => void remove()}>
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

type SaveFn = (patch: Record<string, unknown>) => Promise<Record<string, string> | undefined>;

function FieldGroup({ title, fields, record, save, children }: { title: string; fields: FieldMeta[]; record: RecordBody; save: SaveFn; children?: React.ReactNode }) {
  return (
    <div className="field-group">
      <h3>{title}</h3>
      <div style={{ padding: '2px 0 10px' }}>
        {fields.map((f) => (
          <Prop key={f.name} field={f} record={record} save={save} />
        ))}
        {children}
      </div>
    </div>
  );
}

function Prop({ field, record, save }: { field: FieldMeta; record: RecordBody; save: SaveFn }) {
  const { t } = useTranslation();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<unknown>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const label = fieldLabel(t, field);
  const start = () => {
    setValue(fieldValue(record, field));
    setError(undefined);
    setEditing(true);
  };
  const commit = async (v: unknown) => {
    if (busy) return;
    if (JSON.stringify(v ?? null) === JSON.stringify(fieldValue(record, field) ?? null)) {
      setEditing(false);
      return;
    }
    setBusy(true);
    const errs = await save({ [field.name]: v });
    setBusy(false);
    if (!errs) {
      setEditing(false);
      return;
    }
    setError(errs[field.name] ?? errs._ ?? Object.values(errs).join('; '));
  };
  const immediate = ['enum', 'user', 'bool', 'currency'].includes(field.type) || field.name === 'stage_id' || field.name === 'pipeline_id';
  return (
    <div className="prop">
      <span className="prop-label" id={`${id}-l`}>
        {label}
      </span>
      {editing ? (
        <div
          onBlur={(e) => {
            if (!immediate && !e.currentTarget.contains(e.relatedTarget as Node | null)) void commit(value);
          }}
        >
          <FieldInput
            field={field}
            id={id}
            label={label}
            value={value}
            autoFocus
            error={error}
            errorId={`${id}-e`}
            pipelineId={typeof record.pipeline_id === 'string' ? record.pipeline_id : undefined}
            onChange={(v) => {
              setValue(v);
              if (immediate) void commit(v);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setEditing(false);
              if (e.key === 'Enter' && !(e.target instanceof HTMLTextAreaElement)) {
                e.preventDefault();
                void commit(value);
              }
            }}
          />
          <FieldError id={`${id}-e`} message={error} />
        </div>
      ) : field.read_only ? (
        <span className="prop-value">
          <FieldValue field={field} record={record} />
        </span>
      ) : (
        <button type="button" className="prop-value" aria-labelledby={`${id}-l ${id}-v`} onClick={start} title={t('records.clickToEdit')}>
          <span id={`${id}-v`}>
            <FieldValue field={field} record={record} />
          </span>
        </button>
      )}
    </div>
  );
}

function StageBar({ record, onMove }: { record: RecordBody; onMove: (stageId: string) => Promise<unknown> }) {
  const { t } = useTranslation();
  const pipelines = usePipelines();
  const pipeline: Pipeline | undefined = pipelines.data?.find((p) => p.id === record.pipeline_id);
  if (!pipeline) return null;
  const current = pipeline.stages.findIndex((s) => s.id === record.stage_id);
  const open = pipeline.stages.filter((s) => s.kind === 'open');
  return (
    <nav aria-label={t('board.pipeline')} className="row wrap" style={{ gap: 4, marginBottom: 16 }}>
      {open.map((s) => {
        const idx = pipeline.stages.indexOf(s);
        const reached = current >= 0 && idx <= current && pipeline.stages[current]?.kind === 'open';
        return (
          <button
            key={s.id}
            type="button"
            className="btn btn-sm"
            aria-current={s.id === record.stage_id ? 'step' : undefined}
            style={reached ? { background: 'var(--success)', borderColor: 'var(--success)', color: '#fff' } : undefined}
            onClick={() => void onMove(s.id)}
          >
            {s.name}
          </button>
        );
      })}
      {pipeline.stages
        .filter((s) => s.kind !== 'open')
        .map((s) => (
          <span key={s.id} className={s.kind === 'won' ? 'badge badge-success' : 'badge badge-danger'} style={{ opacity: s.id === record.stage_id ? 1 : 0.45 }}>
            {s.name}
          </span>
        ))}
      {record.pipeline_id ? (
        <Link to={`/board?pipeline=${String(record.pipeline_id)}`} className="btn btn-sm btn-ghost">
          <Icon name="board" size={15} />
          {t('nav.board')}
        </Link>
      ) : null}
    </nav>
  );
}

function Related({ entity, field, id }: { entity: string; field: string; id: string }) {
  const { t } = useTranslation();
  const meta = useMeta(entity);
  const hasField = meta.data?.fields.some((f) => f.name === field);
  const list = useResource<Page<RecordBody>>(hasField ? `list:${entity}:related:${field}=${id}` : null, () =>
    api.get<Page<RecordBody>>(`/${entity}`, { [`filter[${field}]`]: id, limit: 20 }),
  );
  if (!hasField || !list.data || list.data.data.length === 0) return null;
  return (
    <section className="card" aria-label={entityLabel(t, entity)}>
      <div className="card-head">
        <Icon name={ENTITY_ICONS[entity] ?? 'deal'} size={16} />
        <h2 className="grow">{entityLabel(t, entity)}</h2>
        <Link to={`/${entity}?filter[${field}]=${encodeURIComponent(id)}`} className="btn btn-ghost btn-sm">
          {t('common.all')}
        </Link>
      </div>
      <ul className="related-list">
        {list.data.data.map((r) => (
          <li key={r.id}>
            <Link to={`/${entity}/${r.id}`}>
              <Avatar name={recordTitle(r, meta.data)} id={r.id} />
              <span className="grow">{recordTitle(r, meta.data)}</span>
              {typeof r.amount === 'string' && <FieldValue field={{ name: 'amount', type: 'money', label: '' }} record={r} />}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
