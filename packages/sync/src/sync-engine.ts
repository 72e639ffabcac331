import {
  type DiscardResult,
  type ErrorInfo,
  type OutboxPort,
  type SyncFailure,
  type SyncReport,
  type SyncStatus,
  XrmError,
  xrmError,
} from "@xrm-offline/odata";
import { BehaviorSubject, distinctUntilChanged, map, type Observable, type Unsubscribable } from "rxjs";
import { systemClock } from "./clock.ts";
import type { Clock, ConnectivityPort, RemotePort, RunnerLock } from "./ports.ts";
import { createRunnerLock } from "./runner-lock.ts";
import { type EngineAction, type EngineState, initialState, reduce, toStatus } from "./sync-state.ts";
import { BackoffBook, type RetryPolicy } from "./upstream/backoff-book.ts";
import { pushAll } from "./upstream/push-loop.ts";

export interface SyncEngineOptions {
  readonly outbox: OutboxPort;
  readonly remote: RemotePort;
  /** Online/offline; see `createConnectivity` for the browser default (events + server probe). */
  readonly connectivity: ConnectivityPort;
  readonly clock?: Clock;
  /** Default: Web Locks when available, else an in-process lock (see runner-lock.ts). */
  readonly lock?: RunnerLock;
  /** Default `xrm-offline-sync:<outbox.name>`. */
  readonly lockName?: string;
  /** Writes per `$batch`; 1 sends each write on its own. Default 100. */
  readonly batchSize?: number;
  /**
   * Rounds (`$batch` requests) in flight at once: the next one is planned and sent while the
   * answers of the previous one are recorded. Default 2.
   */
  readonly concurrency?: number;
  /**
   * Default false: updates carry `If-Match: *` and the last write of each column wins, like
   * Dataverse mobile offline. True: updates carry the record's ETag, and a changed server record
   * is a conflict — server wins, the local record is refreshed, the change is kept as a failure.
   */
  readonly conflictDetection?: boolean;
  /** Wait after a local write before syncing, to gather a burst of writes. Default 250 ms. */
  readonly debounceMs?: number;
  /** Default `{ baseMs: 1000, capMs: 300_000 }`. */
  readonly retry?: RetryPolicy;
  /**
   * Runs after each push, in the same cycle and under the same lock (downstream sync, e.g.
   * `createPuller(…).pull`); what it reports through `onProgress` shows in `status$.progress`.
   * When it fails, it is tried again with the retry policy's backoff (pushes are not held back).
   */
  readonly pull?: (signal: AbortSignal, onProgress: (progress: PullProgressInfo) => void) => Promise<unknown>;
  /** Periodic sync: a cycle this many ms after the last one ended, while started. Default: none. */
  readonly intervalMs?: number;
}

/** Progress of a pull, as the `pull` hook reports it. */
export interface PullProgressInfo {
  readonly table: string;
  readonly done: number;
  /** null: unknown. */
  readonly total: number | null;
}

export interface SyncEngine {
  readonly status$: Observable<SyncStatus>;
  /** Starts listening to connectivity and local writes, and runs a first cycle. Idempotent. */
  start(): void;
  /** Stops; a cycle in flight is aborted (nothing is settled after that). Can be started again. */
  stop(): Promise<void>;
  /** Stops for good and completes `status$`. */
  close(): Promise<void>;
  /** A local write happened (this tab): sync after `debounceMs`. */
  notifyLocalWrite(): void;
  /** Runs a cycle now (starting the engine if needed) and resolves with what it did. */
  syncNow(): Promise<SyncReport>;
  pendingCount(): Promise<number>;
  failures(): Promise<readonly SyncFailure[]>;
  /** Sends a failure's change again. */
  retry(failureId: string): Promise<void>;
  /** Gives a failure's change up (reverted locally); resolves with the entries given up. */
  discard(failureId: string): Promise<DiscardResult>;
}

/**
 * A `syncNow()` caller. It is answered by the first cycle that starts after the call; if a cycle
 * was already running at the call, what that one did is counted in too (it may have sent the
 * caller's writes, and the next cycle then has nothing left to report).
 */
interface Waiter {
  resolve(report: SyncReport): void;
  reject(error: unknown): void;
  pushed: number;
  failed: number;
  conflicts: number;
}

function waiter(resolve: (r: SyncReport) => void, reject: (e: unknown) => void): Waiter {
  return { resolve, reject, pushed: 0, failed: 0, conflicts: 0 };
}

const DEFAULT_RETRY: RetryPolicy = { baseMs: 1000, capMs: 300_000 };

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  return new Engine(options);
}

class Engine implements SyncEngine {
  readonly #o: Required<
    Pick<SyncEngineOptions, "batchSize" | "concurrency" | "conflictDetection" | "debounceMs" | "lockName">
  > &
    SyncEngineOptions;
  readonly #clock: Clock;
  readonly #lock: RunnerLock;
  readonly #state = new BehaviorSubject<EngineState>(initialState);
  readonly #book: BackoffBook;
  /** Backoff of the pull alone: a failing pull does not hold pushes back. */
  readonly #pullBook: BackoffBook;
  readonly #solo = new Set<number>();
  readonly status$: Observable<SyncStatus>;

  #session: AbortController | null = null;
  #subscriptions: Unsubscribable[] = [];
  #closed = false;
  #pump: Promise<void> | null = null;
  #wanted = false;
  #force = false;
  #waiters: Waiter[] = [];
  #debouncing = false;
  #timer: { at: number; abort: AbortController } | null = null;

  constructor(options: SyncEngineOptions) {
    const batchSize = options.batchSize ?? 100;
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
      throw xrmError("InvalidArgument", "batchSize must be an integer from 1 to 1000.");
    }
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
      throw xrmError("InvalidArgument", "concurrency must be an integer from 1 to 16.");
    }
    const interval = options.intervalMs;
    if (interval !== undefined && !(Number.isFinite(interval) && interval >= 1)) {
      throw xrmError("InvalidArgument", "intervalMs must be a number of milliseconds, at least 1.");
    }
    this.#o = {
      ...options,
      batchSize,
      concurrency,
      conflictDetection: options.conflictDetection ?? false,
      debounceMs: options.debounceMs ?? 250,
      lockName: options.lockName ?? `xrm-offline-sync:${options.outbox.name}`,
    };
    this.#clock = options.clock ?? systemClock;
    this.#lock = options.lock ?? createRunnerLock();
    this.#book = new BackoffBook(options.retry ?? DEFAULT_RETRY);
    this.#pullBook = new BackoffBook(options.retry ?? DEFAULT_RETRY);
    this.status$ = this.#state.pipe(
      map(toStatus),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    );
  }

  start(): void {
    this.#start();
  }

  /** `first`: a syncNow waiter that the first cycle answers. */
  #start(first?: Waiter): void {
    if (this.#closed) throw xrmError("RequestAborted", "The sync engine is closed.");
    if (this.#session) return;
    const session = new AbortController();
    this.#session = session;
    this.#dispatch({ type: "started" });
    if (first) this.#waiters.push(first);
    let online: boolean | undefined;
    this.#subscriptions.push(
      this.#o.connectivity.subscribe((value) => {
        if (value === online) return;
        online = value;
        this.#dispatch({ type: "connectivity", online: value });
        // Back online: whatever made us back off may be gone (Retry-After still holds).
        if (value) this.#request(true);
      }),
    );
    const unsubscribe = this.#o.outbox.onOutboxChange?.(() => this.notifyLocalWrite());
    if (unsubscribe) this.#subscriptions.push({ unsubscribe });
    void this.#refreshCounts();
    this.#request(true);
  }

  async stop(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#session = null;
    session.abort(xrmError("RequestAborted", "The sync engine was stopped."));
    for (const s of this.#subscriptions) s.unsubscribe();
    this.#subscriptions = [];
    this.#timer?.abort.abort();
    this.#timer = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#wanted = false;
    for (const w of waiters) w.reject(session.signal.reason);
    await this.#pump?.catch(() => {});
    this.#dispatch({ type: "stopped" });
  }

  async close(): Promise<void> {
    await this.stop();
    this.#closed = true;
    this.#state.complete();
  }

  notifyLocalWrite(): void {
    const session = this.#session;
    if (!session || this.#debouncing) return;
    this.#debouncing = true;
    this.#clock.sleep(this.#o.debounceMs, session.signal).then(
      () => {
        this.#debouncing = false;
        void this.#refreshCounts();
        this.#request(false);
      },
      () => {
        this.#debouncing = false;
      },
    );
  }

  syncNow(): Promise<SyncReport> {
    return new Promise<SyncReport>((resolve, reject) => {
      if (this.#session) this.#request(true, waiter(resolve, reject));
      else this.#start(waiter(resolve, reject));
    });
  }

  async pendingCount(): Promise<number> {
    return (await this.#o.outbox.counts()).pending;
  }

  failures(): Promise<readonly SyncFailure[]> {
    return this.#o.outbox.failures();
  }

  async retry(failureId: string): Promise<void> {
    await this.#o.outbox.retryFailure(failureId);
    await this.#refreshCounts();
    this.#request(true);
  }

  async discard(failureId: string): Promise<DiscardResult> {
    const result = await this.#o.outbox.discardFailure(failureId);
    await this.#refreshCounts();
    // What waited behind the discarded change may go now.
    this.#request(false);
    return result;
  }

  #dispatch(action: EngineAction): void {
    if (this.#closed) return;
    this.#state.next(reduce(this.#state.value, action));
  }

  async #refreshCounts(): Promise<void> {
    try {
      const c = await this.#o.outbox.counts();
      this.#dispatch({ type: "counts", pending: c.pending, failed: c.failed });
    } catch {
      // The next cycle reports the outbox's trouble.
    }
  }

  /** Asks for a cycle; `force` (start, online, syncNow, retry) forgets our own backoff delays. */
  #request(force: boolean, waiter?: Waiter): void {
    const session = this.#session;
    if (!session) {
      waiter?.reject(xrmError("RequestAborted", "The sync engine is stopped."));
      return;
    }
    this.#wanted = true;
    this.#force ||= force;
    if (waiter) this.#waiters.push(waiter);
    if (!this.#pump) {
      this.#pump = this.#runPump(session.signal).finally(() => {
        this.#pump = null;
        // A request that came in while the pump was winding down.
        if (this.#wanted && this.#session) this.#request(false);
      });
    }
  }

  /** Runs cycles one after another while some are wanted. */
  async #runPump(signal: AbortSignal): Promise<void> {
    // Let triggers of the same tick (start + the connectivity replay) make one cycle.
    await Promise.resolve();
    while (this.#wanted && !signal.aborted) {
      const waiters = this.#waiters;
      const force = this.#force;
      this.#waiters = [];
      this.#wanted = false;
      this.#force = false;
      try {
        const report = await this.#cycle(force, signal);
        // Callers who came in during this cycle wait for the next one, but count this one in.
        for (const w of [...waiters, ...this.#waiters]) {
          w.pushed += report.pushed;
          w.failed += report.failed;
          w.conflicts += report.conflicts;
        }
        for (const w of waiters) {
          w.resolve({ pushed: w.pushed, failed: w.failed, conflicts: w.conflicts, pending: report.pending });
        }
      } catch (error) {
        if (signal.aborted) {
          for (const w of waiters) w.reject(signal.reason);
          return;
        }
        // A local failure (the outbox threw): show it, retry with backoff.
        const e = XrmError.from(error);
        const info: ErrorInfo = { errorCode: e.errorCode, message: e.message };
        this.#dispatch({ type: "cycle-failed", error: info });
        this.#schedule(this.#book.remoteFailed(this.#clock.monotonic(), undefined));
        for (const w of waiters) w.reject(e);
      }
    }
  }

  async #cycle(force: boolean, signal: AbortSignal): Promise<SyncReport> {
    if (!this.#state.value.online) {
      const c = await this.#o.outbox.counts();
      this.#dispatch({ type: "counts", pending: c.pending, failed: c.failed });
      return { pushed: 0, failed: 0, conflicts: 0, pending: c.pending };
    }
    if (force) {
      this.#book.reset();
      this.#pullBook.reset();
    }
    const heldUntil = this.#book.remoteHeldUntil(this.#clock.monotonic());
    if (heldUntil !== undefined) {
      if (!force) {
        // Not due yet: the retry timer will come back.
        this.#schedule(heldUntil);
        const c = await this.#o.outbox.counts();
        return { pushed: 0, failed: 0, conflicts: 0, pending: c.pending };
      }
      // Asked for now, but the server said when (Retry-After): honour it.
      this.#dispatch({
        type: "cycle-ended",
        syncedAt: null,
        error: this.#state.value.lastError,
        waitUntil: heldUntil,
      });
      await this.#clock.sleep(heldUntil - this.#clock.monotonic(), signal);
    }
    return this.#lock.run(this.#o.lockName, signal, () => this.#push(signal));
  }

  /** The cycle proper, under the runner lock: rounds until nothing more may go, then pull. */
  async #push(signal: AbortSignal): Promise<SyncReport> {
    const outbox = this.#o.outbox;
    const start = await outbox.counts();
    this.#dispatch({ type: "push-started", pending: start.pending });
    const { pushed, failed, conflicts, retries, remoteFailed, ...totals } = await pushAll(
      {
        outbox,
        remote: this.#o.remote,
        clock: this.#clock,
        book: this.#book,
        conflictDetection: this.#o.conflictDetection,
        batchSize: this.#o.batchSize,
        pageSize: Math.max(50, this.#o.batchSize * (this.#o.concurrency + 1)),
        solo: this.#solo,
      },
      this.#o.concurrency,
      signal,
      (round) => {
        // Counting the outbox costs a scan in some IndexedDB implementations: progress is derived
        // from the rounds, and the real counts are taken again when the cycle ends.
        const before = this.#state.value;
        this.#dispatch({
          type: "push-progress",
          settled: round.pushed + round.failed,
          pending: Math.max(0, before.pending - round.pushed - round.failed),
          failed: before.failed + round.failed,
        });
      },
    );
    let lastError = totals.lastError;
    let pullRetryAt: number | null = null;
    if (
      this.#o.pull &&
      !remoteFailed &&
      this.#pullBook.remoteHeldUntil(this.#clock.monotonic()) === undefined
    ) {
      this.#dispatch({ type: "pull-started" });
      try {
        await this.#o.pull(signal, (p) =>
          this.#dispatch({ type: "pull-progress", table: p.table, done: p.done, total: p.total }),
        );
        this.#pullBook.remoteAnswered();
      } catch (error) {
        signal.throwIfAborted();
        const e = XrmError.from(error);
        lastError = { errorCode: e.errorCode, message: e.message };
        const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
        pullRetryAt = this.#pullBook.remoteFailed(
          this.#clock.monotonic(),
          typeof retryAfterMs === "number" ? retryAfterMs : undefined,
        );
      }
    }
    const now = this.#clock.monotonic();
    const end = await outbox.counts();
    let wake: number | null = null;
    for (const at of [this.#book.nextWakeAt(now), this.#pullBook.nextWakeAt(now), pullRetryAt]) {
      if (typeof at === "number" && (wake === null || at < wake)) wake = at;
    }
    // Writes answered "try again" whose wait already ran out still need a cycle.
    if (wake === null && (retries > 0 || remoteFailed)) wake = now;
    if (wake !== null) this.#schedule(wake);
    if (this.#o.intervalMs !== undefined) this.#schedule(now + this.#o.intervalMs);
    this.#dispatch({ type: "counts", pending: end.pending, failed: end.failed });
    this.#dispatch({
      type: "cycle-ended",
      syncedAt: wake === null ? new Date(this.#clock.now()).toISOString() : null,
      error: lastError,
      waitUntil: wake,
    });
    return { pushed, failed, conflicts, pending: end.pending };
  }

  /** One retry timer: the earliest wanted wake-up wins. */
  #schedule(at: number): void {
    const session = this.#session;
    if (!session) return;
    if (this.#timer && this.#timer.at <= at) return;
    this.#timer?.abort.abort();
    const abort = new AbortController();
    const timer = { at, abort };
    this.#timer = timer;
    const signal = AbortSignal.any([abort.signal, session.signal]);
    this.#clock.sleep(Math.max(0, at - this.#clock.monotonic()), signal).then(
      () => {
        if (this.#timer === timer) this.#timer = null;
        this.#request(false);
      },
      () => {},
    );
  }
}
