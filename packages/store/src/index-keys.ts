/**
 * The value index of record rows. Every live row carries `_ix`: one `[entity, property, key]`
 * tuple per indexed column of its table, in a multi-entry index. One index over the shared
 * `records` table (not one object store or compound index per table and column) because the
 * indexed columns are configuration: changing them re-keys rows, never the schema, so no version
 * change and no upgrade ever touches the outbox for it.
 *
 * Keys are the evaluator's normalized values, so IndexedDB's key order is the evaluator's order:
 * numbers and dates as numbers (dates as epoch ms), GUIDs lower case, booleans 0/1, and text as
 * odata's `textKey` — folded (the form `startswith` matches on) and ordered as the evaluator's
 * collator orders it. Null (or a value the type can't read) is `-Infinity`, below every other
 * key, as SQL Server sorts nulls first; only columns that keep nulls (`IndexedColumn.nulls`) have
 * entries for them. Text the key can't order (ß, other scripts, symbols: `textKey` undefined) is
 * kept apart, under `[entity, oddProperty(property), textKeyHead(text)]` — the key of its longest
 * start that has one: the text sorts within that head's prefix range. The planner reads those rows
 * as candidates wherever their head says they may belong (access-plan.ts), so none is ever missed
 * or put out of order.
 * Locally deleted rows get no entries: an index walk never meets them.
 */

import { type Normalized, normalize, textKey, textKeyHead, type ValueType } from "@xrm-offline/odata";
import type { DBCore, DBCoreMutateRequest, Middleware } from "dexie";
import type { IndexedColumn } from "./index-columns.ts";

/** The key of null: sorts before every number and string. */
export const NULL_KEY: number = Number.NEGATIVE_INFINITY;

export type IndexKey = number | string;

/** One entry of a row's `_ix`: the table, the column (or its odd entries), the key. */
export type IndexEntry = [entity: string, property: string, key: IndexKey];

/** The index key of a normalized value (odata's `normalize`) of a non-text column. */
export function keyOfNormalized(n: Normalized): IndexKey {
  if (n === null) return NULL_KEY;
  return typeof n === "boolean" ? (n ? 1 : 0) : n;
}

/** Where a text column's rows whose text has no key (`textKey`) are indexed, by their head. */
export function oddProperty(property: string): string {
  // "~" is in no Web API property name.
  return `${property}~odd`;
}

/** Text without a key: filed under its head (`textKeyHead`) in the column's odd entries. */
export interface OddKey {
  readonly head: string;
}

/** The index key of a row value of a column of `type`. */
export function indexKeyOf(type: ValueType, value: unknown): IndexKey | OddKey {
  if (type === "string") {
    const text = normalize("string", value);
    if (typeof text !== "string") return NULL_KEY;
    return textKey(text) ?? { head: textKeyHead(text) };
  }
  return keyOfNormalized(normalize(type, value));
}

/** The `_ix` entries of a stored row. */
export function indexEntriesOf(
  entity: string,
  columns: readonly IndexedColumn[],
  row: Readonly<Record<string, unknown>>,
): IndexEntry[] {
  const out: IndexEntry[] = [];
  if (row._deleted === true) return out;
  for (const c of columns) {
    const key = indexKeyOf(c.type, row[c.property]);
    if (typeof key === "object") out.push([entity, oddProperty(c.property), key.head]);
    else if (key !== NULL_KEY || c.nulls) out.push([entity, c.property, key]);
  }
  return out;
}

/**
 * Dexie middleware that sets `_ix` on every record row put or added, whatever code path writes it
 * (local writes, pulls, settles, failure actions, upgrades): the index can't drift from the rows.
 */
export function indexKeysMiddleware(
  columnsOf: (entity: string) => readonly IndexedColumn[],
): Middleware<DBCore> {
  return {
    stack: "dbcore",
    name: "xrm-index-keys",
    create(down) {
      return {
        ...down,
        table(name) {
          const table = down.table(name);
          if (name !== "records") return table;
          return {
            ...table,
            mutate(req: DBCoreMutateRequest) {
              if (req.type === "put" || req.type === "add") {
                for (const row of req.values as Record<string, unknown>[]) {
                  const entity = row._entity;
                  if (typeof entity === "string") row._ix = indexEntriesOf(entity, columnsOf(entity), row);
                }
              }
              return table.mutate(req);
            },
          };
        },
      };
    },
  };
}
