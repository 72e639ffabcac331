import {
  type DiscardResult,
  type ErrorInfo,
  type OutboxCounts,
  type OutboxPort,
  type SyncFailure,
  type SyncReport,
  type SyncStatus,
  type UploadTransfer,
  XrmError,
  xrmError,
} from "@xrm-offline/odata";
import { BehaviorSubject, distinctUntilChanged, map, type Observable, type Unsubscribable } from "rxjs";
import { systemClock } from "./clock.ts";
import {
  addDemand,
  type Demand,
  type LoopControl,
  type Session,
  type Waiter,
  waiter,
} from "./loop-control.ts";
import type { Clock, ConnectivityPort, FileUploadsPort, RemotePort, RunnerLock } from "./ports.ts";
import { createRunnerLock } from "./runner-lock.ts";
import { type EngineAction, type EngineState, initialState, reduce, toStatus } from "./sync-state.ts";
import { BackoffBook, type RetryPolicy } from "./upstream/backoff-book.ts";
import { type PushTotals, pushAll } from "./upstream/push-loop.ts";

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
  /** Files under way (`createUploadTracker().uploads$`), shown in `status$.uploads`. */
  readonly uploads?: Observable<readonly UploadTransfer[]>;
  /**
   * File and image column uploads: sent after the pushes, before `pull`, with the pull's backoff;
   * their pending and refused ones count in `status$`, `pendingCount()` and the `syncNow()` report.
   */
  readonly files?: FileUploadsPort;
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
  /** Outbox entries and file uploads still to send (failures not included). */
  pendingCount(): Promise<number>;
  failures(): Promise<readonly SyncFailure[]>;
  /** Sends a failure's change again. */
  retry(failureId: string): Promise<void>;
  /** Gives a failure's change up (reverted locally); resolves with the entries given up. */
  discard(failureId: string): Promise<DiscardResult>;
}

/** What the uploads and the pull hook did in a cycle. */
interface PullOutcome {
  readonly error: ErrorInfo | null;
  /** Monotonic time to try them again, after a failure. */
  readonly retryAt: number | null;
  /** File uploads refused for good in this cycle (they count in the report's `failed`). */
  readonly uploadsFailed: number;
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

  #control: LoopControl = { kind: "stopped", draining: null };
  #uploads: Unsubscribable | undefined;

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
    const uploads = options.uploads?.subscribe((list) => this.#dispatch({ type: "uploads", uploads: list }));
    if (uploads) this.#uploads = uploads;
    this.status$ = this.#state.pipe(
      map(toStatus),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    );
  }

  start(): void {
    this.#start();
  }

  /** The live session, if started. */
  get #session(): Session | null {
    const c = this.#control;
    return c.kind === "idle" || c.kind === "running" ? c.session : null;
  }

  /** stopped → idle. `first`: a syncNow waiter that the first cycle answers. */
  #start(first?: Waiter): void {
    const c = this.#control;
    if (c.kind === "closed") throw xrmError("RequestAborted", "The sync engine is closed.");
    if (c.kind !== "stopped") return;
    const session: Session = {
      abort: new AbortController(),
      subscriptions: [],
      debouncing: false,
      timer: null,
    };
    this.#control = { kind: "idle", session, draining: c.draining };
    this.#dispatch({ type: "started" });
    let online: boolean | undefined;
    session.subscriptions.push(
      this.#o.connectivity.subscribe((value) => {
        if (value === online) return;
        online = value;
        this.#dispatch({ type: "connectivity", online: value });
        // Back online: whatever made us back off may be gone (Retry-After still holds).
        if (value) this.#request(true);
      }),
    );
    const unsubscribe = this.#o.outbox.onOutboxChange?.(() => this.notifyLocalWrite());
    if (unsubscribe) session.subscriptions.push({ unsubscribe });
    // Files set, retried or discarded anywhere (they are not outbox writes): the same wake-up.
    const unsubscribeFiles = this.#o.files?.onFilesChange?.(() => this.notifyLocalWrite());
    if (unsubscribeFiles) session.subscriptions.push({ unsubscribe: unsubscribeFiles });
    void this.#refreshCounts();
    this.#request(true, first);
  }

  /** idle | running → stopped: the cycle in flight is aborted, waiting callers rejected. */
  async stop(): Promise<void> {
    const c = this.#control;
    if (c.kind !== "idle" && c.kind !== "running") return;
    const loop = c.kind === "running" ? c.loop : c.draining;
    this.#control = { kind: "stopped", draining: loop };
    const { session } = c;
    session.abort.abort(xrmError("RequestAborted", "The sync engine was stopped."));
    for (const s of session.subscriptions) s.unsubscribe();
    session.timer?.abort.abort();
    session.timer = null;
    if (c.kind === "running") for (const w of c.demand?.waiters ?? []) w.reject(session.abort.signal.reason);
    await loop?.catch(() => {});
    this.#dispatch({ type: "stopped" });
  }

  /** → closed. */
  async close(): Promise<void> {
    await this.stop();
    this.#uploads?.unsubscribe();
    this.#control = { kind: "closed" };
    this.#state.complete();
  }

  notifyLocalWrite(): void {
    const session = this.#session;
    if (!session || session.debouncing) return;
    session.debouncing = true;
    this.#clock.sleep(this.#o.debounceMs, session.abort.signal).then(
      () => {
        session.debouncing = false;
        void this.#refreshCounts();
        this.#request(false);
      },
      () => {
        session.debouncing = false;
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
    const c = await this.#counts();
    return c.pending + c.files.pending;
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
    if (this.#control.kind === "closed") return;
    this.#state.next(reduce(this.#state.value, action));
  }

  /** The outbox's counts, and the file uploads' (zero without a `files` port). */
  async #counts(): Promise<OutboxCounts & { files: OutboxCounts }> {
    const [outbox, files] = await Promise.all([
      this.#o.outbox.counts(),
      this.#o.files?.counts() ?? { pending: 0, failed: 0 },
    ]);
    return { pending: outbox.pending, failed: outbox.failed, files };
  }

  /** Counts again and shows them; the outbox's and the uploads' pending go into the report. */
  async #showCounts(): Promise<number> {
    const c = await this.#counts();
    this.#dispatch({ type: "counts", ...c });
    return c.pending + c.files.pending;
  }

  async #refreshCounts(): Promise<void> {
    try {
      await this.#showCounts();
    } catch {
      // The next cycle reports the outbox's trouble.
    }
  }

  /**
   * Asks for a cycle (idle → running, or more demand while running); `force` (start, online,
   * syncNow, retry) forgets our own backoff delays.
   */
  #request(force: boolean, waiter?: Waiter): void {
    const c = this.#control;
    if (c.kind === "running") {
      this.#control = { ...c, demand: addDemand(c.demand, force, waiter) };
      return;
    }
    if (c.kind !== "idle") {
      waiter?.reject(xrmError("RequestAborted", "The sync engine is stopped."));
      return;
    }
    const loop = this.#runLoop(c.session, c.draining);
    this.#control = { kind: "running", session: c.session, loop, demand: addDemand(null, force, waiter) };
  }

  /** running → the demand to serve now, or → idle (null) when nothing more is wanted. */
  #takeDemand(session: Session): Demand | null {
    const c = this.#control;
    if (c.kind !== "running" || c.session !== session || session.abort.signal.aborted) return null;
    if (c.demand === null) {
      this.#control = { kind: "idle", session, draining: null };
      return null;
    }
    this.#control = { ...c, demand: null };
    return c.demand;
  }

  /*
   * The loop: one cycle at a time per engine, one engine at a time per database (RunnerLock).
   * Control state (loop-control.ts) and the status phases (sync-state.ts) it moves through:
   *
   *   stopped ──start()──► idle ◄─────────── no demand left ───────────────────────┐
   *                         │ trigger: start · online · local write (debounced)      │
   *                         │   · syncNow() · retry timer · interval: adds demand    │
   *                         ▼                                                        │
   *        ┌──────────► running: take the demand (triggers meanwhile add to it) ─────┤
   *        │                │                                                        │
   *        │           offline? ──yes──► (no cycle; wait for "online") ──────────────┤
   *        │                │ no                                                     │
   *        │                ▼                                                        │
   *        │         acquire RunnerLock (Web Locks / in-process)                     │
   *        │                ▼                                                        │
   *        │  ┌───► pushing: plan a round (page the outbox in seq order;    #push    │
   *        │  │       pick ready, independent writes; merge updates)                 │
   *        │  │       → markAttempt → send ($batch / single) → settle                │
   *        │  │       (up to `concurrency` rounds in flight)                         │
   *        │  └ picked any ┤ nothing ready, or the remote failed as a whole          │
   *        │                ▼                                                        │
   *        │     pulling (`files` uploads, then the `pull` hook) ─► release lock     │
   *        │                ▼                                                        │
   *        │       #endCycle: counts; anything waiting to be retried?                │
   *        │          ├─ yes ─► backing-off until min(notBefore): retry timer ───────┤
   *        │          └─ no ──► idle (last synced now) ──────────────────────────────┤
   *        └──────── demand set meanwhile ◄──────────────────────────────────────────┘
   *
   *   A local error (the outbox throws) ends the cycle in "error", retried with the same backoff.
   *   stop() (idle | running → stopped) aborts the cycle in flight: nothing is settled after that;
   *   the attempt marks make the next runner treat those writes as "outcome unknown"
   *   (docs/sync.md). close() → closed, for good.
   */
  async #runLoop(session: Session, previous: Promise<void> | null): Promise<void> {
    const signal = session.abort.signal;
    // A stopped session's loop ends before this one's first cycle.
    await previous?.catch(() => {});
    // Let triggers of the same tick (start + the connectivity replay) make one cycle.
    await Promise.resolve();
    for (let demand = this.#takeDemand(session); demand; demand = this.#takeDemand(session)) {
      const { waiters } = demand;
      try {
        const report = await this.#cycle(demand.force, signal);
        // Callers who came in during this cycle wait for the next one, but count this one in.
        const c = this.#control;
        const later = c.kind === "running" && c.session === session ? (c.demand?.waiters ?? []) : [];
        for (const w of [...waiters, ...later]) {
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
      return { pushed: 0, failed: 0, conflicts: 0, pending: await this.#showCounts() };
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
        const c = await this.#counts();
        return { pushed: 0, failed: 0, conflicts: 0, pending: c.pending + c.files.pending };
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
    return this.#lock.run(this.#o.lockName, signal, async () => {
      const push = await this.#push(signal);
      const pull = push.remoteFailed ? null : await this.#pull(signal);
      return this.#endCycle(push, pull);
    });
  }

  /** Rounds until nothing more may go now (under the runner lock). */
  async #push(signal: AbortSignal): Promise<PushTotals> {
    const outbox = this.#o.outbox;
    const start = await outbox.counts();
    this.#dispatch({ type: "push-started", pending: start.pending });
    return pushAll(
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
  }

  /**
   * The file uploads (`files`), then the `pull` hook, after the push, unless the pull's own backoff
   * holds them (a failing upload or pull never holds pushes back). null: not run; else its error,
   * when to try again, and the uploads refused for good in this cycle.
   */
  async #pull(signal: AbortSignal): Promise<PullOutcome | null> {
    const { pull, files } = this.#o;
    const held = this.#pullBook.remoteHeldUntil(this.#clock.monotonic()) !== undefined;
    if ((!pull && !files) || held) return null;
    this.#dispatch({ type: "pull-started" });
    let uploadsFailed = 0;
    try {
      if (files) {
        const round = await files.send(signal);
        uploadsFailed = round.failed;
        if (round.error !== undefined) throw round.error;
      }
      await pull?.(signal, (p) =>
        this.#dispatch({ type: "pull-progress", table: p.table, done: p.done, total: p.total }),
      );
      this.#pullBook.remoteAnswered();
      return { error: null, retryAt: null, uploadsFailed };
    } catch (error) {
      signal.throwIfAborted();
      const e = XrmError.from(error);
      const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const retryAt = this.#pullBook.remoteFailed(
        this.#clock.monotonic(),
        typeof retryAfterMs === "number" ? retryAfterMs : undefined,
      );
      return { error: { errorCode: e.errorCode, message: e.message }, retryAt, uploadsFailed };
    }
  }

  /** The real counts, the retry timer for what still waits, and the cycle's report. */
  async #endCycle(push: PushTotals, pull: PullOutcome | null): Promise<SyncReport> {
    const now = this.#clock.monotonic();
    const end = await this.#counts();
    const wake = this.#scheduleRetries(now, push, pull?.retryAt ?? null);
    this.#dispatch({ type: "counts", ...end });
    this.#dispatch({
      type: "cycle-ended",
      syncedAt: wake === null ? new Date(this.#clock.now()).toISOString() : null,
      error: pull?.error ?? push.lastError,
      waitUntil: wake,
    });
    return {
      pushed: push.pushed,
      failed: push.failed + (pull?.uploadsFailed ?? 0),
      conflicts: push.conflicts,
      pending: end.pending + end.files.pending,
    };
  }

  /**
   * Sets the retry timer to the earliest wake-up anything waiting needs (pushes' and the pull's
   * backoff), and the periodic sync. Returns that wake-up, or null when nothing waits.
   */
  #scheduleRetries(now: number, push: PushTotals, pullRetryAt: number | null): number | null {
    let wake: number | null = null;
    for (const at of [this.#book.nextWakeAt(now), this.#pullBook.nextWakeAt(now), pullRetryAt]) {
      if (typeof at === "number" && (wake === null || at < wake)) wake = at;
    }
    // Writes answered "try again" whose wait already ran out still need a cycle.
    if (wake === null && (push.retries > 0 || push.remoteFailed)) wake = now;
    if (wake !== null) this.#schedule(wake);
    if (this.#o.intervalMs !== undefined) this.#schedule(now + this.#o.intervalMs);
    return wake;
  }

  /** One retry timer: the earliest wanted wake-up wins. */
  #schedule(at: number): void {
    const session = this.#session;
    if (!session) return;
    if (session.timer && session.timer.at <= at) return;
    session.timer?.abort.abort();
    const abort = new AbortController();
    const timer = { at, abort };
    session.timer = timer;
    const signal = AbortSignal.any([abort.signal, session.abort.signal]);
    this.#clock.sleep(Math.max(0, at - this.#clock.monotonic()), signal).then(
      () => {
        if (session.timer === timer) session.timer = null;
        this.#request(false);
      },
      () => {},
    );
  }
}
