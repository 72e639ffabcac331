import type { Metadata } from "@xrm-offline/metadata";
import {
  type DiscardResult,
  type EvaluationContext,
  normalize,
  type OutboxPort,
  type QueryPlan,
  type Settlement,
  type SyncFailure,
  XrmError,
  xrmError,
} from "@xrm-offline/odata";
import type { ApplyServerRowsOptions, ApplyServerRowsResult } from "./apply-server-rows.ts";
import { commitWrites, type PreparedWrite, type WriteResult } from "./commit-writes.ts";
import { FileUploadStore } from "./file-uploads.ts";
import { GroupCommitter } from "./group-commit.ts";
import { type IndexedColumn, indexColumnsFor } from "./index-columns.ts";
import { type IndexEntry, indexKeysMiddleware } from "./index-keys.ts";
import { createOutboxPort } from "./outbox-port.ts";
import { outboxCounts, type PeekOptions, peekOutbox } from "./peek-outbox.ts";
import type { PlannerTuning } from "./plan-rows.ts";
import { storeError } from "./quota-error.ts";
import { publicRecord } from "./record-shape.ts";
import { reindexTables } from "./reindex-tables.ts";
import { type StoreChange, StoreNotifier } from "./store-notifier.ts";
import type { OutboxItem, RecordRef, StoredRecord } from "./store-types.ts";
import { XrmDatabase, type XrmDatabaseOptions } from "./xrm-database.ts";

type SyncSide = typeof import("./sync-side.ts");
let syncSide: Promise<SyncSide> | undefined;
/**
 * The sync side of the store (sync-side.ts), loaded once: started right after a store opens, so
 * it is in memory before the engine or a retry needs it even if the network drops meanwhile. A
 * failed load is forgotten so the next call tries again.
 */
function loadSyncSide(): Promise<SyncSide> {
  syncSide ??= import("./sync-side.ts").catch((e: unknown) => {
    syncSide = undefined;
    throw e;
  });
  return syncSide;
}

type Planner = typeof import("./plan-rows.ts");
let planner: Promise<Planner> | undefined;
/**
 * The query planner (plan-rows.ts), loaded once and, like the sync side, started right after a
 * store opens: a page that goes offline before its first read (its chunk not cached by a service
 * worker) can still read. A page that only writes pays the download, not the first chunk's size.
 */
function loadPlanner(): Promise<Planner> {
  planner ??= import("./plan-rows.ts").catch((e: unknown) => {
    planner = undefined;
    throw e;
  });
  return planner;
}

export interface OpenStoreOptions extends XrmDatabaseOptions {
  /** IndexedDB database name: one per org and user. */
  readonly name: string;
  readonly metadata: Metadata;
  /** Clock for entry and failure times (tests). */
  readonly now?: () => Date;
  /** Most writes committed in one transaction (default 1000). */
  readonly maxGroup?: number;
  /**
   * Columns to index per table beyond the defaults (primary name, `statecode`, lookups,
   * `modifiedon`): column or lookup names. An unknown name throws InvalidArgument at open.
   */
  readonly indexColumns?: Readonly<Record<string, readonly string[]>>;
}

/** The index columns of every table, resolved once per table; validates the configuration. */
function indexColumnResolver(
  metadata: Metadata,
  extra: Readonly<Record<string, readonly string[]>> = {},
): (entity: string) => readonly IndexedColumn[] {
  const cache = new Map<string, readonly IndexedColumn[]>();
  const resolve = (entity: string) => {
    let cols = cache.get(entity);
    if (!cols) {
      const meta = metadata.entity(entity);
      const own = Object.hasOwn(extra, entity) ? extra[entity] : undefined;
      if (own !== undefined && !Array.isArray(own)) {
        throw xrmError("InvalidArgument", `indexColumns.${entity} must be an array of column names.`);
      }
      cols = meta ? indexColumnsFor(meta, own) : [];
      cache.set(entity, cols);
    }
    return cols;
  };
  for (const entity of Object.keys(extra)) {
    if (!metadata.entity(entity)) {
      throw xrmError(
        "EntityNotExist",
        `indexColumns names '${entity.slice(0, 80)}', which is not a table of the metadata.`,
      );
    }
    resolve(entity);
  }
  return resolve;
}

/** An equality the store can answer from an index (odata's `IndexHint`). */
export interface RowHint {
  readonly property: string;
  readonly value: string | number | boolean;
}

/** Each store's Dexie handle: internal, reached by tests and benchmarks through `databaseOf`. */
const handles = new WeakMap<OfflineStore, XrmDatabase>();

/**
 * The Dexie database behind `store` (tests, benchmarks, diagnostics: `@xrm-offline/store/testing`).
 * Not part of the store's API: writing through it bypasses the invariants the store keeps.
 */
export function databaseOf(store: OfflineStore): XrmDatabase {
  const db = handles.get(store);
  if (!db) throw new TypeError("Not an OfflineStore.");
  return db;
}

/**
 * The local database of one org and user: records, the outbox, sync failures, checkpoints.
 * Writes go through group commit; every other method is one transaction.
 */
export class OfflineStore {
  readonly name: string;
  readonly metadata: Metadata;
  readonly #db: XrmDatabase;
  readonly #now: () => Date;
  readonly #committer: GroupCommitter<PreparedWrite, WriteResult>;
  readonly #notifier: StoreNotifier;
  readonly #indexColumns: (entity: string) => readonly IndexedColumn[];
  readonly #sizes = new Map<string, { count: number; at: number }>();

  private constructor(
    db: XrmDatabase,
    options: OpenStoreOptions,
    indexColumns: (entity: string) => readonly IndexedColumn[],
  ) {
    this.name = options.name;
    this.#indexColumns = indexColumns;
    this.metadata = options.metadata;
    this.#db = db;
    handles.set(this, db);
    this.#now = options.now ?? (() => new Date());
    this.#notifier = new StoreNotifier(`xrm-offline:${options.name}`);
    this.#committer = new GroupCommitter(
      async (items) => {
        const outcomes = await commitWrites(db, this.metadata, items, this.#now);
        // Once per committed group, not per call: a loop of 1,000 writes is one notification.
        this.#notifier.notify("write");
        return outcomes;
      },
      {
        ...(options.maxGroup !== undefined ? { maxGroup: options.maxGroup } : {}),
        // Every rejection is an XrmError ({ errorCode, message }), IndexedDB failures included.
        mapError: storeError,
      },
    );
  }

  /** Opens (creating or upgrading) the database. Reads no records and no outbox entries. */
  static async open(options: OpenStoreOptions): Promise<OfflineStore> {
    const indexColumns = indexColumnResolver(options.metadata, options.indexColumns);
    const db = new XrmDatabase(options.name, {
      ...options,
      addons: [...(options.addons ?? []), (d) => d.use(indexKeysMiddleware(indexColumns))],
    });
    await db.open();
    try {
      await reindexTables(db, options.metadata, indexColumns);
    } catch (e) {
      db.close();
      throw XrmError.from(e);
    }
    loadSyncSide().catch(() => {}); // a failure shows at the call that needs it
    loadPlanner().catch(() => {});
    return new OfflineStore(db, options, indexColumns);
  }

  /** The columns of `entity` held in the value index (see index-columns.ts). */
  indexedColumns(entity: string): readonly IndexedColumn[] {
    return this.#indexColumns(entity);
  }

  /**
   * The files of file and image columns set on this device and their uploads, and the copies of
   * files downloaded from the server, over this store's database. `newId` names the stored blobs.
   * A set, retry or discard is announced as a `files` change (subscribe), here and in other tabs.
   */
  fileUploads(newId: () => string): FileUploadStore {
    return new FileUploadStore(this.#db, this.#now, newId, () => this.#notifier.notify("files"));
  }

  /** The bytes of a binary value (a note's body, an image) or a file kept apart (`blobs` table), or undefined. */
  async blob(id: string): Promise<Blob | undefined> {
    return (await this.#db.blobs.get(id))?.blob;
  }

  // ── Local writes ─────────────────────────────────────────────────────────────────────────────

  /**
   * Commits a validated write: the record change and its outbox entry in one transaction, grouped
   * with the writes submitted meanwhile. Resolves after that transaction committed; rejects with
   * an XrmError (duplicate id, record not found, or the IndexedDB failure as an XrmError) having
   * written nothing.
   */
  write(prepared: PreparedWrite): Promise<WriteResult> {
    return this.#committer.submit(prepared);
  }

  // ── Local reads ──────────────────────────────────────────────────────────────────────────────

  /** The record as the Web API would return it, or undefined (missing or deleted locally). */
  async getRecord(entity: string, id: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.getRecordRow(entity, id);
    return row && !row._deleted ? publicRecord(row) : undefined;
  }

  /** The stored row with its bookkeeping (sync state, pending changes), deleted ones included. */
  async getRecordRow(entity: string, id: string): Promise<StoredRecord | undefined> {
    if (typeof entity !== "string" || typeof id !== "string") return undefined;
    return this.#db.records.get([entity, id]);
  }

  /** Records by reference, in order; undefined for missing or deleted ones. */
  async getRecords(refs: readonly RecordRef[]): Promise<(Record<string, unknown> | undefined)[]> {
    if (refs.length === 0) return [];
    const rows = await this.#db.records.bulkGet(refs.map((r) => [r.entity, r.id] as [string, string]));
    return rows.map((row) => (row && !row._deleted ? publicRecord(row) : undefined));
  }

  /**
   * The live rows of one table, in the Web API shape, narrowed by an index when `hint` names the
   * primary key or an indexed lookup value property (the caller still runs the full predicate).
   */
  async queryRows(entity: string, hint?: RowHint): Promise<Record<string, unknown>[]> {
    const meta = this.metadata.entity(entity);
    let rows: StoredRecord[];
    if (hint && meta && hint.property === meta.primaryIdAttribute && typeof hint.value === "string") {
      const row = await this.#db.records.get([entity, hint.value.toLowerCase()]);
      rows = row ? [row] : [];
    } else if (hint && typeof hint.value === "string" && this.#isIndexedLookup(entity, hint.property)) {
      const key = [entity, hint.property, hint.value.toLowerCase()];
      rows = await this.#db.records.where("_ix").equals(key).toArray();
    } else {
      rows = await this.#db.records
        .where("[_entity+_id]")
        .between([entity, ""], [entity, "\uffff"], true, true)
        .toArray();
    }
    return rows.filter((r) => !r._deleted).map(publicRecord);
  }

  /**
   * Rows a query's page needs, read through the value index where it can (access-plan.ts,
   * plan-rows.ts): a superset for `evaluateQuery`, which filters, orders and pages them exactly as
   * it would the whole table. Web API shape.
   */
  async queryCandidates(
    plan: QueryPlan,
    options: {
      readonly maxPageSize?: number;
      readonly context?: Omit<EvaluationContext, "resolveRelated">;
      readonly tuning?: PlannerTuning;
    } = {},
  ): Promise<Record<string, unknown>[]> {
    const { planAccess, planRows } = await loadPlanner();
    const access = planAccess(plan, this.#indexColumns(plan.entity), options);
    const size = () => this.#tableSize(plan.entity);
    const rows = await planRows(this.#db, plan, access, options.context ?? {}, size, options.tuning);
    return rows.map(publicRecord);
  }

  /** Row count of a table for the planner's cost estimate: counted once, then every minute. */
  async #tableSize(entity: string): Promise<number> {
    const known = this.#sizes.get(entity);
    const now = Date.now();
    if (known && now - known.at < 60_000) return known.count;
    const count = await this.countRows(entity);
    this.#sizes.set(entity, { count, at: now });
    return count;
  }

  /** Number of live rows of one table (index count). */
  async countRows(entity: string): Promise<number> {
    return this.#db.records
      .where("[_entity+_id]")
      .between([entity, ""], [entity, "\uffff"], true, true)
      .count();
  }

  /** Ids of every stored row of one table, locally deleted ones included (primary keys only). */
  async recordIds(entity: string): Promise<string[]> {
    const keys = await this.#db.records
      .where("[_entity+_id]")
      .between([entity, ""], [entity, "\uffff"], true, true)
      .primaryKeys();
    return keys.map((k) => k[1]);
  }

  /**
   * Distinct ids that the rows of `entity` point at through lookup value property `valueProperty`
   * (`_parentcustomerid_value`; the pull uses it for related rows): from the value index alone
   * when the lookup is indexed (a table's own lookups are, by default), else from every row.
   */
  async lookupIds(entity: string, valueProperty: string): Promise<string[]> {
    if (this.#isIndexedLookup(entity, valueProperty)) {
      const keys = await this.#db.records
        .where("_ix")
        .between([entity, valueProperty, ""], [entity, valueProperty, "\uffff"], true, true)
        .uniqueKeys();
      return keys.map((k) => String((k as unknown as IndexEntry)[2]));
    }
    const ids = new Set<string>();
    for (const row of await this.queryRows(entity)) {
      const id = normalize("guid", row[valueProperty]);
      if (typeof id === "string") ids.add(id);
    }
    return [...ids];
  }

  /** Is `property` a lookup value property of `entity` with entries in the value index? */
  #isIndexedLookup(entity: string, property: string): boolean {
    return this.#indexColumns(entity).some((c) => c.property === property && c.type === "guid");
  }

  // ── Outbox (for the sync engine) ─────────────────────────────────────────────────────────────

  /** The sync engine's outbox port over this store (one per engine; see outbox-port.ts). */
  outboxPort(): OutboxPort {
    return createOutboxPort(this, this.#db);
  }

  /** Up to `limit` entries after `afterSeq`, in sequence order, each with what still blocks it. */
  peekOutbox(options: PeekOptions = {}): Promise<OutboxItem[]> {
    return peekOutbox(this.#db, options);
  }

  /** Entries waiting to be sent (failures not included). An index count. */
  pendingCount(): Promise<number> {
    return this.#db.outbox.count();
  }

  /** Queued entries and failures. */
  counts(): Promise<{ pending: number; failed: number }> {
    return outboxCounts(this.#db);
  }

  /**
   * Records a whole round of answers (acknowledged, retry, failed) in one transaction; entries
   * marked sent by the outbox port's `markAttempt` get that attempt counted and leave the
   * in-flight list (in-flight.ts).
   */
  async settle(settlements: readonly Settlement[]): Promise<void> {
    await (await loadSyncSide()).settle(this.#db, this.metadata, settlements, this.#now);
    this.#notifier.notify("settle");
  }

  // ── Failures ─────────────────────────────────────────────────────────────────────────────────

  /** Every kept failure, oldest change first. */
  async failures(): Promise<SyncFailure[]> {
    const all = await this.#db.failures.toArray();
    // The contract's shape: the bookkeeping retry and discard need stays inside.
    return all
      .sort((a, b) => (a.seqs[0] ?? 0) - (b.seqs[0] ?? 0))
      .map(({ changeKeys: _k, entries: _e, ...failure }) => {
        const { raw: _raw, ...rest } = failure as typeof failure & { raw?: unknown };
        return rest;
      });
  }

  /** Puts a failure's entries back in the outbox at their original positions. */
  async retryFailure(id: string): Promise<void> {
    await (await loadSyncSide()).retryFailure(this.#db, id);
    this.#notifier.notify("failure");
  }

  /** Gives a failed change up and reverts it locally (see failure-actions.ts for dependants). */
  async discardFailure(id: string): Promise<DiscardResult> {
    const result = await (await loadSyncSide()).discardFailure(this.#db, this.metadata, id);
    this.#notifier.notify("failure");
    return result;
  }

  // ── Pull side ────────────────────────────────────────────────────────────────────────────────

  /** Writes pulled rows (never over pending local columns) and the checkpoint, atomically. */
  async applyServerRows(
    entity: string,
    rows: readonly Readonly<Record<string, unknown>>[],
    options: ApplyServerRowsOptions = {},
  ): Promise<ApplyServerRowsResult> {
    const { applyServerRows } = await loadSyncSide();
    const result = await applyServerRows(this.#db, this.metadata, entity, rows, options, this.#now);
    this.#notifier.notify("pull");
    return result;
  }

  async getCheckpoint(key: string): Promise<unknown> {
    return (await this.#db.checkpoints.get(key))?.value;
  }

  async setCheckpoint(key: string, value: unknown): Promise<void> {
    await this.#db.checkpoints.put({ key, value, savedAt: this.#now().toISOString() });
  }

  /** Small persistent settings (e.g. cached `$metadata`). Never store tokens here (invariant 7). */
  async getMeta(key: string): Promise<unknown> {
    return (await this.#db.meta.get(key))?.value;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.#db.meta.put({ key, value });
  }

  // ── Change notifications ─────────────────────────────────────────────────────────────────────

  /**
   * Calls `listener` after every committed change made through this store, and (where
   * BroadcastChannel exists) after changes other tabs make to the same database.
   */
  subscribe(listener: (change: StoreChange) => void): () => void {
    return this.#notifier.subscribe(listener);
  }

  /** Waits for writes in flight, then closes the database. */
  async close(): Promise<void> {
    this.#notifier.close();
    await this.#committer.idle();
    this.#db.close();
  }
}
