import { Dexie, type Table } from "dexie";
import type { FileUpload, StoredBlob } from "./file-uploads.ts";
import { SCHEMA_VERSIONS, type SchemaVersion } from "./schema.ts";
import type { Checkpoint, FailureRow, MetaRow, OutboxRow, StoredRecord } from "./store-types.ts";

export interface XrmDatabaseOptions {
  /** IndexedDB factory; defaults to the global one (pass fake-indexeddb's outside browsers). */
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /**
   * Chrome transaction durability. Default "strict": a write call resolves only after its
   * transaction is flushed to disk. Chrome's own default became "relaxed" in Chrome 121, where
   * `complete` fires once data reaches the OS buffer and an acknowledged write can be lost on
   * power failure — which would break invariant 1 ("a call that resolves has durably queued its
   * change"). Group commit pays the flush once per group, not once per call.
   */
  readonly durability?: "strict" | "relaxed" | "default";
  /** Dexie addons, applied before the database opens (middleware: diagnostics, fault injection). */
  readonly addons?: readonly ((db: Dexie) => void)[];
  /** Schema history; tests pass a longer list to exercise upgrades. */
  readonly schema?: readonly SchemaVersion[];
}

/** The Dexie database: records, outbox, failures, checkpoints, meta. */
export class XrmDatabase extends Dexie {
  declare readonly records: Table<StoredRecord, [string, string]>;
  declare readonly outbox: Table<OutboxRow, number>;
  declare readonly failures: Table<FailureRow, string>;
  declare readonly checkpoints: Table<Checkpoint, string>;
  declare readonly meta: Table<MetaRow, string>;
  declare readonly blobs: Table<StoredBlob, string>;
  declare readonly uploads: Table<FileUpload, string>;

  constructor(name: string, options: XrmDatabaseOptions = {}) {
    super(name, {
      ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
      ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
      ...(options.addons ? { addons: [...options.addons] } : {}),
      chromeTransactionDurability: options.durability ?? "strict",
      // No optimistic liveQuery cache: nothing here uses liveQuery, and the cache costs a clone
      // of every written row.
      cache: "disabled",
    });
    for (const v of options.schema ?? SCHEMA_VERSIONS) {
      const version = this.version(v.version).stores(v.stores);
      if (v.upgrade) version.upgrade(v.upgrade);
    }
  }
}
