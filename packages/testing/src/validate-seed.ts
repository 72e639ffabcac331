import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The `seed` option, checked before anything starts: a plain object whose keys are tables of the
 * metadata (logical or entity set name, exact case) and whose values are arrays of plain objects.
 * Returns the entries in the order given. The rows themselves are checked by the server when it
 * creates them.
 */
export function validateSeed(
  metadata: Metadata,
  seed: unknown,
): readonly (readonly [string, readonly Record<string, unknown>[]])[] {
  if (seed === undefined) return [];
  if (!isPlainObject(seed)) {
    throw xrmError("InvalidArgument", "createOfflineHarness: seed must be an object of { table: rows[] }.");
  }
  const entries = Object.entries(seed);
  for (const [table, rows] of entries) {
    if (!metadata.entity(table) && !metadata.entityBySetName(table)) {
      throw xrmError("InvalidArgument", `createOfflineHarness: seed names an unknown table '${table}'.`);
    }
    if (!Array.isArray(rows)) {
      throw xrmError("InvalidArgument", `createOfflineHarness: seed.${table} must be an array of rows.`);
    }
    for (const [i, row] of rows.entries()) {
      if (!isPlainObject(row)) {
        throw xrmError(
          "InvalidArgument",
          `createOfflineHarness: seed.${table}[${i}] must be a plain object.`,
        );
      }
    }
  }
  return entries as (readonly [string, readonly Record<string, unknown>[]])[];
}
