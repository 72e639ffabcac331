import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import type { OfflineTables } from "./offline-tables.ts";

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);

/** The table, if it exists in the metadata; else EntityNotExist (with a hint for near misses). */
export function requireTable(metadata: Metadata, entityLogicalName: unknown): EntityMetadata {
  if (typeof entityLogicalName !== "string" || entityLogicalName === "") {
    throw xrmError("InvalidArgument", "entityLogicalName must be a table logical name (a non-empty string).");
  }
  const entity = metadata.entity(entityLogicalName);
  if (entity) return entity;
  const bySet = metadata.entityBySetName(entityLogicalName);
  const lower = entityLogicalName.toLowerCase();
  const byCase = lower !== entityLogicalName ? metadata.entity(lower) : undefined;
  const hint = bySet
    ? ` '${clip(entityLogicalName)}' is an entity set name; the logical name is '${bySet.logicalName}'.`
    : byCase
      ? ` Logical names are lower case: '${byCase.logicalName}'.`
      : "";
  throw xrmError(
    "EntityNotExist",
    `Entity name '${clip(entityLogicalName)}' does not exist in the metadata.${hint}`,
  );
}

/** The table, if it exists and is available offline; else EntityNotExist or NotSupported. */
export function requireOfflineTable(
  metadata: Metadata,
  tables: OfflineTables,
  entityLogicalName: unknown,
): EntityMetadata {
  const entity = requireTable(metadata, entityLogicalName);
  if (!tables.isAvailable(entity.logicalName)) {
    throw xrmError(
      "NotSupported",
      `The table '${entity.logicalName}' is not available offline (it is not one of the offlineTables).`,
    );
  }
  return entity;
}
