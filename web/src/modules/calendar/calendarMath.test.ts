import { afterEach, describe, expect, test } from 'vitest';
import { setTimeZone } from '../../i18n/format';
import { addDays, formatYmd, parseYmd, place, rangeOf, spanMinutes, visibleDays, weekday } from './calendarMath';

afterEach(() => setTimeZone(null));

describe('calendar arithmetic', () => {
  test('parses and rejects dates', () => {
    expect(parseYmd('2026-11-23')).toEqual({ y: 2026, m: 11, d: 23 });
    expect(parseYmd('2026-02-30')).toBeNull();
    expect(parseYmd('x')).toBeNull();
  });

  test('a week runs Monday to Sunday across a month end', () => {
    const days = visibleDays('week', { y: 2026, m: 12, d: 2 }).map(formatYmd);
    expect(days).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(weekday({ y: 2026, m: 11, d: 29 })).toBe(6);
    expect(formatYmd(addDays({ y: 2024, m: 2, d: 28 }, 1))).toBe('2024-02-29');
  });

  test('bounds and placement follow the user zone, not the browser', () => {
    setTimeZone('Asia/Vladivostok'); // UTC+10, no DST
    const days = visibleDays('day', { y: 2026, m: 11, d: 23 });
    const { start, end } = rangeOf(days);
    expect(start.toISOString()).toBe('2026-11-22T14:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-23T14:00:00.000Z');
    expect(place('2026-11-23T00:30:00Z', days)).toEqual({ day: 0, minutes: 630 });
    expect(place('2026-11-23T14:30:00Z', days).day).toBe(-1);
  });

  test('a DST change keeps the day 23 hours long', () => {
    setTimeZone('Europe/Kyiv');
    const { start, end } = rangeOf(visibleDays('day', { y: 2026, m: 3, d: 29 }));
    expect((end.getTime() - start.getTime()) / 3600000).toBe(23);
  });

  test('spans: meetings their length, at least half an hour, clipped at midnight', () => {
    expect(spanMinutes('2026-01-01T10:00:00Z', '2026-01-01T11:30:00Z', 600)).toBe(90);
    expect(spanMinutes('2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z', 600)).toBe(30);
    expect(spanMinutes('2026-01-01T10:00:00Z', null, 600)).toBe(30);
    expect(spanMinutes('2026-01-01T23:50:00Z', '2026-01-02T01:00:00Z', 10)).toBe(15);
  });
});
