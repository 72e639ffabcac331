import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";

/** Entity set name of table `logicalName`, or the EntityNotExist error Dataverse gives. */
export function entitySetOf(metadata: Metadata, logicalName: unknown): string {
  const entity = typeof logicalName === "string" ? metadata.entity(logicalName) : undefined;
  if (!entity) {
    throw xrmError(
      "EntityNotExist",
      `Entity name '${String(logicalName).slice(0, 80)}' does not exist in the metadata.`,
    );
  }
  return entity.entitySetName;
}
