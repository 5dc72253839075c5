// Calendar: the user's meetings (by start) and tasks (by due time) in a day or week grid in the
// user's time zone; ?mode=day|week&date=YYYY-MM-DD in the URL. Each hour slot is a button that
// creates a meeting or task there; each item links to its card. A phone opens on the day view.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FieldErrors } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { Activity, Page } from '../api/types';
import { ACTIVITY_ICONS } from '../modules/activities/ActivityComposer';
import { useMe } from '../modules/auth/AuthContext';
import {
  addDays,
  formatYmd,
  parseYmd,
  place,
  rangeOf,
  spanMinutes,
  today,
  visibleDays,
  type CalendarMode,
  type Ymd,
} from '../modules/calendar/calendarMath';
import { formatTime, fromLocalInput, toLocalInput, zonedToUtc } from '../i18n/format';
import { i18n } from '../i18n';
import { Link, useSearchParams } from '../router';
import { Dialog } from '../ui/Dialog';
import { FormErrorBox, SelectField, TextField, errorsOf } from '../ui/Fields';
import { Icon } from '../ui/Icon';
import { Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';

const HOUR_PX = 48;
// One line of text at the item font size: an item lower than two of them shows its subject on one line.
const SHORT_ITEM_PX = 17;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

function narrow(): boolean {
  return typeof window !== 'undefined' && window.matchMedia('(max-width: 640px)').matches;
}

type Item = { activity: Activity; at: string; end?: string | null };

function dayLabel(v: Ymd, long: boolean): string {
  // Noon UTC of the date: the same calendar day in every zone the label could be shown in.
  return new Intl.DateTimeFormat(i18n.language, {
    weekday: long ? 'long' : 'short',
    day: 'numeric',
    month: long ? 'long' : 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(v.y, v.m - 1, v.d, 12)));
}

function hourLabel(h: number): string {
  return formatTime(zonedToUtc(2026, 1, 5, h).toISOString());
}

export default function CalendarPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const mode: CalendarMode = params.get('mode') === 'day' || params.get('mode') === 'week' ? (params.get('mode') as CalendarMode) : narrow() ? 'day' : 'week';
  const date = parseYmd(params.get('date')) ?? today();
  const days = visibleDays(mode, date);
  const { start, end } = rangeOf(days);
  const key = `calendar:${mode}:${formatYmd(days[0] as Ymd)}`;
  const data = useResource<Item[]>(key, async () => {
    const base = { 'filter[assignee_id]': me.id, limit: 500 };
    const [meetings, tasks] = await Promise.all([
      api.get<Page<Activity>>('/activities', {
        ...base,
        'filter[type]': 'meeting',
        'filter[starts_at][gte]': start.toISOString(),
        'filter[starts_at][lt]': end.toISOString(),
        sort: 'starts_at',
      }),
      api.get<Page<Activity>>('/activities', {
        ...base,
        'filter[type]': 'task',
        'filter[due_at][gte]': start.toISOString(),
        'filter[due_at][lt]': end.toISOString(),
        sort: 'due_at',
      }),
    ]);
    return [
      ...meetings.data.filter((a) => a.starts_at).map((a) => ({ activity: a, at: a.starts_at as string, end: (a as { ends_at?: string | null }).ends_at })),
      ...tasks.data.filter((a) => a.due_at).map((a) => ({ activity: a, at: a.due_at as string })),
    ];
  });
  const [slot, setSlot] = useState<{ day: Ymd; hour: number } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 8 * HOUR_PX;
  }, []);

  const go = (changes: { mode?: CalendarMode; date?: Ymd | null }) =>
    setParams({
      mode: changes.mode ?? params.get('mode'),
      date: changes.date === null ? null : formatYmd(changes.date ?? date),
    });
  const step = mode === 'day' ? 1 : 7;
  const todayYmd = today();
  const heading =
    mode === 'day' ? dayLabel(date, true) : `${dayLabel(days[0] as Ymd, false)} – ${dayLabel(days[6] as Ymd, false)}`;

  const byDay = days.map(() => [] as { item: Item; top: number; height: number }[]);
  for (const item of data.data ?? []) {
    const p = place(item.at, days);
    if (p.day < 0) continue;
    const height = (spanMinutes(item.at, item.end, 24 * 60 - p.minutes) / 60) * HOUR_PX;
    byDay[p.day]?.push({ item, top: (p.minutes / 60) * HOUR_PX, height });
  }

  return (
    <div className="page-wide calendar-page">
      <div className="page-head">
        <h1 className="grow">{t('calendar.title')}</h1>
        <div className="segmented" role="group" aria-label={t('calendar.view')}>
          {(['day', 'week'] as const).map((m) => (
            <button key={m} type="button" className="btn btn-sm" aria-pressed={mode === m} onClick={() => go({ mode: m })}>
              {t(`calendar.${m}`)}
            </button>
          ))}
        </div>
      </div>
      <div className="calendar-nav">
        <button type="button" className="btn btn-sm" onClick={() => go({ date: null })}>
          {t('calendar.today')}
        </button>
        <button type="button" className="btn btn-ghost btn-icon" aria-label={t('calendar.previous')} onClick={() => go({ date: addDays(date, -step) })}>
          <Icon name="arrowLeft" size={16} />
        </button>
        <button type="button" className="btn btn-ghost btn-icon" aria-label={t('calendar.next')} onClick={() => go({ date: addDays(date, step) })}>
          <Icon name="chevronRight" size={16} />
        </button>
        <h2 className="calendar-heading" aria-live="polite">
          {heading}
        </h2>
      </div>
      {data.error ? (
        <div className="form-error" role="alert">
          {errorText(t, data.error)}
        </div>
      ) : null}
      <div className="calendar" style={{ ['--days' as string]: days.length }}>
        <div className="calendar-head" aria-hidden="true">
          <span />
          {days.map((d) => (
            <span key={formatYmd(d)} className={formatYmd(d) === formatYmd(todayYmd) ? 'calendar-day-name today' : 'calendar-day-name'}>
              {dayLabel(d, false)}
            </span>
          ))}
        </div>
        <div className="calendar-body" ref={scroller}>
          {data.loading && !data.data && <Spinner label={t('common.loading')} />}
          <div className="calendar-grid" style={{ height: 24 * HOUR_PX }}>
            <div className="calendar-hours" aria-hidden="true">
              {HOURS.map((h) => (
                <span key={h} style={{ top: h * HOUR_PX }}>
                  {hourLabel(h)}
                </span>
              ))}
            </div>
            {days.map((d, i) => (
              <section key={formatYmd(d)} className="calendar-col" aria-label={dayLabel(d, true)} data-date={formatYmd(d)}>
                {HOURS.map((h) => (
                  <button
                    key={h}
                    type="button"
                    className="calendar-slot"
                    style={{ top: h * HOUR_PX, height: HOUR_PX }}
                    aria-label={t('calendar.slot', { time: hourLabel(h), date: dayLabel(d, true) })}
                    onClick={() => setSlot({ day: d, hour: h })}
                  />
                ))}
                {(byDay[i] ?? []).length === 0 && mode === 'day' && !data.loading && <p className="calendar-empty">{t('calendar.nothing')}</p>}
                {(byDay[i] ?? []).map(({ item, top, height }) => (
                  <Link
                    key={item.activity.id}
                    to={`/activities/${item.activity.id}`}
                    className={`calendar-item ${item.activity.type}${item.activity.done ? ' done' : ''}${height < 2 * SHORT_ITEM_PX ? ' short' : ''}`}
                    style={{ top, height }}
                    data-id={item.activity.id}
                  >
                    <Icon name={ACTIVITY_ICONS[item.activity.type] ?? 'task'} size={13} />
                    <time dateTime={item.at}>{formatTime(item.at)}</time> <span>{item.activity.subject ?? ''}</span>
                  </Link>
                ))}
              </section>
            ))}
          </div>
        </div>
      </div>
      {slot && (
        <NewItemDialog
          at={zonedToUtc(slot.day.y, slot.day.m, slot.day.d, slot.hour)}
          onClose={() => setSlot(null)}
          onCreated={() => {
            setSlot(null);
            invalidate('calendar:');
            invalidate('myday');
            invalidate('list:activities');
          }}
        />
      )}
    </div>
  );
}

function NewItemDialog({ at, onClose, onCreated }: { at: Date; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [kind, setKind] = useState<'meeting' | 'task'>('meeting');
  const [subject, setSubject] = useState('');
  const [starts, setStarts] = useState(() => toInput(at));
  const [ends, setEnds] = useState(() => toInput(new Date(at.getTime() + 3600000)));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      const body =
        kind === 'meeting'
          ? { type: 'meeting', subject, starts_at: fromLocalInput(starts), ends_at: fromLocalInput(ends) }
          : { type: 'task', subject, due_at: fromLocalInput(starts) };
      await api.post('/activities', body);
      toast.show(t('records.created', { title: subject }));
      onCreated();
    } catch (e) {
      const errs = errorsOf(e);
      if (errs.due_at) errs.starts_at = errs.due_at;
      setErrors(errs);
      if (!Object.keys(errs).length) toast.show(errorText(t, e), { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('calendar.newTitle')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="calendar-new" className="btn btn-primary" disabled={busy}>
            {t('calendar.create')}
          </button>
        </>
      }
    >
      <form
        id="calendar-new"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <FormErrorBox errors={errors} />
        <SelectField label={t('calendar.kind')} value={kind} onChange={(v) => setKind(v === 'task' ? 'task' : 'meeting')} error={errors.type}>
          <option value="meeting">{t('calendar.meeting')}</option>
          <option value="task">{t('calendar.task')}</option>
        </SelectField>
        <TextField label={t('calendar.subject')} value={subject} onChange={setSubject} error={errors.subject} autoFocus />
        <TextField
          label={kind === 'meeting' ? t('calendar.starts') : t('calendar.due')}
          type="datetime-local"
          value={starts}
          onChange={setStarts}
          error={errors.starts_at}
        />
        {kind === 'meeting' && <TextField label={t('calendar.ends')} type="datetime-local" value={ends} onChange={setEnds} error={errors.ends_at} />}
      </form>
    </Dialog>
  );
}

function toInput(d: Date): string {
  return toLocalInput(d.toISOString());
}
