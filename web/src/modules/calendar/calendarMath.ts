// Calendar arithmetic on wall-clock dates in the user's time zone: the days a day/week view
// shows, their UTC bounds, and where an activity sits in the grid.
import { zonedToUtc, zoneParts } from '../../i18n/format';

export type CalendarMode = 'day' | 'week';

/** A calendar date (no time, no zone). */
export type Ymd = { y: number; m: number; d: number };

export function parseYmd(s: string | null | undefined): Ymd | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s ?? '');
  if (!m) return null;
  const v = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  const back = new Date(Date.UTC(v.y, v.m - 1, v.d));
  return back.getUTCMonth() === v.m - 1 && back.getUTCDate() === v.d ? v : null;
}

export function formatYmd(v: Ymd): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${v.y}-${pad(v.m)}-${pad(v.d)}`;
}

/** `v` moved by `days` (calendar arithmetic, no time zone involved). */
export function addDays(v: Ymd, days: number): Ymd {
  const t = new Date(Date.UTC(v.y, v.m - 1, v.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** 0 = Monday … 6 = Sunday. */
export function weekday(v: Ymd): number {
  return (new Date(Date.UTC(v.y, v.m - 1, v.d)).getUTCDay() + 6) % 7;
}

/** Today's date in the user's zone. */
export function today(now = new Date()): Ymd {
  const p = zoneParts(now);
  return { y: p.y, m: p.m, d: p.d };
}

/** The days shown: the date itself, or its week from Monday. */
export function visibleDays(mode: CalendarMode, date: Ymd): Ymd[] {
  if (mode === 'day') return [date];
  const monday = addDays(date, -weekday(date));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** UTC bounds [start, end) of the days, midnight to midnight in the user's zone. */
export function rangeOf(days: Ymd[]): { start: Date; end: Date } {
  const first = days[0] as Ymd;
  const last = addDays(days[days.length - 1] as Ymd, 1);
  return { start: zonedToUtc(first.y, first.m, first.d), end: zonedToUtc(last.y, last.m, last.d) };
}

/** Where an instant falls: the index of its day among `days` (-1 if none) and minutes since midnight. */
export function place(iso: string, days: Ymd[]): { day: number; minutes: number } {
  const p = zoneParts(new Date(iso));
  const day = days.findIndex((d) => d.y === p.y && d.m === p.m && d.d === p.d);
  return { day, minutes: p.h * 60 + p.min };
}

/** Minutes an item occupies in the grid: a meeting its length (at least 30), anything else 30. */
export function spanMinutes(startIso: string, endIso: string | null | undefined, minutesLeft: number): number {
  let span = 30;
  if (endIso) {
    const d = (new Date(endIso).getTime() - new Date(startIso).getTime()) / 60000;
    if (Number.isFinite(d)) span = Math.max(30, d);
  }
  return Math.min(span, Math.max(15, minutesLeft));
}
