/**
 * The ports of the sync engine: everything it needs from the outside world, as small interfaces.
 * The engine core (upstream/, sync-engine.ts) sees only these. The outbox port is part of the sync
 * contract (`OutboxPort` in `@xrm-offline/odata`), implemented by the store (`store.outboxPort()`);
 * adapters (adapters/) bind the others to the transport (fetch) and the browser. Tests bind them
 * to in-memory fakes.
 */
import type { OutboxCounts, WriteOperation } from "@xrm-offline/odata";
import type { Observable } from "rxjs";

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
  /**
   * The request body `write` is sent with (`{}` for a delete): a failure shows it as
   * syncerror.actiondata, "the change as sent".
   */
  bodyOf(operation: WriteOperation): Readonly<Record<string, unknown>>;
  send(write: RemoteWrite, signal: AbortSignal): Promise<RemoteResult>;
  /** Independent requests in one `$batch` with continue-on-error; one result per write, in order. */
  sendBatch(writes: readonly RemoteWrite[], signal: AbortSignal): Promise<RemoteBatchResult>;
  /** The server's current record (with `@odata.etag`), or null when it does not exist. */
  retrieve(operation: WriteOperation, signal: AbortSignal): Promise<RemoteRecordResult>;
}

/** Online / offline, as an rxjs stream; the latest value counts. */
export type ConnectivityPort = Observable<boolean>;

/**
 * Time for the engine. Waits (backoff, `Retry-After`, debounce, timers) are measured on the
 * monotonic clock, which a wall-clock step (NTP, the user, a time zone fix) doesn't move; the wall
 * clock only stamps what people read (`lastSyncedAt`, a failure's time). Nothing wall-clock based
 * decides when to send.
 */
export interface Clock {
  /** Wall-clock time, epoch ms: for timestamps only. */
  now(): number;
  /** Monotonic time, ms from an arbitrary origin (`performance.now()`): for every wait. */
  monotonic(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Serialises runners of one database across tabs and workers (Web Locks) or within a process. */
export interface RunnerLock {
  /** Runs `job` while holding the lock named `name`; waits for it; gives up when `signal` aborts. */
  run<T>(name: string, signal: AbortSignal, job: () => Promise<T>): Promise<T>;
}

/**
 * Files sent apart from the outbox (file and image columns; the store's uploads table). The engine
 * counts them with the outbox's entries in `status$.pending` / `status$.failed`, `pendingCount()`
 * and the `syncNow()` report, and sends them after the pushes (their records exist on the server
 * by then), before the `pull` hook, with the pull's backoff. Note bodies are not here: they travel
 * inside their note's outbox entry and count as that entry.
 */
export interface FileUploadsPort {
  /** Uploads waiting to go (`pending`) and refused for good, kept until retried or discarded (`failed`). */
  counts(): Promise<OutboxCounts>;
  /**
   * Sends what is ready. `failed`: newly refused for good; `error`: the transient error that ended
   * the round (the rest waits for the backoff).
   */
  send(
    signal: AbortSignal,
  ): Promise<{ readonly uploaded: number; readonly failed: number; readonly error?: unknown }>;
  /**
   * Calls `listener` when files are set, retried or discarded — in this tab, another tab or the
   * page of a sync worker — so the engine counts again and sends; returns an unsubscribe function.
   */
  onFilesChange?(listener: () => void): () => void;
}
