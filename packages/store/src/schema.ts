/**
 * The database schema, one entry per version. Rules for adding a version (they keep invariant 2,
 * "nothing queued is lost"):
 * - never set `outbox` or `failures` to null and never change their primary key (that would make
 *   Dexie delete the table, as Workbox's queue upgrade does);
 * - an `upgrade` may rewrite entries but must keep every one of them;
 * - a test (schema.test.ts) upgrades a database full of queued work through every version.
 */
import type { Transaction } from "dexie";

export interface SchemaVersion {
  readonly version: number;
  readonly stores: Readonly<Record<string, string>>;
  readonly upgrade?: (tx: Transaction) => Promise<void> | void;
}

const VERSION_1: Readonly<Record<string, string>> = {
  // Compound primary key; its leading part serves "all rows of one entity".
  records: "[_entity+_id], *_refs",
  // Auto-increment: the order calls were committed in (IndexedDB assigns it, across tabs).
  // Paging and counts use the primary key; `changeKey` resolves dependencies.
  outbox: "++seq, changeKey",
  // Keyed by id (the first seq as a string); `*seqs` / `*changeKeys` find a failed entry.
  failures: "id, *seqs, *changeKeys, [entity+recordId]",
  checkpoints: "key",
  meta: "key",
};

const VERSION_2: Readonly<Record<string, string>> = { ...VERSION_1, blobs: "id", uploads: "id, state" };

export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  { version: 1, stores: VERSION_1 },
  {
    // Files of file and image columns set offline (Blobs, apart from rows and outbox entries) and
    // their uploads. New tables only: records, outbox and failures are untouched.
    version: 2,
    stores: VERSION_2,
  },
  {
    // Its own step: the value index of records (`_ix`, see index-keys.ts); every other table as
    // in version 2. No upgrade function: rows are keyed when the store opens (`reindexTables`),
    // because which columns are indexed is configuration, not schema.
    version: 3,
    stores: { ...VERSION_2, records: "[_entity+_id], *_refs, *_ix" },
  },
  {
    // The lookup index `_refs` goes: every lookup it served is a column of the value index
    // (`_ix`, index-columns.ts), and its entries cost each pulled row about as much IndexedDB
    // work again as the row itself (docs/benchmarks.md, first sync). Dropping an index deletes
    // nothing else; rows written before keep a stale `_refs` property, which reads strip.
    version: 4,
    stores: { ...VERSION_2, records: "[_entity+_id], *_ix" },
  },
];

/** Bookkeeping fields of a record row; `publicRecord` removes exactly these. */
export const BOOKKEEPING_FIELDS: ReadonlySet<string> = new Set([
  "_entity",
  "_id",
  "_changes",
  "_lastChange",
  "_server",
  "_serverEtag",
  "_syncState",
  "_deleted",
  // Written by versions 1–3 (the lookup index); kept here so reads strip it from older rows.
  "_refs",
  "_ix",
]);
