import type { EdmType } from "@xrm-offline/metadata";
import { odataError } from "../http/wire.ts";
import { normalizeGuid } from "../odata/guid.ts";

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INT_RANGE: Partial<Record<EdmType, readonly [number, number]>> = {
  "Edm.Byte": [0, 255],
  "Edm.Int16": [-32768, 32767],
  "Edm.Int32": [-2147483648, 2147483647],
  "Edm.Int64": [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * ISO 8601 date-time (or date) → the UTC form the Web API returns, `2024-05-01T08:30:00Z`.
 * Undefined when it is not a valid date-time.
 */
export function normalizeDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(m[4] === undefined ? `${text}T00:00:00Z` : text);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function cannotConvert(value: unknown, type: EdmType): never {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  throw odataError(`Cannot convert the literal '${shown}' to the expected type '${type}'.`);
}

/**
 * A JSON payload value → the value stored for a column of `type`, or a 400 (code 0x0) the way the
 * OData reader rejects it. Strict like the service: no string "5" for an Int32, no number for a string.
 */
export function coerceValue(value: unknown, type: EdmType): unknown {
  if (value === null) return null;
  switch (type) {
    case "Edm.String":
      if (typeof value !== "string") cannotConvert(value, type);
      return value;
    case "Edm.Boolean":
      if (typeof value !== "boolean") cannotConvert(value, type);
      return value;
    case "Edm.Byte":
    case "Edm.Int16":
    case "Edm.Int32":
    case "Edm.Int64": {
      // Int64 may come as a string (IEEE754Compatible=true).
      const n =
        type === "Edm.Int64" && typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
      const range = INT_RANGE[type]!;
      if (typeof n !== "number" || !Number.isInteger(n) || n < range[0] || n > range[1])
        cannotConvert(value, type);
      return n;
    }
    case "Edm.Decimal":
    case "Edm.Double":
    case "Edm.Single": {
      const n =
        type === "Edm.Decimal" && typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : value;
      if (typeof n !== "number" || !Number.isFinite(n)) cannotConvert(value, type);
      return n;
    }
    case "Edm.Guid": {
      const g = typeof value === "string" ? normalizeGuid(value) : undefined;
      if (!g) cannotConvert(value, type);
      return g;
    }
    case "Edm.DateTimeOffset": {
      const d = typeof value === "string" ? normalizeDateTime(value) : undefined;
      if (!d) cannotConvert(value, type);
      return d;
    }
    case "Edm.Date":
      if (typeof value !== "string" || !DATE.test(value) || !Number.isFinite(Date.parse(value))) {
        cannotConvert(value, type);
      }
      return value;
    case "Edm.Binary":
      if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) cannotConvert(value, type);
      return value;
    case "Edm.TimeOfDay":
    case "Edm.Duration":
      if (typeof value !== "string") cannotConvert(value, type);
      return value;
    default:
      return cannotConvert(value, type);
  }
}
