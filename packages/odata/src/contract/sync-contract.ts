/**
 * The sync contract: the types the store, the sync engine and the public facade exchange about
 * the outbox, defined once. The store implements `OutboxPort`; the engine drives it and reports
 * `SyncStatus` / `SyncReport`; `createWebApi().sync` shows them unchanged. Types only, plain JSON
 * (everything here may be persisted in IndexedDB or posted to a worker), no runtime dependency:
 * it sits next to the canonical `WriteOperation` it carries. See docs/architecture.md.
 */
import type { SyncErrorType } from "../errors/error-type.ts";
import type { WriteOperation } from "../write/write-operation.ts";

/** `{ errorCode, message }`, the error shape Xrm.WebApi callers know. */
export interface ErrorInfo {
  /** Positive decimal Dataverse code (2147746327). */
  readonly errorCode: number;
  readonly message: string;
}

/** One queued local write, as the outbox hands it to the engine. */
export interface OutboxEntry {
  /** Position in the outbox: strictly increasing in the order the writes were made. */
  readonly seq: number;
  /** The canonical write (what the caller asked for); rendered to HTTP only when sent. */
  readonly operation: WriteOperation;
  /** "failed": kept as a failure until the user retries or discards it; blocks its dependants. */
  readonly state: "pending" | "failed";
  /** How many times it was handed to the remote (persisted, survives restarts). */
  readonly attempts: number;
  /**
   * An earlier attempt may have been applied by the server although no answer was recorded:
   * a timeout, a reset connection, a truncated answer, or a crash between sending and recording
   * (an attempt marked by `markAttempt` and never settled). Sticky: once true it stays true.
   */
  readonly outcomeUnknown: boolean;
  /**
   * The server version (`@odata.etag`) to send as `If-Match` on updates when conflict detection
   * is on: the record's current server ETag, else the one the change was made on; null or
   * absent: unknown.
   */
  readonly baseEtag?: string | null;
}

/** syncerror.action; "Upload": a file or image column upload (xrm-offline's own: syncerror has no such action). */
export type FailureAction = "Create" | "Update" | "Delete" | "Upload";

/** A failure as the engine reports it: shaped like a row of Dataverse's `syncerror` table. */
export interface SyncFailureInit extends ErrorInfo {
  readonly action: FailureAction;
  /** Entity logical name. */
  readonly entity: string;
  readonly recordId: string;
  /** The change as sent: the request body (syncerror.actiondata); `{}` for a delete. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Hex form of errorCode ("0x80040237"). */
  readonly code: string;
  /** syncerror.errortype: 0 conflict, 1 record not found, 2 record already exists, 3 other. */
  readonly errorType: SyncErrorType;
  /** HTTP status of the answer; 0 when none arrived. Absent on failures kept by older versions. */
  readonly httpStatus?: number;
  /** ISO time of the server's answer (syncerror.errortime). */
  readonly time: string;
}

/**
 * A kept failure, as `failures()` lists it: kept and shown until the user retries or discards it.
 * One failure holds the entries that failed together (one, or several updates of one record the
 * engine merged into one request).
 */
export interface SyncFailure extends SyncFailureInit {
  /** Stable id (the first entry's sequence number, as a string). */
  readonly id: string;
  /** Sequence numbers of its entries, ascending. */
  readonly seqs: readonly number[];
  /** Attempts made, the failing one included. */
  readonly attempts: number;
}

/** The engine's verdict on sent entries; `OutboxPort.settle` records a round of them at once. */
export type Settlement =
  | {
      /** The server applied it (or, after an unknown outcome, had already applied it). */
      readonly kind: "acknowledged";
      readonly seqs: readonly number[];
      /** The record's new server version (`W/"536531"`), when the answer carried one. */
      readonly etag?: string;
      /** The record as the server returned it (`Prefer: return=representation`), Web API shape. */
      readonly row?: Readonly<Record<string, unknown>>;
    }
  | {
      /** Not applied, or not known to be: stays pending and is sent again later. */
      readonly kind: "retry";
      readonly seqs: readonly number[];
      /** The attempt may have been applied (sets the sticky `outcomeUnknown`). */
      readonly outcomeUnknown: boolean;
      readonly error?: ErrorInfo;
    }
  | {
      /** Rejected for good: the entries become one failure and the record is marked failed. */
      readonly kind: "failed";
      readonly seqs: readonly number[];
      readonly failure: SyncFailureInit;
      /**
       * Conflict (server wins): the server's current record, kept as the record's server state so
       * discarding the failure reverts to it; null when the server no longer has the record.
       * Absent for other failures.
       */
      readonly serverRecord?: Readonly<Record<string, unknown>> | null;
    };

/** What waits in a queue and what it keeps as failures: the outbox's entries, or the file uploads'. */
export interface OutboxCounts {
  /** Entries waiting to be sent (failures not included). */
  readonly pending: number;
  /** Entries kept as failures. */
  readonly failed: number;
}

/** What `discardFailure` gave up. */
export interface DiscardResult {
  /** Sequence numbers of every queued or failed change given up, ascending. */
  readonly discarded: number[];
}

/** What the sync engine needs from the durable outbox; the store implements it. */
export interface OutboxPort {
  /** Names the database; the runner lock is keyed by it (one runner per database). */
  readonly name: string;
  /**
   * Up to `limit` entries with `seq > afterSeq`, in seq order, pending and failed alike (failed
   * ones block their dependants). The engine pages with this; it never loads the whole outbox.
   */
  page(afterSeq: number, limit: number): Promise<readonly OutboxEntry[]>;
  counts(): Promise<OutboxCounts>;
  /**
   * Persist, before the request leaves, that these entries are being sent (attempts + 1) and that
   * their answer is awaited. An entry still awaiting an answer from an earlier mark (the runner
   * died before `settle`) has an unknown outcome from then on.
   */
  markAttempt(seqs: readonly number[]): Promise<void>;
  /**
   * Record the answers of one round atomically: acknowledged entries leave the outbox, failed ones
   * become failures, the others stay pending (`outcomeUnknown ||=`). Every settled entry stops
   * awaiting its answer.
   */
  settle(settlements: readonly Settlement[]): Promise<void>;
  /** Every kept failure, oldest change first. */
  failures(): Promise<readonly SyncFailure[]>;
  /** Put a failure's entries back in the queue. Rejects with an XrmError for an unknown id. */
  retryFailure(failureId: string): Promise<void>;
  /** Give a failure's change up (reverted locally). Rejects with an XrmError for an unknown id. */
  discardFailure(failureId: string): Promise<DiscardResult>;
  /**
   * Calls `listener` when the outbox changes by a local write or a failure action, in this tab or
   * another one (not by `settle`). Returns the unsubscribe function. Optional.
   */
  onOutboxChange?(listener: () => void): () => void;
}

/** What `status$` shows. */
export interface SyncStatus {
  readonly connectivity: "online" | "offline";
  readonly phase: "idle" | "pushing" | "pulling" | "backing-off" | "error";
  /**
   * Changes still to send (failures not included): outbox entries, and file or image column
   * uploads waiting to go when the engine has them (a note's body is part of its note's entry).
   */
  readonly pending: number;
  /** Changes kept as failures: outbox entries, and file or image column uploads the server refused. */
  readonly failed: number;
  readonly progress: SyncProgress | null;
  /**
   * Files on their way to the server, in the order they go: a file or image column's bytes, or a
   * note's (email attachment's) body. Each shows the bytes the server has acknowledged so far; a
   * file leaves the list once it is uploaded, refused or put off to a later cycle. Empty between
   * uploads.
   */
  readonly uploads: readonly UploadTransfer[];
  /** When a cycle last ended with everything it could send sent (ISO time). */
  readonly lastSyncedAt: string | null;
  readonly lastError: ErrorInfo | null;
}

/**
 * Progress of the push, or of the pull of `table` (rows; `total` is `done` while the server has
 * not said how many rows to expect). A pull's `total` is an estimate (past Dataverse's 5,000-row
 * `$count` cap, a snapshot count): never below `done`.
 */
export interface SyncProgress {
  readonly done: number;
  readonly total: number;
  readonly table?: string;
}

/** One file being uploaded, as `status$.uploads` shows it. */
export interface UploadTransfer {
  readonly entity: string;
  readonly recordId: string;
  /** The file or image column, or the attachment column (`documentbody` of a note). */
  readonly column: string;
  /** The file's name ("" for a note without `filename`). */
  readonly fileName: string;
  /** Bytes the server has acknowledged (a note's body counts once its write is acknowledged). */
  readonly sentBytes: number;
  readonly totalBytes: number;
}

/** What `syncNow()` resolves with: the cycle it ran. */
export interface SyncReport {
  /** Outbox entries the server acknowledged. */
  readonly pushed: number;
  /** Entries, and file or image column uploads, newly kept as failures (conflicts included). */
  readonly failed: number;
  /** Of those, conflicts (errorType 0). */
  readonly conflicts: number;
  /** Entries, and file or image column uploads, still to send afterwards. */
  readonly pending: number;
}
