/**
 * Which columns of a table the local store keeps in its value index (`_ix`), and how their values
 * compare. Defaults serve the queries form scripts and apps make most: the primary name (pickers:
 * `startswith`, and lists ordered by name), `statecode` (active rows), the table's own lookups (`_x_value eq <id>`: related
 * lists, form lookups; not the audit ones every table has) and `modifiedon` (newest first). A table may add more (`offlineTables` in webapi).
 */
import type { EntityMetadata } from "@xrm-offline/metadata";
import { TEXT_KEY_VERSION, type ValueType, valueTypeOf, xrmError } from "@xrm-offline/odata";

export interface IndexedColumn {
  /** Property on the row as the Web API returns it: `name`, `_parentcustomerid_value`. */
  readonly property: string;
  /** How the planner compares it; the index key is `indexKeyOf(type, value)`. */
  readonly type: ValueType;
  /**
   * Rows whose value is null have an entry too, so the column can be walked in order (nulls
   * first) and answer `eq null`. Off for lookups (filtered by id, rarely sorted on): mostly-null
   * lookups then cost a row no index entry.
   */
  readonly nulls: boolean;
}

const DEFAULT_ATTRIBUTES = ["statecode", "modifiedon"];
/**
 * Audit and ownership-plumbing lookups every table has, rarely filtered on by apps; each indexed
 * column costs every written row an index entry. A table can still name them in its extras.
 */
const SYSTEM_LOOKUPS: ReadonlySet<string> = new Set([
  "createdby",
  "modifiedby",
  "createdonbehalfby",
  "modifiedonbehalfby",
  "owningbusinessunit",
  "owningteam",
  "owninguser",
  "transactioncurrencyid",
  "masterid",
]);

function columnOf(entity: EntityMetadata, name: string): IndexedColumn | undefined {
  const lookup = entity.lookup(name) ?? entity.lookup(/^_(.+)_value$/.exec(name)?.[1] ?? "");
  if (lookup) return { property: lookup.valueProperty, type: "guid", nulls: false };
  const attr = entity.attribute(name);
  const type = attr ? valueTypeOf(attr.type) : undefined;
  return attr && type ? { property: attr.name, type, nulls: true } : undefined;
}

/**
 * The indexed columns of a table: the defaults that exist in its metadata, then `extra` (column or
 * lookup names, `_x_value` accepted). The primary key is never listed: the primary key index
 * serves it. Throws InvalidArgument for an extra name the table doesn't have or can't index.
 */
export function indexColumnsFor(entity: EntityMetadata, extra: readonly string[] = []): IndexedColumn[] {
  const out = new Map<string, IndexedColumn>();
  const add = (c: IndexedColumn | undefined) => {
    if (c && c.property !== entity.primaryIdAttribute && !out.has(c.property)) out.set(c.property, c);
  };
  if (entity.primaryNameAttribute) add(columnOf(entity, entity.primaryNameAttribute));
  for (const name of DEFAULT_ATTRIBUTES) add(columnOf(entity, name));
  for (const lookup of entity.lookups()) {
    if (!SYSTEM_LOOKUPS.has(lookup.attribute))
      add({ property: lookup.valueProperty, type: "guid", nulls: false });
  }
  for (const name of extra) {
    const c = typeof name === "string" ? columnOf(entity, name) : undefined;
    if (!c) {
      throw xrmError(
        "InvalidArgument",
        `The index column '${String(name).slice(0, 80)}' is not a filterable column of '${entity.logicalName}'.`,
      );
    }
    add(c);
  }
  return [...out.values()];
}

/** Identity of a table's index layout: stored rows were keyed for exactly this. */
export function indexSignature(columns: readonly IndexedColumn[]): string {
  // Text keys follow the runtime's collator (odata's TEXT_KEY_VERSION): another ranking re-keys.
  // Odd text filed by head ("odd-head").
  const text = columns.some((c) => c.type === "string") ? `;text:${TEXT_KEY_VERSION};odd-head` : "";
  return columns.map((c) => `${c.property}:${c.type}${c.nulls ? ":nulls" : ""}`).join(",") + text;
}
