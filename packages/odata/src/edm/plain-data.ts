import { xrmError } from "../errors/error-catalogue.ts";
import { describeValue } from "./edm-value.ts";

/** Keys that would reach `Object.prototype` if a consumer ever copied the data naively. */
const HOSTILE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * True for a plain data object: `{…}`, `Object.create(null)`, or a plain object from another realm
 * (a form's iframe): its prototype is null or a prototype whose own prototype is null. Arrays,
 * Dates, Maps, class instances and boxed primitives are not plain.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * The own enumerable entries of a data object, read once through property descriptors so that
 * getters never run (a getter could answer differently on a second read, or throw).
 * Rejects: non-plain objects, symbol keys, accessor properties and prototype-polluting names.
 */
export function readEntries(data: unknown, where: string): [string, unknown][] {
  if (!isPlainObject(data)) {
    throw xrmError("InvalidArgument", `${where} must be a plain JSON object, got ${describeValue(data)}.`);
  }
  if (Object.getOwnPropertySymbols(data).length > 0) {
    throw xrmError(
      "InvalidArgument",
      `${where} has symbol keys; only column and navigation property names are allowed.`,
    );
  }
  const out: [string, unknown][] = [];
  for (const key of Object.keys(data)) {
    const name = key.split("@", 1)[0]!;
    if (HOSTILE_KEYS.has(key) || HOSTILE_KEYS.has(name)) {
      throw xrmError("InvalidArgument", `${where} has the key '${key}', which is not allowed.`);
    }
    const d = Object.getOwnPropertyDescriptor(data, key);
    if (!d) continue;
    if (!("value" in d)) {
      throw xrmError("InvalidArgument", `${where} has a getter or setter for '${key}'; pass plain values.`);
    }
    out.push([key, d.value]);
  }
  return out;
}
