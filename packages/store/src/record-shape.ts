/**
 * Pure functions over stored record rows: the Web API shape of a record, its column groups
 * (a lookup's `_x_value` together with its `_x_value@…` annotations), the public view.
 */
import type { LookupBinding, WriteOperation } from "@xrm-offline/odata";
import { BOOKKEEPING_FIELDS } from "./schema.ts";
import type { RecordChange, StoredRecord, SyncState } from "./store-types.ts";

export const LOOKUP_LOGICAL_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname";
export const ASSOCIATED_NAVIGATION = "@Microsoft.Dynamics.CRM.associatednavigationproperty";
export const FORMATTED_VALUE = "@OData.Community.Display.V1.FormattedValue";

/** Resolves the primary name of a local record, for a lookup's formatted value. */
export type TargetName = (entity: string, id: string) => string | undefined;

/** A plain mutable row under construction (bookkeeping fields included). */
export type MutableRow = Record<string, unknown>;

/** Keys that must never be copied into a row (prototype pollution, bookkeeping spoofing). */
export function isForbiddenKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype" || BOOKKEEPING_FIELDS.has(key);
}

/** `_x_value@OData.Community.Display.V1.FormattedValue` → `_x_value`; `name` → `name`. */
export function columnOf(key: string): string {
  const at = key.indexOf("@");
  return at <= 0 ? key : key.slice(0, at);
}

/** The record as a caller sees it: a fresh object without bookkeeping fields. */
export function publicRecord(row: StoredRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (!BOOKKEEPING_FIELDS.has(key)) out[key] = row[key];
  }
  return out;
}

export function deriveSyncState(changes: readonly RecordChange[]): SyncState {
  if (changes.some((c) => c.failed)) return "failed";
  return changes.length > 0 ? "pending" : "synced";
}

/** Columns (Web API property names) with a pending or failed local change. */
export function pendingColumns(changes: readonly RecordChange[]): Set<string> {
  const out = new Set<string>();
  for (const c of changes) for (const col of c.columns) out.add(col);
  return out;
}

export function lookupValueProperty(attribute: string): string {
  return `_${attribute}_value`;
}

/** Every key of `row` that belongs to column `column` (the column and its annotations). */
export function groupKeys(row: MutableRow, column: string): string[] {
  const prefix = `${column}@`;
  return Object.keys(row).filter((k) => k === column || k.startsWith(prefix));
}

/** The property values a lookup binding writes, in Web API shape. */
export function lookupGroup(binding: LookupBinding, targetName: TargetName): MutableRow {
  const value = lookupValueProperty(binding.lookupAttribute);
  if (binding.targetId === null) return { [value]: null };
  const group: MutableRow = {
    [value]: binding.targetId,
    [value + LOOKUP_LOGICAL_NAME]: binding.targetEntity,
    [value + ASSOCIATED_NAVIGATION]: binding.navigationProperty,
  };
  const name = targetName(binding.targetEntity, binding.targetId);
  if (name !== undefined) group[value + FORMATTED_VALUE] = name;
  return group;
}

/** The Web API property names a write sets (its column groups). */
export function columnsOf(op: WriteOperation): string[] {
  if (op.kind === "delete") return [];
  return [...Object.keys(op.columns), ...op.lookups.map((l) => lookupValueProperty(l.lookupAttribute))];
}

/** Column group values a write sets, by column. */
export function groupsOf(op: WriteOperation, targetName: TargetName): Map<string, MutableRow> {
  const out = new Map<string, MutableRow>();
  if (op.kind === "delete") return out;
  for (const [col, v] of Object.entries(op.columns)) out.set(col, { [col]: v });
  for (const l of op.lookups) out.set(lookupValueProperty(l.lookupAttribute), lookupGroup(l, targetName));
  return out;
}

/** Replaces column group `column` of `row` with `group` (removing stale annotations). */
export function setGroup(row: MutableRow, column: string, group: Readonly<MutableRow> | undefined): void {
  for (const k of groupKeys(row, column)) delete row[k];
  if (group) for (const [k, v] of Object.entries(group)) row[k] = v;
}

/** `<entity>|<id>|<no>`: the key of a record change, carried by its outbox entry. */
export function changeKeyOf(entity: string, id: string, no: number): string {
  return `${entity}|${id}|${no}`;
}

/** Recomputes the derived bookkeeping fields of a row after its columns or changes moved. */
export function finishRow(row: MutableRow, changes: readonly RecordChange[]): StoredRecord {
  row._changes = changes;
  row._syncState = deriveSyncState(changes);
  // Rows written before schema version 4 carried the lookup index's keys: not kept up to date.
  delete row._refs;
  return row as StoredRecord;
}
