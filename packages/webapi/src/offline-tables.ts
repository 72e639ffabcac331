import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import { indexColumnsFor } from "@xrm-offline/store";
import type { OfflineTablesOption } from "./web-api-types.ts";

/** The tables available offline and the pull filter of each. */
export interface OfflineTables {
  /** Synchronous, total: false for anything that is not a configured table name. */
  isAvailable(entityLogicalName: unknown): boolean;
  /** Logical names, in configuration order (every table of the metadata when not configured). */
  readonly tables: readonly string[];
  /** OData `$filter` to pull each table with, when configured. */
  readonly filters: ReadonlyMap<string, string>;
  /** Extra columns to index locally, per table (the store's `indexColumns`). */
  readonly indexes: Readonly<Record<string, readonly string[]>>;
}

/**
 * Reads the `offlineTables` option. Absent: every table of the metadata is available offline
 * (an app without an offline profile works on everything it has metadata for). A name the
 * metadata doesn't know is a configuration error and throws at once.
 */
export function resolveOfflineTables(
  metadata: Metadata,
  option: OfflineTablesOption | undefined,
): OfflineTables {
  if (option === undefined) {
    const all = [...metadata.entities()].map((e) => e.logicalName);
    return {
      isAvailable: (name) => typeof name === "string" && metadata.entity(name) !== undefined,
      tables: all,
      filters: new Map(),
      indexes: {},
    };
  }
  const filters = new Map<string, string>();
  const indexes: Record<string, readonly string[]> = {};
  const names: string[] = [];
  const add = (name: unknown, filter: unknown, columns?: unknown) => {
    if (typeof name !== "string" || metadata.entity(name) === undefined) {
      throw xrmError(
        "EntityNotExist",
        `offlineTables names '${String(name).slice(0, 80)}', which is not a table of the metadata.`,
      );
    }
    if (filter !== undefined && typeof filter !== "string") {
      throw xrmError("InvalidArgument", `offlineTables.${name}.filter must be an OData $filter string.`);
    }
    if (columns !== undefined) {
      if (!Array.isArray(columns)) {
        throw xrmError("InvalidArgument", `offlineTables.${name}.indexes must be an array of column names.`);
      }
      // Checked now (unknown columns throw), used when the store opens.
      indexColumnsFor(metadata.entity(name)!, columns as string[]);
      indexes[name] = [...(columns as string[])];
    }
    if (!names.includes(name)) names.push(name);
    if (filter !== undefined) filters.set(name, filter);
  };
  if (Array.isArray(option)) {
    for (const name of option) add(name, undefined);
  } else if (typeof option === "object" && option !== null) {
    for (const [name, raw] of Object.entries(option)) {
      const config = raw === true ? {} : raw;
      if (typeof config !== "object" || config === null) {
        throw xrmError(
          "InvalidArgument",
          `offlineTables.${name} must be an object ({ filter?, indexes?, … }).`,
        );
      }
      const c = config as { filter?: unknown; indexes?: unknown };
      add(name, c.filter, c.indexes);
    }
  } else {
    throw xrmError(
      "InvalidArgument",
      "offlineTables must be an array of table names or an object keyed by table name.",
    );
  }
  const set = new Set(names);
  return {
    isAvailable: (name) => typeof name === "string" && set.has(name),
    tables: names,
    filters,
    indexes,
  };
}
