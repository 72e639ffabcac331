/**
 * The ports of the sync engine: everything it needs from the outside world, as small interfaces.
 * The engine core (upstream/, sync-engine.ts) sees only these; adapters (adapters/) bind them to
 * the store (Dexie), the transport (fetch) and the browser. Tests bind them to in-memory fakes.
 */
import type { SyncErrorType, WriteOperation } from "@xrm-offline/odata";
import type { Observable } from "rxjs";

/** One queued local write, as the engine sees it. */
export interface OutboxEntry {
  /** Position in the outbox: strictly increasing in the order the writes were made. */
  readonly seq: number;
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
   * The server version (`@odata.etag`) the local change was made on, when known. Sent as
   * `If-Match` on updates when conflict detection is on.
   */
  readonly baseEtag?: string | null;
}

/** What a failure holds, shaped like a row of Dataverse's `syncerror` table. */
export interface SyncFailureInit {
  /** "Create" | "Update" | "Delete", as syncerror.action. */
  readonly action: "Create" | "Update" | "Delete";
  readonly entityLogicalName: string;
  readonly recordId: string;
  /** The change that failed (columns and lookups), as syncerror.actiondata. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Positive decimal Dataverse code, as Xrm.WebApi reports it. */
  readonly errorCode: number;
  /** Hex form: "0x80040237". */
  readonly code: string;
  readonly message: string;
  /** syncerror.errortype: 0 conflict, 1 record not found, 2 record already exists, 3 other. */
  readonly errorType: SyncErrorType;
  readonly httpStatus: number;
  /** ISO time of the server's answer (syncerror.errortime). */
  readonly errorTime: string;
}

export type { SyncErrorType };

/** A kept failure, as `failures()` lists it. */
export interface SyncFailure extends SyncFailureInit {
  readonly id: string;
  /** The outbox entries it holds back (one, or several merged updates of one record). */
  readonly seqs: readonly number[];
  /** Attempts made, the failing one included, when the outbox counts them. */
  readonly attempts?: number;
}

/** The engine's verdict on one sent write, recorded in one go per round by `OutboxPort.settle`. */
export type Settlement =
  | {
      /** The server applied it (or, after an unknown outcome, had already applied it). */
      readonly kind: "acknowledged";
      readonly seqs: readonly number[];
      readonly operation: WriteOperation;
      /** The record's new server version, when the answer carried one. */
      readonly etag?: string;
    }
  | {
      /** Not applied, or not known to be: stays pending and is sent again later. */
      readonly kind: "retry";
      readonly seqs: readonly number[];
      /** The attempt may have been applied (sets the sticky `outcomeUnknown`). */
      readonly outcomeUnknown: boolean;
      readonly error: SyncErrorInfo;
    }
  | {
      /** Rejected for good: becomes a failure; the local record is marked. */
      readonly kind: "failed";
      readonly seqs: readonly number[];
      readonly operation: WriteOperation;
      readonly failure: SyncFailureInit;
      /**
       * Conflict (server wins): the server's current record, to refresh the local copy with;
       * null when the server no longer has it. Absent for other failures.
       */
      readonly serverRecord?: Readonly<Record<string, unknown>> | null;
    };

/** What the engine needs from the durable outbox (the store). */
export interface OutboxPort {
  /** Names the database; the runner lock is keyed by it (one runner per database). */
  readonly name: string;
  /**
   * Up to `limit` entries with `seq > afterSeq`, in seq order, pending and failed alike (failed
   * ones block their dependants). The engine pages with this; it never loads the whole outbox.
   */
  page(afterSeq: number, limit: number): Promise<readonly OutboxEntry[]>;
  counts(): Promise<{ readonly pending: number; readonly failed: number }>;
  /**
   * Persist, before the request leaves, that these entries are being sent (attempts + 1), and that
   * their answer is awaited. An entry still awaiting an answer from an earlier mark (the runner
   * died before `settle`) has an unknown outcome from then on: `outcomeUnknown` becomes true and
   * stays true, whatever later `settle` calls say.
   */
  markAttempt(seqs: readonly number[]): Promise<void>;
  /**
   * Record the answers of one round atomically; acknowledged entries leave the outbox here, failed
   * ones become failures, the others stay pending (and `outcomeUnknown ||= settlement's`). Every
   * settled entry stops awaiting its answer.
   */
  settle(settlements: readonly Settlement[]): Promise<void>;
  failures(): Promise<readonly SyncFailure[]>;
  /** Put a failure's entries back in the queue. Rejects with an XrmError for an unknown id. */
  retryFailure(failureId: string): Promise<void>;
  /** Drop a failure and its entries (the user gives the change up). */
  discardFailure(failureId: string): Promise<void>;
  /** Emits when the outbox changes, from any tab (optional; `notifyLocalWrite` also works). */
  readonly changes$?: Observable<unknown>;
}

/** One write as the remote should send it. The remote renders it to the wire. */
export interface RemoteWrite {
  readonly operation: WriteOperation;
  /** `If-Match` for updates: "*" (never resurrect a deleted record) or the base ETag. */
  readonly ifMatch?: string;
  /** Ask for the record's new ETag in the answer (`Prefer: return=representation`). */
  readonly returnEtag: boolean;
}

/** Why a request or a part failed. */
export interface RemoteError {
  /** HTTP status of the answer; 0 when none arrived (network, timeout). */
  readonly status: number;
  /** Positive decimal Dataverse code. */
  readonly errorCode: number;
  readonly message: string;
  /** Worth retrying unchanged (network, timeout, throttling, 5xx). */
  readonly retryable: boolean;
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  readonly retryAfterMs?: number;
  /** The request may have been applied (reset after sending, truncated answer, gateway timeout). */
  readonly outcomeUnknown: boolean;
}

export type RemoteResult =
  | { readonly ok: true; readonly status: number; readonly etag?: string }
  | { readonly ok: false; readonly error: RemoteError };

/** A `$batch` either answered part by part, or failed as a whole (nothing known per part). */
export type RemoteBatchResult =
  | { readonly ok: true; readonly results: readonly RemoteResult[] }
  | { readonly ok: false; readonly error: RemoteError };

export type RemoteRecordResult =
  | { readonly ok: true; readonly record: Readonly<Record<string, unknown>> | null }
  | { readonly ok: false; readonly error: RemoteError };

/**
 * What the engine needs from the Web API. Methods resolve with failures as values; a method that
 * throws anyway is treated as a network error with an unknown outcome.
 */
export interface RemotePort {
  send(write: RemoteWrite, signal: AbortSignal): Promise<RemoteResult>;
  /** Independent requests in one `$batch` with continue-on-error; one result per write, in order. */
  sendBatch(writes: readonly RemoteWrite[], signal: AbortSignal): Promise<RemoteBatchResult>;
  /** The server's current record (with `@odata.etag`), or null when it does not exist. */
  retrieve(operation: WriteOperation, signal: AbortSignal): Promise<RemoteRecordResult>;
}

/** Online / offline, as an rxjs stream; the latest value counts. */
export type ConnectivityPort = Observable<boolean>;

export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Serialises runners of one database across tabs and workers (Web Locks) or within a process. */
export interface RunnerLock {
  /** Runs `job` while holding the lock named `name`; waits for it; gives up when `signal` aborts. */
  run<T>(name: string, signal: AbortSignal, job: () => Promise<T>): Promise<T>;
}

/** `{ errorCode, message }`, the error shape Xrm.WebApi callers know. */
export interface SyncErrorInfo {
  readonly errorCode: number;
  readonly message: string;
}
