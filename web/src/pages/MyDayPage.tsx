// My day: overdue and today's tasks and today's meetings (GET /my-day), the week ahead, and
// what was done today.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { Activity, MyDay, Page } from '../api/types';
import { ACTIVITY_ICONS } from '../modules/activities/ActivityComposer';
import { useMe } from '../modules/auth/AuthContext';
import { RefLink } from '../modules/records/refs';
import { currentTimeZone, formatDateTime, formatShortDate, formatTime, todayRange } from '../i18n/format';
import { Link } from '../router';
import { Icon } from '../ui/Icon';
import { Empty, Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';

type Day = MyDay & { upcoming: Activity[]; doneToday: Activity[] };

export default function MyDayPage() {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const data = useResource<Day>('myday', async () => {
    const today = todayRange(0);
    const week = todayRange(7);
    const [day, upcoming, done] = await Promise.all([
      api.get<MyDay>('/my-day', { time_zone: currentTimeZone() }),
      api.get<Page<Activity>>('/activities', {
        'filter[assignee_id]': me.id,
        'filter[done]': 'false',
        'filter[due_at][gte]': today.end.toISOString(),
        'filter[due_at][lt]': week.end.toISOString(),
        sort: 'due_at',
        limit: 100,
      }),
      api.get<Page<Activity>>('/activities', {
        'filter[assignee_id]': me.id,
        'filter[done]': 'true',
        'filter[done_at][gte]': today.start.toISOString(),
        sort: '-done_at',
        limit: 50,
      }),
    ]);
    return { ...day, upcoming: upcoming.data, doneToday: done.data.filter((a) => a.type !== 'note') };
  });

  const [optimistic, setOptimistic] = useState<Record<string, boolean>>({});
  const complete = async (a: Activity) => {
    setOptimistic((o) => ({ ...o, [a.id]: !a.done }));
    try {
      await api.patch(`/activities/${a.id}`, { done: !a.done }, { ifMatch: a.version });
      invalidate('myday');
      invalidate('list:activities');
      invalidate('activities:');
      if (!a.done) toast.show(t('myDay.completed', { subject: a.subject ?? '' }));
    } catch (e) {
      setOptimistic((o) => ({ ...o, [a.id]: Boolean(a.done) }));
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };

  if (data.loading) return <Spinner label={t('common.loading')} />;
  if (data.error || !data.data) {
    return (
      <div className="page">
        <div className="form-error" role="alert">
          {errorText(t, data.error)}
        </div>
      </div>
    );
  }
  const { overdue, today, meetings, upcoming, doneToday } = data.data;

  const section = (key: string, title: string, items: Activity[], tone: string, when: (a: Activity) => string) => (
    <section className="card" aria-label={title} data-section={key}>
      <div className="card-head">
        <h2 className="grow">{title}</h2>
        <span className={`badge ${tone}`}>{items.length}</span>
      </div>
      {items.length === 0 ? (
        <div className="empty" style={{ padding: 24 }}>
          {t('myDay.nothing')}
        </div>
      ) : (
        <div>
          {items.map((a) => (
            <div key={a.id} className="task-row" data-activity-id={a.id}>
              <input type="checkbox" className="checkbox" checked={optimistic[a.id] ?? Boolean(a.done)} aria-label={t('myDay.markDone', { subject: a.subject ?? '' })} onChange={() => void complete(a)} />
              <Icon name={ACTIVITY_ICONS[a.type] ?? 'task'} size={16} />
              <div className="grow" style={{ minWidth: 0 }}>
                <Link to={`/activities/${a.id}`} className={optimistic[a.id] ?? a.done ? 'done-text' : undefined} style={{ color: 'var(--text)', fontWeight: 550 }}>
                  {a.subject || t(`activityTypes.${a.type}`, { defaultValue: a.type })}
                </Link>
                {a.related_entity && a.related_id && (
                  <div className="muted" style={{ fontSize: 12.5 }}>
                    <RefLink entity={a.related_entity} id={a.related_id} />
                  </div>
                )}
              </div>
              <span className={tone === 'badge-danger' ? 'nowrap field-error' : 'nowrap muted'} title={formatDateTime(a.due_at ?? a.starts_at)}>
                {when(a)}
              </span>
            </div>
          ))}
        </div>
      )}
    </section>
  );

  const empty = !overdue.length && !today.length && !meetings.length && !upcoming.length && !doneToday.length;
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('myDay.title')}</h1>
        <span className="muted">{t('myDay.summary', { count: overdue.length + today.length + meetings.length })}</span>
      </div>
      {empty ? (
        <Empty icon="day" title={t('myDay.allClear')}>
          <span>{t('myDay.allClearHint')}</span>
        </Empty>
      ) : (
        <div className="day-grid">
          {section('overdue', t('myDay.overdue'), overdue, 'badge-danger', (a) => formatShortDate(a.due_at))}
          {section('today', t('myDay.today'), [...today, ...meetings].sort((a, b) => String(a.due_at ?? a.starts_at).localeCompare(String(b.due_at ?? b.starts_at))), 'badge-accent', (a) => formatTime(a.due_at ?? a.starts_at))}
          {section('upcoming', t('myDay.upcoming'), upcoming, '', (a) => formatShortDate(a.due_at))}
          {section('done', t('myDay.done'), doneToday, 'badge-success', (a) => formatTime(a.done_at))}
        </div>
      )}
    </div>
  );
}
