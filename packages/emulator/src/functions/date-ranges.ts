/**
 * The time ranges behind Dataverse's date query functions (Today, LastXHours, ThisMonth, …).
 * Dataverse evaluates them in the caller's time zone; the emulator has no user settings and uses
 * UTC. Weeks start on Sunday (en-US). Ranges are half-open, [from, to), except those that end now:
 * they include now (stored instants have whole seconds, so a row written this second is in).
 */
export interface DateRange {
  readonly from?: Date;
  readonly to?: Date;
  readonly toInclusive?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function addDays(d: Date, n: number): Date {
  return new Date(d.getTime() + n * DAY);
}

function addMonths(d: Date, n: number): Date {
  return new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + n,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ),
  );
}

function startOfWeek(d: Date): Date {
  return addDays(startOfDay(d), -d.getUTCDay());
}

function startOfMonth(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

function startOfYear(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
}

/** Functions with no parameter besides PropertyName. */
export function fixedRange(name: string, now: Date): DateRange | undefined {
  const today = startOfDay(now);
  switch (name) {
    case "Today":
      return { from: today, to: addDays(today, 1) };
    case "Yesterday":
      return { from: addDays(today, -1), to: today };
    case "Tomorrow":
      return { from: addDays(today, 1), to: addDays(today, 2) };
    case "Last7Days":
      return { from: addDays(today, -7), to: now, toInclusive: true };
    case "Next7Days":
      return { from: now, to: addDays(today, 8) };
    case "ThisWeek":
      return { from: startOfWeek(now), to: addDays(startOfWeek(now), 7) };
    case "LastWeek":
      return { from: addDays(startOfWeek(now), -7), to: startOfWeek(now) };
    case "NextWeek":
      return { from: addDays(startOfWeek(now), 7), to: addDays(startOfWeek(now), 14) };
    case "ThisMonth":
      return { from: startOfMonth(now), to: addMonths(startOfMonth(now), 1) };
    case "LastMonth":
      return { from: addMonths(startOfMonth(now), -1), to: startOfMonth(now) };
    case "NextMonth":
      return { from: addMonths(startOfMonth(now), 1), to: addMonths(startOfMonth(now), 2) };
    case "ThisYear":
      return { from: startOfYear(now), to: addMonths(startOfYear(now), 12) };
    case "LastYear":
      return { from: addMonths(startOfYear(now), -12), to: startOfYear(now) };
    case "NextYear":
      return { from: addMonths(startOfYear(now), 12), to: addMonths(startOfYear(now), 24) };
    default:
      return undefined;
  }
}

/**
 * Functions taking PropertyValue = X: LastX… and NextX… run from (to) now back (on) X units, whole days
 * for day-or-longer units, as Dataverse does; OlderThanX* are everything before now minus X units.
 */
export function countedRange(name: string, x: number, now: Date): DateRange | undefined {
  const today = startOfDay(now);
  const m = /^(Last|Next|OlderThan)X(Hours|Days|Weeks|Months|Years|Minutes)$/.exec(name);
  if (!m) return undefined;
  const [, kind, unit] = m;
  const shift = (d: Date, n: number): Date => {
    switch (unit) {
      case "Minutes":
        return new Date(d.getTime() + n * 60_000);
      case "Hours":
        return new Date(d.getTime() + n * HOUR);
      case "Days":
        return addDays(d, n);
      case "Weeks":
        return addDays(d, 7 * n);
      case "Months":
        return addMonths(d, n);
      default:
        return addMonths(d, 12 * n);
    }
  };
  const exact = unit === "Minutes" || unit === "Hours";
  if (kind === "Last") return { from: exact ? shift(now, -x) : shift(today, -x), to: now, toInclusive: true };
  if (kind === "Next") return { from: now, to: exact ? shift(now, x) : addDays(shift(today, x), 1) };
  return { to: shift(now, -x) };
}

/** The stored text form of an instant (what createdon/modifiedon hold), for comparisons. */
export function storedInstant(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function dayRange(day: Date): DateRange {
  const from = startOfDay(day);
  return { from, to: addDays(from, 1) };
}
