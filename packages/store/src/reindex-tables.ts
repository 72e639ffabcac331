/**
 * Keeps stored rows keyed for the configured index columns. The layout each table was keyed for
 * is kept in `meta`; when the configuration (or a new version's defaults) changes a table's
 * columns, its rows are re-written once — the index middleware recomputes `_ix` — before any
 * read can walk an index that misses rows. A database from before the value index (schema 1) has
 * no layout yet: every table with rows is keyed.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { type IndexedColumn, indexSignature } from "./index-columns.ts";
import type { StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

const LAYOUT_KEY = "index-layout";
const CHUNK = 2000;

/** Tables that have rows: one keys-only probe per table (skips from one table to the next). */
async function tablesWithRows(db: XrmDatabase): Promise<string[]> {
  const out: string[] = [];
  let after = "";
  for (;;) {
    const next = await db.records.where("[_entity+_id]").above([after, "\uffff"]).limit(1).primaryKeys();
    const key = next[0];
    if (!key) return out;
    out.push(key[0]);
    after = key[0];
  }
}

async function rekey(db: XrmDatabase, entity: string): Promise<void> {
  let after = "";
  for (;;) {
    const done = await db.transaction("rw", db.records, async () => {
      const rows: StoredRecord[] = await db.records
        .where("[_entity+_id]")
        .between([entity, after], [entity, []], false, true)
        .limit(CHUNK)
        .toArray();
      if (rows.length > 0) await db.records.bulkPut(rows);
      after = rows.at(-1)?._id ?? after;
      return rows.length < CHUNK;
    });
    if (done) return;
  }
}

/** Re-keys the tables whose index columns changed since their rows were keyed. */
export async function reindexTables(
  db: XrmDatabase,
  metadata: Metadata,
  columnsOf: (entity: string) => readonly IndexedColumn[],
): Promise<void> {
  const stored = (await db.meta.get(LAYOUT_KEY))?.value as Record<string, string> | undefined;
  const layout: Record<string, string> = {};
  for (const e of metadata.entities()) layout[e.logicalName] = indexSignature(columnsOf(e.logicalName));
  const stale = stored
    ? Object.keys(layout).filter((e) => stored[e] !== layout[e])
    : await tablesWithRows(db);
  for (const entity of stale) await rekey(db, entity);
  if (!stored || stale.length > 0) await db.meta.put({ key: LAYOUT_KEY, value: layout });
}
