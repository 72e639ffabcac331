import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { describeValue } from "../edm/edm-value.ts";
import { xrmError } from "../errors/error-catalogue.ts";

/**
 * The table `entityLogicalName` names, or EntityNotExist (0x8004f899). Logical names are lower
 * case and matched exactly; a near miss (`Account`, or the entity set name `accounts`) gets a hint.
 */
export function resolveEntity(metadata: Metadata, entityLogicalName: unknown): EntityMetadata {
  if (typeof entityLogicalName !== "string" || entityLogicalName === "") {
    throw xrmError(
      "InvalidArgument",
      `entityLogicalName must be a table logical name, got ${describeValue(entityLogicalName)}.`,
    );
  }
  const entity = metadata.entity(entityLogicalName);
  if (entity) return entity;
  const name = entityLogicalName.length > 80 ? `${entityLogicalName.slice(0, 80)}…` : entityLogicalName;
  const lower = entityLogicalName.toLowerCase();
  const bySet = metadata.entityBySetName(entityLogicalName);
  const sameButCase = lower !== entityLogicalName ? metadata.entity(lower) : undefined;
  const hint = bySet
    ? ` '${name}' is an entity set name; the logical name is '${bySet.logicalName}'.`
    : sameButCase
      ? ` Logical names are lower case: '${sameButCase.logicalName}'.`
      : "";
  return fail(`Entity name '${name}' does not exist in the metadata.${hint}`);
}

function fail(message: string): never {
  throw xrmError("EntityNotExist", message);
}
