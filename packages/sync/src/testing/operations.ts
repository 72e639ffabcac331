import type { CreateOperation, DeleteOperation, LookupBinding, UpdateOperation } from "@xrm-offline/odata";

/** Test shorthand for write operations; entity set = logical name + "s". */
export function createOp(
  entity: string,
  id: string,
  columns: Record<string, unknown> = {},
  lookups: LookupBinding[] = [],
): CreateOperation {
  return {
    kind: "create",
    entityLogicalName: entity,
    entitySetName: `${entity}s`,
    id,
    columns,
    lookups,
    deepInsert: [],
  };
}

export function updateOp(
  entity: string,
  id: string,
  columns: Record<string, unknown> = {},
  lookups: LookupBinding[] = [],
): UpdateOperation {
  return { kind: "update", entityLogicalName: entity, entitySetName: `${entity}s`, id, columns, lookups };
}

export function deleteOp(entity: string, id: string): DeleteOperation {
  return { kind: "delete", entityLogicalName: entity, entitySetName: `${entity}s`, id };
}

/** A lookup `attribute` → `targetEntity(targetId)` (null clears it). */
export function lookup(attribute: string, targetEntity: string, targetId: string | null): LookupBinding {
  return { navigationProperty: attribute, lookupAttribute: attribute, targetEntity, targetId };
}

/** Deterministic GUID n: 00000000-0000-4000-8000-<n as 12 hex digits>. */
export function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}
