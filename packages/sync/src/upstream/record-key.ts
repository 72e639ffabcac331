import type { WriteOperation } from "@xrm-offline/odata";

/** Identity of a record across tables: "account(5531d753-…)"; GUIDs compared in lower case. */
export function recordKey(entityLogicalName: string, id: string): string {
  return `${entityLogicalName}(${id.toLowerCase()})`;
}

/** The record an operation writes. */
export function writeKeyOf(operation: WriteOperation): string {
  return recordKey(operation.entityLogicalName, operation.id);
}

/** The records an operation's lookups point at (cleared lookups point nowhere). */
export function refKeysOf(operation: WriteOperation): string[] {
  if (operation.kind === "delete") return [];
  const keys: string[] = [];
  for (const binding of operation.lookups) {
    if (binding.targetId !== null) keys.push(recordKey(binding.targetEntity, binding.targetId));
  }
  return keys;
}
