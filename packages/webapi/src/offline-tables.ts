import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import type { OfflineTablesOption } from "./web-api-types.ts";

/** The tables available offline and the pull filter of each. */
export interface OfflineTables {
  /** Synchronous, total: false for anything that is not a configured table name. */
  isAvailable(entityLogicalName: unknown): boolean;
  /** Logical names, in configuration order (every table of the metadata when not configured). */
  readonly tables: readonly string[];
  /** OData `$filter` to pull each table with, when configured. */
  readonly filters: ReadonlyMap<string, string>;
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
    };
  }
  const filters = new Map<string, string>();
  const names: string[] = [];
  const add = (name: unknown, filter: unknown) => {
    if (typeof name !== "string" || metadata.entity(name) === undefined) {
      throw xrmError(
        "EntityNotExist",
        `offlineTables names '${String(name).slice(0, 80)}', which is not a table of the metadata.`,
      );
    }
    if (filter !== undefined && typeof filter !== "string") {
      throw xrmError("InvalidArgument", `offlineTables.${name}.filter must be an OData $filter string.`);
    }
    if (!names.includes(name)) names.push(name);
    if (filter !== undefined) filters.set(name, filter);
  };
  if (Array.isArray(option)) {
    for (const name of option) add(name, undefined);
  } else if (typeof option === "object" && option !== null) {
    for (const [name, config] of Object.entries(option)) {
      if (typeof config !== "object" || config === null) {
        throw xrmError("InvalidArgument", `offlineTables.${name} must be an object ({ filter? }).`);
      }
      add(name, (config as { filter?: unknown }).filter);
    }
  } else {
    throw xrmError(
      "InvalidArgument",
      "offlineTables must be an array of table names or an object keyed by table name.",
    );
  }
  const set = new Set(names);
  return { isAvailable: (name) => typeof name === "string" && set.has(name), tables: names, filters };
}
