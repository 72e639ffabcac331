/**
 * What the store keeps in IndexedDB. Everything here is plain JSON (structured-clone safe).
 * Record rows are the Web API shape of the record plus bookkeeping fields whose names start with
 * `_` and never end in `_value` (so they cannot collide with a Dataverse property name); they are
 * stripped by `publicRecord` before anything reaches a caller.
 */
import type { Settlement, SyncFailure, WriteOperation } from "@xrm-offline/odata";

/** A record's synchronisation state, derived from its pending and failed changes. */
export type SyncState = "synced" | "pending" | "failed";

export type ChangeKind = WriteOperation["kind"];

/** One local change of a record that the server has not acknowledged yet. */
export interface RecordChange {
  /**
   * The change's number within its record (1, 2, …; never reused while the row exists). With the
   * entity and id it forms the change key (`account|<id>|3`) its outbox entry carries: the row
   * needs no outbox sequence number, so a write never waits for IndexedDB to assign one.
   */
  readonly no: number;
  readonly kind: ChangeKind;
  /** Web API property names the change wrote (`name`, `_primarycontactid_value`). */
  readonly columns: readonly string[];
  /** True while the change sits in the failures table instead of the outbox. */
  readonly failed: boolean;
}

/** Bookkeeping fields of a stored record (the rest of the row is the Web API shape). */
export interface RecordBookkeeping {
  /** Entity logical name. */
  readonly _entity: string;
  /** Lower-case GUID. */
  readonly _id: string;
  /** Local changes not yet acknowledged by the server, oldest first. */
  readonly _changes: readonly RecordChange[];
  /** Number of the latest change made to this row (the next one gets `_lastChange + 1`). */
  readonly _lastChange: number;
  /**
   * The server's values of the columns that have pending local changes, by column, each as its
   * column group (`{ "_x_value": …, "_x_value@…lookuplogicalname": … }`; `{}` when the server has
   * no value). Lets a discarded change be reverted and keeps pulled values of pending columns.
   * `null` while the record exists only on this device (created offline, not acknowledged).
   */
  readonly _server: Readonly<Record<string, Readonly<Record<string, unknown>>>> | null;
  /** Weak ETag the server last reported (`W/"536530"`), if any. */
  readonly _serverEtag?: string;
  readonly _syncState: SyncState;
  /** Deleted locally; the delete is queued. Hidden from reads, kept so pulls cannot resurrect it. */
  readonly _deleted: boolean;
}

export type StoredRecord = RecordBookkeeping & { readonly [property: string]: unknown };

/** Reference to a record. */
export interface RecordRef {
  readonly entity: string;
  readonly id: string;
}

/** What the last attempt of a retried entry was answered with (diagnostics only). */
export interface AttemptError {
  readonly errorCode: number;
  readonly message: string;
  /** ISO time of the answer. */
  readonly at: string;
}

/**
 * One queued write. Primary key `seq` (auto-increment): the order of the calls that made them.
 * It holds the canonical operation only: the Web API request is rendered from it when it is sent
 * (sync's remote port), with the ETag and headers of that moment. Rows written by earlier versions
 * also carry `request`, `state` and `nextAttemptAt`; nothing reads those fields any more.
 */
export interface OutboxRow {
  readonly seq: number;
  readonly entity: string;
  readonly recordId: string;
  readonly kind: ChangeKind;
  /** The record change it carries (`RecordChange.no`). */
  readonly change: number;
  /** `<entity>|<recordId>|<change>`: indexed, so dependencies resolve without scans. */
  readonly changeKey: string;
  /** The canonical write operation (what the caller asked for). */
  readonly operation: WriteOperation;
  /**
   * Change keys of the entries this one must wait for: the record's previous change (which waits
   * for its own predecessor: a chain), and the creates of lookup targets made on this device and
   * not yet acknowledged. An entry is blocked while any of them is still queued or failed
   * (`OutboxItem.blockedBy` resolves them to sequence numbers).
   */
  readonly after: readonly string[];
  /** The records behind `after`. */
  readonly dependsOnRecords: readonly RecordRef[];
  /** The record's server ETag when the change was made (for `If-Match` with conflict detection). */
  readonly baseEtag?: string;
  readonly attempts: number;
  /**
   * An attempt may have reached the server without its answer being recorded (timeout, reset
   * connection, crash between send and settle). Sticky once set: a re-sent create answered with
   * "duplicate" then counts as success.
   */
  readonly outcomeUnknown: boolean;
  /**
   * The error of the last attempt when it was retried (a transient answer). The engine keeps its
   * own backoff in memory and never reads this; it is there for diagnostics screens.
   */
  readonly lastError?: AttemptError;
  /** ISO time the change was made. */
  readonly createdAt: string;
}

/** An outbox entry as `peekOutbox` returns it, with the dependencies that still block it. */
export interface OutboxItem extends OutboxRow {
  /**
   * Sequence numbers of the entries named by `after` that are still in the outbox or the
   * failures table, ascending. Empty: nothing blocks it.
   */
  readonly blockedBy: readonly number[];
  /** Set when the entry sits in the failures table (listed with `includeFailed`). */
  readonly failureId?: string;
}

/**
 * A kept failure as stored: the contract's `SyncFailure` plus what retry and discard need. Rows
 * written before `httpStatus` or `seqs` ordering existed still read as this shape.
 */
export interface FailureRow extends SyncFailure {
  /** Change keys of its entries (indexed: a blocked entry finds it). */
  readonly changeKeys: readonly string[];
  /** The outbox entries, so `retryFailure` can put them back unchanged at their positions. */
  readonly entries: readonly OutboxRow[];
}

/** What the server said about an acknowledged entry (`Settlement` "acknowledged"). */
export type ServerAck = Pick<Extract<Settlement, { kind: "acknowledged" }>, "etag" | "row">;

export interface Checkpoint {
  readonly key: string;
  readonly value: unknown;
  /** ISO time it was saved. */
  readonly savedAt: string;
}

export interface MetaRow {
  readonly key: string;
  readonly value: unknown;
}
