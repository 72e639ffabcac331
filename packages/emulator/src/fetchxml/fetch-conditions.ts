import type { EdmType, EntityMetadata } from "@xrm-offline/metadata";
import { EMULATOR_CALLER } from "../functions/caller.ts";
import { countedRange, type DateRange, dayRange, fixedRange } from "../functions/date-ranges.ts";
import { normalizeDateTime } from "../write/coerce-value.ts";
import type { FetchCondition } from "./fetch-query.ts";
import { invalidFetch } from "./parse-fetch-xml.ts";

const NUMERIC = /^Edm\.(Byte|Int16|Int32|Int64|Decimal|Double|Single)$/;

/** FetchXML date operators → the query-function ranges they share (functions/date-ranges.ts). */
const FIXED: Readonly<Record<string, string>> = {
  today: "Today",
  yesterday: "Yesterday",
  tomorrow: "Tomorrow",
  "last-seven-days": "Last7Days",
  "next-seven-days": "Next7Days",
  "this-week": "ThisWeek",
  "last-week": "LastWeek",
  "next-week": "NextWeek",
  "this-month": "ThisMonth",
  "last-month": "LastMonth",
  "next-month": "NextMonth",
  "this-year": "ThisYear",
  "last-year": "LastYear",
  "next-year": "NextYear",
};

function countedName(operator: string): string | undefined {
  const m = /^(last|next|olderthan)-x-(minutes|hours|days|weeks|months|years)$/.exec(operator);
  if (!m) return undefined;
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return `${m[1] === "olderthan" ? "OlderThan" : cap(m[1]!)}X${cap(m[2]!)}`;
}

/** A condition value (text) in the form the stored value of a column of `type` compares with. */
function typed(type: EdmType, text: string, attribute: string): unknown {
  if (NUMERIC.test(type)) {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n))
      invalidFetch(`The value '${text}' is not valid for the number attribute '${attribute}'.`);
    return n;
  }
  if (type === "Edm.Boolean") {
    if (!["0", "1", "true", "false"].includes(text))
      invalidFetch(`The value '${text}' is not valid for the boolean attribute '${attribute}'.`);
    return text === "1" || text === "true";
  }
  if (type === "Edm.Guid") {
    const g = text.replace(/^\{|\}$/g, "").toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g))
      invalidFetch(`The value '${text}' is not a valid GUID for '${attribute}'.`);
    return g;
  }
  if (type === "Edm.DateTimeOffset") {
    const d = normalizeDateTime(text.trim());
    if (d === undefined) invalidFetch(`The value '${text}' is not a valid date for '${attribute}'.`);
    return d;
  }
  return text;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "boolean" || typeof b === "boolean") return Number(a) - Number(b);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** SQL Server LIKE: `%` any run, `_` one character, `[…]` a set; case-insensitive. */
function likeRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "%") re += ".*";
    else if (ch === "_") re += ".";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "is");
}

function inRange(value: unknown, r: DateRange): boolean {
  if (typeof value !== "string") return false;
  const t = Date.parse(value);
  if (r.from && t < r.from.getTime()) return false;
  if (r.to && (r.toInclusive ? t > r.to.getTime() : t >= r.to.getTime())) return false;
  return true;
}

/**
 * Whether a column value meets a FetchXML condition. Comparisons follow SQL Server: strings are
 * case-insensitive, and a null value meets only `null` (and the negated `not-null` fails).
 */
export function meetsCondition(
  entity: EntityMetadata,
  type: EdmType,
  value: unknown,
  cond: FetchCondition,
  now: Date,
): boolean {
  const op = cond.operator;
  const one = (): unknown => {
    const text = cond.value ?? cond.values[0];
    if (text === undefined) invalidFetch(`The condition operator '${op}' needs a value.`);
    return typed(type, text, cond.attribute);
  };
  const many = (): unknown[] => {
    const texts = cond.values.length > 0 ? cond.values : cond.value !== undefined ? [cond.value] : [];
    if (texts.length === 0) invalidFetch(`The condition operator '${op}' needs values.`);
    return texts.map((t) => typed(type, t, cond.attribute));
  };
  if (op === "null") return value === null || value === undefined;
  if (op === "not-null") return value !== null && value !== undefined;
  if (value === null || value === undefined) return false;
  switch (op) {
    case "eq":
      return compare(value, one()) === 0;
    case "ne":
    case "neq":
      return compare(value, one()) !== 0;
    case "gt":
      return compare(value, one()) > 0;
    case "ge":
      return compare(value, one()) >= 0;
    case "lt":
      return compare(value, one()) < 0;
    case "le":
      return compare(value, one()) <= 0;
    case "like":
    case "not-like":
    case "begins-with":
    case "not-begin-with":
    case "ends-with":
    case "not-end-with": {
      const text = cond.value ?? cond.values[0];
      if (text === undefined) invalidFetch(`The condition operator '${op}' needs a value.`);
      const pattern = op.includes("begin") ? `${text}%` : op.includes("end") ? `%${text}` : text;
      const hit = likeRegExp(pattern).test(String(value));
      return op.startsWith("not-") ? !hit : hit;
    }
    case "in":
      return many().some((v) => compare(value, v) === 0);
    case "not-in":
      return !many().some((v) => compare(value, v) === 0);
    case "between":
    case "not-between": {
      const [lo, hi, extra] = many();
      if (hi === undefined || extra !== undefined) invalidFetch(`The operator '${op}' takes two values.`);
      const inside = compare(value, lo) >= 0 && compare(value, hi) <= 0;
      return op === "between" ? inside : !inside;
    }
    case "eq-userid":
      return value === EMULATOR_CALLER.userId;
    case "ne-userid":
      return value !== EMULATOR_CALLER.userId;
    case "eq-businessid":
      return value === EMULATOR_CALLER.businessUnitId;
    case "ne-businessid":
      return value !== EMULATOR_CALLER.businessUnitId;
    case "on":
    case "on-or-after":
    case "on-or-before": {
      const day = one();
      const r = dayRange(new Date(Date.parse(String(day))));
      if (op === "on") return inRange(value, r);
      return op === "on-or-after" ? inRange(value, { from: r.from! }) : inRange(value, { to: r.to! });
    }
  }
  const fixed = FIXED[op];
  if (fixed) return inRange(value, fixedRange(fixed, now)!);
  const counted = countedName(op);
  if (counted) {
    const x = Number(cond.value ?? cond.values[0]);
    if (!Number.isInteger(x) || x < 0) invalidFetch(`The operator '${op}' needs a whole number value.`);
    return inRange(value, countedRange(counted, x, now)!);
  }
  return invalidFetch(
    `The emulator does not implement the condition operator '${op}' (on ${entity.logicalName}.${cond.attribute}).`,
  );
}
