import type { EdmType } from "@xrm-offline/metadata";
import { queryError } from "../http/wire.ts";
import { normalizeDateTime } from "../write/coerce-value.ts";
import { EMULATOR_CALLER } from "./caller.ts";
import { countedRange, type DateRange, dayRange, fixedRange, storedInstant } from "./date-ranges.ts";
import type { QueryFunctionCall } from "./query-function-call.ts";

/** A column resolved against metadata: its SQL expression and type. */
export interface ColumnRef {
  readonly sql: string;
  readonly type: EdmType;
}

const NUMERIC = /^Edm\.(Byte|Int16|Int32|Int64|Decimal|Double|Single)$/;
const DATE_TYPES = new Set<EdmType>(["Edm.DateTimeOffset", "Edm.Date"]);

function badValue(fn: string, value: string): never {
  throw queryError(`The value '${value}' is not valid for the query function '${fn}'.`);
}

/** A parameter value (text) as stored for a column of `type`. */
function storedValue(type: EdmType, text: string, fn: string): unknown {
  if (NUMERIC.test(type)) {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n)) badValue(fn, text);
    return n;
  }
  switch (type) {
    case "Edm.Boolean":
      if (text !== "true" && text !== "false") badValue(fn, text);
      return text === "true" ? 1 : 0;
    case "Edm.Guid":
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text))
        badValue(fn, text);
      return text.toLowerCase();
    case "Edm.DateTimeOffset":
      return normalizeDateTime(text) ?? badValue(fn, text);
    case "Edm.Date":
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) badValue(fn, text);
      return text;
    default:
      return text;
  }
}

function one(call: QueryFunctionCall, key: string): string {
  const v = call.params.get(key);
  if (typeof v !== "string")
    throw queryError(`The query function '${call.name}' needs the parameter '${key}'.`);
  return v;
}

function list(call: QueryFunctionCall, key: string): readonly string[] {
  const v = call.params.get(key);
  if (!Array.isArray(v) || v.length === 0)
    throw queryError(`The query function '${call.name}' needs the list parameter '${key}'.`);
  return v;
}

/**
 * SQL for a Dataverse query function (docs: "Query functions", Microsoft.Dynamics.CRM.*): date
 * ranges, Between/NotBetween, In/NotIn, Equal/NotEqual user and business unit. Fiscal-period and
 * hierarchy functions need organisation settings and hierarchies the emulator does not have: 400.
 */
export function queryFunctionSql(
  call: QueryFunctionCall,
  column: (name: string) => ColumnRef,
  params: unknown[],
  now: Date = new Date(),
): string {
  const fn = call.name;
  const col = column(one(call, "PropertyName"));
  const collate = col.type === "Edm.String" ? " COLLATE NOCASE" : "";
  const range = (r: DateRange): string => {
    if (!DATE_TYPES.has(col.type))
      throw queryError(`The query function '${fn}' applies to date and time columns only.`);
    const asStored = (d: Date) =>
      col.type === "Edm.Date" ? storedInstant(d).slice(0, 10) : storedInstant(d);
    const parts: string[] = [`${col.sql} IS NOT NULL`];
    if (r.from) {
      parts.push(`${col.sql} >= ?`);
      params.push(asStored(r.from));
    }
    if (r.to) {
      parts.push(`${col.sql} ${r.toInclusive ? "<=" : "<"} ?`);
      params.push(asStored(r.to));
    }
    return `(${parts.join(" AND ")})`;
  };
  const fixed = fixedRange(fn, now);
  if (fixed) return range(fixed);
  if (/^(Last|Next|OlderThan)X/.test(fn)) {
    const text = one(call, "PropertyValue");
    const x = Number(text);
    if (!Number.isInteger(x) || x < 0) badValue(fn, text);
    const counted = countedRange(fn, x, now);
    if (counted) return range(counted);
  }
  const compare = (op: string, text: string): string => {
    params.push(storedValue(col.type, text, fn));
    return `${col.sql} ${op} ?${collate}`;
  };
  switch (fn) {
    case "On":
    case "OnOrAfter":
    case "OnOrBefore": {
      const text = one(call, "PropertyValue");
      const day = Date.parse(/T/.test(text) ? text : `${text}T00:00:00Z`);
      if (!Number.isFinite(day)) badValue(fn, text);
      const r = dayRange(new Date(day));
      return range(fn === "On" ? r : fn === "OnOrAfter" ? { from: r.from! } : { to: r.to! });
    }
    case "Between":
    case "NotBetween": {
      const values = list(call, "PropertyValues");
      if (values.length !== 2) throw queryError(`The query function '${fn}' takes exactly two values.`);
      const inside = `(${compare(">=", values[0]!)} AND ${compare("<=", values[1]!)})`;
      return fn === "Between" ? inside : `(${col.sql} IS NULL OR NOT ${inside})`;
    }
    case "In":
    case "NotIn": {
      const marks = list(call, "PropertyValues").map((v) => {
        params.push(storedValue(col.type, v, fn));
        return "?";
      });
      const inside = `${col.sql}${collate} IN (${marks.join(", ")})`;
      return fn === "In" ? inside : `(${col.sql} IS NULL OR NOT ${inside})`;
    }
    case "EqualUserId":
      return compare("=", EMULATOR_CALLER.userId);
    case "NotEqualUserId":
      params.push(EMULATOR_CALLER.userId);
      return `(${col.sql} IS NULL OR ${col.sql} <> ?)`;
    case "EqualBusinessId":
      return compare("=", EMULATOR_CALLER.businessUnitId);
    case "NotEqualBusinessId":
      params.push(EMULATOR_CALLER.businessUnitId);
      return `(${col.sql} IS NULL OR ${col.sql} <> ?)`;
    default:
      throw queryError(`The emulator does not implement the query function 'Microsoft.Dynamics.CRM.${fn}'.`);
  }
}
