import type { EdmType } from "@xrm-offline/metadata";
import { normalizeGuid } from "./guid.ts";

/** The result of checking one column value against its Edm type. */
export type EdmCheck =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/** Dataverse's largest text column (a Multiple Lines of Text column) holds 1,048,576 characters. */
export const MAX_STRING_LENGTH = 1_048_576;

const INT_RANGES: Partial<Record<EdmType, readonly [number, number]>> = {
  "Edm.Byte": [0, 255],
  "Edm.Int16": [-32_768, 32_767],
  "Edm.Int32": [-2_147_483_648, 2_147_483_647],
  // JSON numbers are IEEE doubles: beyond 2^53 an Int64 can't be carried exactly.
  "Edm.Int64": [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const DATE_TIME_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_OF_DAY = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,12})?)?$/;
const DURATION = /^-?P(?=\d|T\d)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
// OData JSON writes Edm.Binary as base64url; Dataverse also takes standard base64.
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/**
 * Checks `value` against the Edm type of a column and returns what to store and send.
 * `null` clears any column. Normalisations: GUIDs lower-cased without braces; a valid `Date`
 * object becomes an ISO string (`toISOString()`, UTC) for Edm.DateTimeOffset, and its local
 * calendar date (`YYYY-MM-DD`) for Edm.Date, which is what a date-only field on a form means.
 * Everything else must already have the JSON type the Web API expects: no string numbers,
 * no string booleans, no numbers for GUIDs.
 */
export function checkEdmValue(type: EdmType, value: unknown): EdmCheck {
  if (value === null) return { ok: true, value: null };
  switch (type) {
    case "Edm.String":
      if (typeof value !== "string") return fail(`a string is required, got ${describeValue(value)}`);
      if (value.length > MAX_STRING_LENGTH) {
        return fail(`the text has ${value.length} characters; the maximum is ${MAX_STRING_LENGTH}`);
      }
      return { ok: true, value };
    case "Edm.Boolean":
      return typeof value === "boolean"
        ? { ok: true, value }
        : fail(`true or false is required, got ${describeValue(value)}`);
    case "Edm.Byte":
    case "Edm.Int16":
    case "Edm.Int32":
    case "Edm.Int64": {
      const [min, max] = INT_RANGES[type]!;
      if (typeof value !== "number" || !Number.isInteger(value)) {
        return fail(`a whole number is required, got ${describeValue(value)}`);
      }
      if (value < min || value > max) return fail(`${value} is outside the range ${min} to ${max}`);
      return { ok: true, value: Object.is(value, -0) ? 0 : value };
    }
    case "Edm.Decimal":
    case "Edm.Double":
    case "Edm.Single":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return fail(`a finite number is required, got ${describeValue(value)}`);
      }
      return { ok: true, value: Object.is(value, -0) ? 0 : value };
    case "Edm.Guid": {
      const guid = normalizeGuid(value);
      return guid ? { ok: true, value: guid } : fail(`a GUID is required, got ${describeValue(value)}`);
    }
    case "Edm.DateTimeOffset":
      if (value instanceof Date) {
        return Number.isNaN(value.getTime())
          ? fail("the Date object is invalid")
          : { ok: true, value: value.toISOString() };
      }
      return typeof value === "string" && isDateTimeOffset(value)
        ? { ok: true, value }
        : fail(
            `an ISO 8601 date and time with an offset (2024-05-01T08:30:00Z) is required, got ${describeValue(value)}`,
          );
    case "Edm.Date":
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return fail("the Date object is invalid");
        return { ok: true, value: localDate(value) };
      }
      return typeof value === "string" && isDate(value)
        ? { ok: true, value }
        : fail(`a date (2024-05-01) is required, got ${describeValue(value)}`);
    case "Edm.TimeOfDay":
      return typeof value === "string" && TIME_OF_DAY.test(value)
        ? { ok: true, value }
        : fail(`a time of day (08:30:00) is required, got ${describeValue(value)}`);
    case "Edm.Duration":
      return typeof value === "string" && DURATION.test(value)
        ? { ok: true, value }
        : fail(`an ISO 8601 duration (PT1H30M) is required, got ${describeValue(value)}`);
    case "Edm.Binary":
      if (typeof value !== "string" || !BASE64.test(value)) {
        return fail(`base64 text is required, got ${describeValue(value)}`);
      }
      if (value.length > MAX_STRING_LENGTH * 32) return fail("the binary value is too large");
      return { ok: true, value };
    default:
      return fail(`columns of type ${String(type)} cannot be written`);
  }
}

function fail(reason: string): EdmCheck {
  return { ok: false, reason };
}

function isDateTimeOffset(s: string): boolean {
  const m = DATE_TIME_OFFSET.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, , oh, om] = m;
  return (
    validDate(Number(y), Number(mo), Number(d)) &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    (sec === undefined || Number(sec) <= 59) &&
    (oh === undefined || (Number(oh) <= 14 && Number(om) <= 59))
  );
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // days in month m of a leap year
  if (d > days) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return !(m === 2 && d === 29 && !leap);
}

function localDate(d: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A short, safe description of a wrong value for an error message (never the whole value). */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") {
    return value.length > 40 ? `the string "${value.slice(0, 40)}…"` : `the string "${value}"`;
  }
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  if (typeof value === "bigint") return "a bigint";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date object";
  return "an object";
}
