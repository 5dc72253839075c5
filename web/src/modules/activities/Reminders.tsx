// In-app reminders: the user's open tasks and meetings whose reminder time has come (within the
// last week), fetched on navigation and every minute; dismissed ones stay hidden in this browser.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Activity, Page } from '../../api/types';
import { formatRelative } from '../../i18n/format';
import { Link, useLocation } from '../../router';
import { Icon } from '../../ui/Icon';
import { Popover } from '../../ui/Popover';
import { useToast } from '../../ui/Toast';
import { useMe } from '../auth/AuthContext';

const POLL_MS = 60_000;
const WINDOW_MS = 7 * 86_400_000;
const STORE = 'voronka.reminders.dismissed';

type Reminder = Activity & { reminder_at?: string | null };

/** Dismissed reminders by "id@reminder_at": moving the reminder brings it back. */
function dismissedSet(): Set<string> {
  try {
    const v = JSON.parse(localStorage.getItem(STORE) ?? '[]') as unknown;
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

const keyOf = (r: Reminder) => `${r.id}@${r.reminder_at ?? ''}`;

export function Reminders() {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const { pathname } = useLocation();
  const [items, setItems] = useState<Reminder[]>([]);
  const announced = useRef(new Set<string>());

  const load = useCallback(async () => {
    const now = Date.now();
    try {
      const page = await api.get<Page<Reminder>>('/activities', {
        'filter[assignee_id]': me.id,
        'filter[done]': 'false',
        'filter[reminder_at][lte]': new Date(now).toISOString(),
        'filter[reminder_at][gte]': new Date(now - WINDOW_MS).toISOString(),
        sort: '-reminder_at',
        limit: 50,
      });
      const hidden = dismissedSet();
      const due = page.data.filter((r) => !hidden.has(keyOf(r)));
      setItems(due);
      for (const r of due) {
        if (announced.current.has(keyOf(r))) continue;
        announced.current.add(keyOf(r));
        toast.show(`${t('reminders.title')}: ${r.subject ?? ''}`);
      }
    } catch {
      /* reminders are best effort; the next poll tries again */
    }
  }, [me.id, t, toast]);

  useEffect(() => {
    void load();
  }, [load, pathname]);
  useEffect(() => {
    const timer = window.setInterval(() => void load(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const dismiss = (r: Reminder) => {
    const hidden = dismissedSet();
    hidden.add(keyOf(r));
    try {
      localStorage.setItem(STORE, JSON.stringify(Array.from(hidden).slice(-500)));
    } catch {
      /* this session only */
    }
    setItems((list) => list.filter((x) => x.id !== r.id));
  };

  return (
    <Popover
      className="btn btn-ghost btn-icon"
      align="right"
      ariaLabel={items.length ? t('reminders.badge', { count: items.length }) : t('reminders.title')}
      label={
        <>
          <Icon name="bell" />
          {items.length > 0 && <span className="reminder-count">{items.length}</span>}
        </>
      }
    >
      {(close) =>
        items.length === 0 ? (
          <p style={{ padding: 10, margin: 0 }}>{t('reminders.none')}</p>
        ) : (
          <ul className="reminder-list" aria-label={t('reminders.title')}>
            {items.map((r) => (
              <li key={r.id} data-id={r.id}>
                <Link to={`/activities/${r.id}`} onClick={close}>
                  {r.subject ?? ''}
                  <small>{t('reminders.due', { when: formatRelative(r.type === 'meeting' ? r.starts_at : r.due_at ?? r.reminder_at) })}</small>
                </Link>
                <button type="button" className="btn btn-ghost btn-sm" aria-label={t('reminders.dismissNamed', { subject: r.subject ?? '' })} onClick={() => dismiss(r)}>
                  {t('reminders.dismiss')}
                </button>
              </li>
            ))}
          </ul>
        )
      }
    </Popover>
  );
}
