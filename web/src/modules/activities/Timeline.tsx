// One timeline per record from GET /{entity}/{id}/timeline: notes, calls, meetings, tasks, stage
// moves and field changes (also those of the lead it was converted from), newest first, paged by
// cursor, with a filter and "restore this version" on the record's own earlier versions.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate, useResource } from '../../api/store';
import type { Activity, EntityMeta, FieldMeta, RecordBody } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatRelative } from '../../i18n/format';
import { Icon } from '../../ui/Icon';
import { Spinner } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { StageName } from '../records/FieldValue';
import { usePipelines, useUsers, userName } from '../records/hooks';
import { entitySingular, fieldLabel, optionLabel } from '../records/labels';
import { RefText } from '../records/refs';
import { ACTIVITY_ICONS } from './ActivityComposer';

export type ChangeItem = {
  kind: 'change';
  at: string;
  entity: string;
  record_id: string;
  action: string;
  version: number;
  actor_id: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
};

export type ActivityItem = { kind: 'activity'; at: string; activity: Activity };

export type TimelineItem = ChangeItem | ActivityItem;

export type TimelinePage = { data: TimelineItem[]; next_cursor: string | null };

const PAGE = 50;
// Timestamps the server sets along with a change say nothing the change itself does not.
const DERIVED = new Set(['stage_changed_at', 'won_at', 'lost_at', 'closed_at', 'updated_at', 'amount_from_lines']);
const MACHINE = /(_e164|_key|_latin)$/;

type Filter = 'all' | 'activities' | 'changes';

function ChangeValue({ field, name, value, currency }: { field: FieldMeta | undefined; name: string; value: unknown; currency: string | null }) {
  const { t } = useTranslation();
  const users = useUsers();
  if (value === null || value === undefined || value === '') return <>—</>;
  if (name === 'stage_id') return <StageName id={value} />;
  if (!field) return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
  switch (field.type) {
    case 'user':
      return <>{userName(users.data, value) || String(value)}</>;
    case 'enum':
      return <>{optionLabel(t, field, value)}</>;
    case 'money':
      return <>{formatMoney(String(value), currency)}</>;
    case 'date':
      return <>{formatDate(String(value))}</>;
    case 'datetime':
      return <>{formatDateTime(String(value))}</>;
    case 'bool':
      return <>{value ? t('common.yes') : t('common.no')}</>;
    case 'reference':
      return field.ref_entity ? <RefText entity={field.ref_entity} id={value} /> : <>{String(value)}</>;
    default:
      return <>{Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
  }
}

/** Names of the changed fields worth showing, stage first. */
export function visibleChanges(item: ChangeItem): string[] {
  return Object.keys(item.changes ?? {})
    .filter((k) => !DERIVED.has(k) && !MACHINE.test(k))
    .sort((a, b) => (a === 'stage_id' ? -1 : b === 'stage_id' ? 1 : 0));
}

function durationText(seconds: unknown): string {
  if (typeof seconds !== 'number' || seconds <= 0) return '';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

type Props = { entity: string; id: string; meta: EntityMeta; version: number; currency: string | null; onReverted: (r: RecordBody) => void };

export function Timeline({ entity, id, meta, version, currency, onReverted }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const users = useUsers();
  usePipelines();
  const [filter, setFilter] = useState<Filter>('all');
  const first = useResource<TimelinePage>(`history:${entity}/${id}`, () => api.get<TimelinePage>(`/${entity}/${id}/timeline`, { limit: PAGE }));
  const [more, setMore] = useState<TimelineItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    setMore([]);
    setCursor(first.data?.next_cursor ?? null);
  }, [first.data]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.get<TimelinePage>(`/${entity}/${id}/timeline`, { limit: PAGE, cursor });
      setMore((m) => [...m, ...page.data]);
      setCursor(page.next_cursor);
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    } finally {
      setLoadingMore(false);
    }
  };

  const revert = async (v: number) => {
    try {
      const r = await api.post<RecordBody>(`/${entity}/${id}/revert`, { version: v });
      onReverted(r);
      invalidate(`history:${entity}/${id}`);
      invalidate(`list:${entity}`);
      invalidate('board:');
      toast.show(t('timeline.restored', { version: v }));
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const [optimistic, setOptimistic] = useState<Record<string, boolean>>({});
  const toggleDone = async (a: Activity) => {
    setOptimistic((o) => ({ ...o, [a.id]: !a.done }));
    try {
      await api.patch(`/activities/${a.id}`, { done: !a.done }, { ifMatch: a.version });
      invalidate(`history:${entity}/${id}`);
      invalidate('myday');
    } catch (e) {
      setOptimistic((o) => ({ ...o, [a.id]: Boolean(a.done) }));
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const items = [...(first.data?.data ?? []), ...more].filter((it) => {
    if (filter === 'activities') return it.kind === 'activity';
    if (filter === 'changes') return it.kind === 'change';
    return it.kind === 'activity' || (it.kind === 'change' && (it.action !== 'update' || visibleChanges(it).length > 0));
  });

  return (
    <section className="card" aria-labelledby={`tl-${id}`}>
      <div className="card-head wrap">
        <Icon name="history" size={16} />
        <h2 id={`tl-${id}`} className="grow">
          {t('timeline.title')}
        </h2>
        <div className="segmented" role="group" aria-label={t('timeline.filter')}>
          {(['all', 'activities', 'changes'] as const).map((f) => (
            <button key={f} type="button" aria-pressed={filter === f} onClick={() => setFilter(f)}>
              {t(`timeline.filters.${f}`)}
            </button>
          ))}
        </div>
      </div>
      {first.loading ? (
        <Spinner label={t('common.loading')} />
      ) : first.error ? (
        <div className="card-body form-error" role="alert">
          {errorText(t, first.error)}
        </div>
      ) : (
        <>
          <ol className="timeline">
            {items.map((it) =>
              it.kind === 'activity' ? (
                <ActivityRow key={`a-${it.activity.id}`} item={it} users={users.data} done={optimistic[it.activity.id] ?? Boolean(it.activity.done)} onToggle={() => void toggleDone(it.activity)} />
              ) : (
                <li key={`h-${it.entity}-${it.record_id}-${it.version}`} className="tl-item" data-kind="history" data-version={it.version}>
                  <span className={it.changes.stage_id && it.action === 'update' ? 'tl-icon stage' : 'tl-icon'}>
                    <Icon name={it.action === 'create' ? 'plus' : it.changes.stage_id && it.action === 'update' ? 'board' : it.action === 'update' ? 'edit' : 'restore'} size={16} />
                  </span>
                  <div>
                    <div className="tl-head">
                      <strong>
                        {it.changes.stage_id && it.action === 'update' ? t('timeline.stageChanged') : t(`timeline.actions.${it.action}`, { defaultValue: it.action })}
                      </strong>
                      {it.entity !== entity && <span className="badge">{entitySingular(t, it.entity)}</span>}
                      <span className="muted">{userName(users.data, it.actor_id)}</span>
                      <span className="muted" title={formatDateTime(it.at)}>
                        <time dateTime={it.at}>{formatRelative(it.at)}</time>
                      </span>
                      <span className="badge" id={`tl-${id}-${it.entity}-v${it.version}`}>
                        {t('timeline.version', { version: it.version })}
                      </span>
                      {it.entity === entity && it.version < version && (it.action === 'create' || it.action === 'update' || it.action === 'revert') && (
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void revert(it.version)} aria-describedby={`tl-${id}-${it.entity}-v${it.version}`}>
                          <Icon name="restore" size={14} />
                          {t('timeline.restore')}
                        </button>
                      )}
                    </div>
                    {it.action !== 'create' && visibleChanges(it).length > 0 && (
                      <div className="tl-changes">
                        {visibleChanges(it).map((name) => {
                          const f = it.entity === entity ? meta.fields.find((x) => x.name === name) : undefined;
                          const ch = it.changes[name] as { from: unknown; to: unknown };
                          return (
                            <div key={name}>
                              <span className="muted">{f ? fieldLabel(t, f) : t(`fields.${name}`, { defaultValue: name })}: </span>
                              <span className="from">
                                <ChangeValue field={f} name={name} value={ch.from} currency={currency} />
                              </span>{' '}
                              → <ChangeValue field={f} name={name} value={ch.to} currency={currency} />
                            </div>
                          );
                        })}
                      </div>
                    )}
                  </div>
                </li>
              ),
            )}
            {items.length === 0 && <li className="empty">{t('timeline.empty')}</li>}
          </ol>
          {cursor && (
            <div className="list-foot">
              <button type="button" className="btn btn-sm" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? t('common.loading') : t('timeline.more')}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function ActivityRow({ item, users, done, onToggle }: { item: ActivityItem; users: Parameters<typeof userName>[0]; done: boolean; onToggle: () => void }) {
  const { t } = useTranslation();
  const a = item.activity;
  const planned = a.type === 'task' || a.type === 'meeting';
  const callInfo =
    a.type === 'call'
      ? [a.direction ? optionLabel(t, 'direction', a.direction) : '', durationText(a.duration_seconds), typeof a.result === 'string' ? a.result : ''].filter(Boolean).join(' · ')
      : '';
  return (
    <li className="tl-item" data-kind="activity" data-type={a.type}>
      <span className={`tl-icon ${a.type}`}>
        <Icon name={ACTIVITY_ICONS[a.type] ?? 'note'} size={16} />
      </span>
      <div>
        <div className="tl-head">
          <strong>{t(`activityTypes.${a.type}`, { defaultValue: a.type })}</strong>
          <span className="muted">{userName(users, a.owner_id ?? a.created_by)}</span>
          <span className="muted" title={formatDateTime(item.at)}>
            <time dateTime={item.at}>{formatRelative(item.at)}</time>
          </span>
        </div>
        <div className={done && planned ? 'done-text' : undefined} style={{ whiteSpace: 'pre-wrap' }}>
          {a.body || a.subject}
        </div>
        {callInfo && <div className="muted tl-meta">{callInfo}</div>}
        {planned && (
          <label className="row muted" style={{ marginTop: 4, fontSize: 13 }}>
            <input type="checkbox" className="checkbox" checked={done} onChange={onToggle} />
            {a.due_at || a.starts_at ? t('timeline.due', { when: formatDateTime(a.due_at ?? a.starts_at) }) : t('timeline.markDone')}
          </label>
        )}
      </div>
    </li>
  );
}
