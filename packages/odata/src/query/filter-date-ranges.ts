import type { RelativeDateOperator } from "./query-plan.ts";

/**
 * FetchXML's calendar operators (today, last-x-days, this-month, on, …) as half-open ranges of
 * instants [start, end). Days are the user's calendar days: `offsetMinutes` is the user's UTC
 * offset (minutes east of UTC), so "today" at 23:30 UTC for a UTC+2 user is tomorrow's date.
 * Date-only columns (Edm.Date) have no time zone, so their ranges are on UTC midnights.
 *
 * Boundaries are day-granular and inclusive of today: last-x-days = the X days before today
 * plus today; next-x-days = today plus the X days after. Weeks start on `weekStart` (0 = Sunday,
 * Dataverse's default).
 */

export interface Clock {
  readonly now: number;
  readonly offsetMinutes: number;
  readonly weekStart: number;
}

const DAY = 86_400_000;

/** Local calendar day number (days since 1970-01-01 in the user's zone). */
function today(clock: Clock): number {
  return Math.floor((clock.now + clock.offsetMinutes * 60_000) / DAY);
}

function ymd(day: number): [number, number, number] {
  const d = new Date(day * DAY);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

function dayOf(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m, d) / DAY);
}

function addMonths(day: number, months: number): number {
  const [y, m, d] = ymd(day);
  return dayOf(y, m + months, d);
}

/** Range of local days [from, to) for a relative operator. */
export function relativeDays(op: RelativeDateOperator, x: number, clock: Clock): [number, number] {
  const t = today(clock);
  const [y, m] = ymd(t);
  const weekStart = t - ((((t + 4) % 7) - clock.weekStart + 7) % 7); // 1970-01-01 was a Thursday (4)
  switch (op) {
    case "today":
      return [t, t + 1];
    case "yesterday":
      return [t - 1, t];
    case "tomorrow":
      return [t + 1, t + 2];
    case "last-seven-days":
      return [t - 7, t + 1];
    case "next-seven-days":
      return [t, t + 8];
    case "last-x-days":
      return [t - x, t + 1];
    case "next-x-days":
      return [t, t + x + 1];
    case "last-x-weeks":
      return [t - 7 * x, t + 1];
    case "next-x-weeks":
      return [t, t + 7 * x + 1];
    case "last-x-months":
      return [addMonths(t, -x), t + 1];
    case "next-x-months":
      return [t, addMonths(t, x) + 1];
    case "last-x-years":
      return [addMonths(t, -12 * x), t + 1];
    case "next-x-years":
      return [t, addMonths(t, 12 * x) + 1];
    case "this-week":
      return [weekStart, weekStart + 7];
    case "last-week":
      return [weekStart - 7, weekStart];
    case "next-week":
      return [weekStart + 7, weekStart + 14];
    case "this-month":
      return [dayOf(y, m, 1), dayOf(y, m + 1, 1)];
    case "last-month":
      return [dayOf(y, m - 1, 1), dayOf(y, m, 1)];
    case "next-month":
      return [dayOf(y, m + 1, 1), dayOf(y, m + 2, 1)];
    case "this-year":
      return [dayOf(y, 0, 1), dayOf(y + 1, 0, 1)];
    case "last-year":
      return [dayOf(y - 1, 0, 1), dayOf(y, 0, 1)];
    case "next-year":
      return [dayOf(y + 1, 0, 1), dayOf(y + 2, 0, 1)];
  }
}

/** The local day a FetchXML `on` value names ("2024-03-01" or a date-time: its date part). */
export function dayOfValue(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return null;
  return dayOf(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Local day numbers → instants; `dateOnly` for Edm.Date columns (no zone shift). */
export function daysToInstants(days: [number, number], clock: Clock, dateOnly: boolean): [number, number] {
  const shift = dateOnly ? 0 : clock.offsetMinutes * 60_000;
  return [days[0] * DAY - shift, days[1] * DAY - shift];
}
