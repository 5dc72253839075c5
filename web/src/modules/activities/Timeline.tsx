// One timeline per record: its history (every version, with "restore this version") and its
// activities, newest first.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate, useResource } from '../../api/store';
import type { Activity, EntityMeta, FieldMeta, History, HistoryEntry, Page, RecordBody } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatRelative } from '../../i18n/format';
import { Icon } from '../../ui/Icon';
import { Spinner } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { StageName } from '../records/FieldValue';
import { usePipelines, useUsers, userName } from '../records/hooks';
import { fieldLabel, optionLabel } from '../records/labels';
import { RefText } from '../records/refs';
import { ACTIVITY_ICONS } from './ActivityComposer';

type Item = { kind: 'history'; at: string; entry: HistoryEntry } | { kind: 'activity'; at: string; activity: Activity };

function ChangeValue({ field, value }: { field: FieldMeta | undefined; value: unknown }) {
  const { t } = useTranslation();
  const users = useUsers();
  if (value === null || value === undefined || value === '') return <>—</>;
  if (!field) return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
  if (field.name === 'stage_id') return <StageName id={value} />;
  switch (field.type) {
    case 'user':
      return <>{userName(users.data, value) || String(value)}</>;
    case 'enum':
      return <>{optionLabel(t, field, value)}</>;
    case 'money':
      return <>{formatMoney(String(value), null)}</>;
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

export function Timeline({ entity, id, meta, onReverted }: { entity: string; id: string; meta: EntityMeta; onReverted: (r: RecordBody) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const users = useUsers();
  usePipelines();
  const history = useResource<History>(`history:${entity}/${id}`, () => api.get<History>(`/${entity}/${id}/history`));
  const activities = useResource<Activity[]>(`activities:${entity}/${id}`, () =>
    api
      .get<Page<Activity>>('/activities', { 'filter[related_entity]': entity, 'filter[related_id]': id, limit: 200, sort: '-created_at' })
      .then((p) => p.data)
      .catch(() => [] as Activity[]),
  );

  const items: Item[] = [
    ...(history.data?.data ?? []).map((entry): Item => ({ kind: 'history', at: entry.at, entry })),
    ...(activities.data ?? []).map((activity): Item => ({ kind: 'activity', at: activity.created_at ?? '', activity })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));

  const revert = async (version: number) => {
    try {
      const r = await api.post<RecordBody>(`/${entity}/${id}/revert`, { version });
      onReverted(r);
      invalidate(`history:${entity}/${id}`);
      invalidate(`list:${entity}`);
      toast.show(t('timeline.restored', { version }));
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const [optimistic, setOptimistic] = useState<Record<string, boolean>>({});
  const toggleDone = async (a: Activity) => {
    setOptimistic((o) => ({ ...o, [a.id]: !a.done }));
    try {
      await api.patch(`/activities/${a.id}`, { done: !a.done }, { ifMatch: a.version });
      invalidate(`activities:${entity}/${id}`);
      invalidate('myday');
    } catch (e) {
      setOptimistic((o) => ({ ...o, [a.id]: Boolean(a.done) }));
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  const current = history.data?.current_version ?? 0;
  return (
    <section className="card" aria-label={t('timeline.title')}>
      <div className="card-head">
        <Icon name="history" size={16} />
        <h2>{t('timeline.title')}</h2>
      </div>
      {history.loading ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <ol className="timeline">
          {items.map((it) =>
            it.kind === 'activity' ? (
              <li key={`a-${it.activity.id}`} className="tl-item" data-kind="activity">
                <span className={`tl-icon ${it.activity.type}`}>
                  <Icon name={ACTIVITY_ICONS[it.activity.type] ?? 'note'} size={16} />
                </span>
                <div>
                  <div className="tl-head">
                    <strong>{t(`activityTypes.${it.activity.type}`, { defaultValue: it.activity.type })}</strong>
                    <span className="muted">{userName(users.data, it.activity.owner_id ?? it.activity.created_by)}</span>
                    <span className="muted" title={formatDateTime(it.at)}>
                      {formatRelative(it.at)}
                    </span>
                  </div>
                  <div className={it.activity.done && it.activity.type === 'task' ? 'done-text' : undefined} style={{ whiteSpace: 'pre-wrap' }}>
                    {it.activity.body || it.activity.subject}
                  </div>
                  {(it.activity.type === 'task' || it.activity.type === 'meeting') && (
                    <label className="row muted" style={{ marginTop: 4, fontSize: 13 }}>
                      <input type="checkbox" className="checkbox" checked={optimistic[it.activity.id] ?? Boolean(it.activity.done)} onChange={() => void toggleDone(it.activity)} />
                      {it.activity.due_at || it.activity.starts_at
                        ? t('timeline.due', { when: formatDateTime(it.activity.due_at ?? it.activity.starts_at) })
                        : t('timeline.markDone')}
                    </label>
                  )}
                </div>
              </li>
            ) : (
              <li key={`h-${it.entry.version}`} className="tl-item" data-kind="history">
                <span className="tl-icon">
                  <Icon name={it.entry.action === 'create' ? 'plus' : it.entry.action === 'update' ? 'edit' : 'restore'} size={16} />
                </span>
                <div>
                  <div className="tl-head">
                    <strong>{t(`timeline.actions.${it.entry.action}`, { defaultValue: it.entry.action })}</strong>
                    <span className="muted">{userName(users.data, it.entry.actor_id)}</span>
                    <span className="muted" title={formatDateTime(it.at)}>
                      {formatRelative(it.at)}
                    </span>
                    <span className="badge">{t('timeline.version', { version: it.entry.version })}</span>
                    {it.entry.version < current && (it.entry.action === 'create' || it.entry.action === 'update') && (
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => void revert(it.entry.version)}>
                        <Icon name="restore" size={14} />
                        {t('timeline.restore')}
                      </button>
                    )}
                  </div>
                  {Object.keys(it.entry.changes ?? {}).length > 0 && it.entry.action === 'update' && (
                    <div className="tl-changes">
                      {Object.entries(it.entry.changes).map(([name, ch]) => {
                        const f = meta.fields.find((x) => x.name === name);
                        return (
                          <div key={name}>
                            <span className="muted">{f ? fieldLabel(t, f) : name}: </span>
                            <span className="from">
                              <ChangeValue field={f} value={ch.from} />
                            </span>{' '}
                            → <ChangeValue field={f} value={ch.to} />
                          </div>
                        );
                      })}
                    </div>
                  )}
                </div>
              </li>
            ),
          )}
        </ol>
      )}
    </section>
  );
}
