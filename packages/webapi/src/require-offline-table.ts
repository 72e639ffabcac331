import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { resolveEntity, xrmError } from "@xrm-offline/odata";
import type { OfflineTables } from "./offline-tables.ts";

/**
 * The table, if it exists and is available offline; else odata's EntityNotExist (with its hint for
 * near misses) or NotSupported.
 */
export function requireOfflineTable(
  metadata: Metadata,
  tables: OfflineTables,
  entityLogicalName: unknown,
): EntityMetadata {
  const entity = resolveEntity(metadata, entityLogicalName);
  if (!tables.isAvailable(entity.logicalName)) {
    throw xrmError(
      "NotSupported",
      `The table '${entity.logicalName}' is not available offline (it is not one of the offlineTables).`,
    );
  }
  return entity;
}
