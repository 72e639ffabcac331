import type { ErrorInfo, OutboxCounts, SyncStatus, UploadTransfer } from "@xrm-offline/odata";

export type RunnerState =
  | { readonly phase: "stopped" }
  | { readonly phase: "idle" }
  | { readonly phase: "pushing"; readonly done: number; readonly total: number }
  | {
      readonly phase: "pulling";
      readonly table?: string;
      readonly done?: number;
      readonly total?: number | null;
    }
  | { readonly phase: "backing-off"; readonly until: number }
  | { readonly phase: "error"; readonly error: ErrorInfo };

export interface EngineState {
  readonly online: boolean;
  readonly runner: RunnerState;
  /** Outbox entries to send / kept as failures (the push's progress is counted against these). */
  readonly pending: number;
  readonly failed: number;
  /** File and image column uploads waiting / refused (the `files` port); status$ adds them in. */
  readonly files: OutboxCounts;
  readonly lastSyncedAt: string | null;
  readonly lastError: ErrorInfo | null;
  readonly uploads: readonly UploadTransfer[];
}

export type EngineAction =
  | { readonly type: "started" }
  | { readonly type: "stopped" }
  | { readonly type: "connectivity"; readonly online: boolean }
  /** Counted again: the outbox's entries, and the file uploads when the engine has a `files` port. */
  | {
      readonly type: "counts";
      readonly pending: number;
      readonly failed: number;
      readonly files?: OutboxCounts;
    }
  | { readonly type: "push-started"; readonly pending: number }
  | {
      readonly type: "push-progress";
      readonly settled: number;
      readonly pending: number;
      readonly failed: number;
    }
  | { readonly type: "pull-started" }
  /** The files under way changed (UploadTracker). */
  | { readonly type: "uploads"; readonly uploads: readonly UploadTransfer[] }
  | {
      readonly type: "pull-progress";
      readonly table: string;
      readonly done: number;
      readonly total: number | null;
    }
  /** `syncedAt`: the cycle sent everything it could; `waitUntil`: something waits for a retry. */
  | {
      readonly type: "cycle-ended";
      readonly syncedAt: string | null;
      readonly error: ErrorInfo | null;
      readonly waitUntil: number | null;
    }
  /** The cycle broke on a local error (the outbox failed); retried at `waitUntil`. */
  | { readonly type: "cycle-failed"; readonly error: ErrorInfo };

export const initialState: EngineState = {
  online: false,
  runner: { phase: "stopped" },
  pending: 0,
  failed: 0,
  files: { pending: 0, failed: 0 },
  lastSyncedAt: null,
  lastError: null,
  uploads: [],
};

/**
 * The status the loop shows: each action is a step of the loop in sync-engine.ts (its diagram,
 * above `#runLoop`, names the phases this reducer moves through).
 */
export function reduce(state: EngineState, action: EngineAction): EngineState {
  switch (action.type) {
    case "started":
      return { ...state, runner: { phase: "idle" } };
    case "stopped":
      return { ...state, runner: { phase: "stopped" } };
    case "connectivity": {
      // Offline, a retry timer means nothing: the cycle starts again when we're back.
      const runner =
        !action.online && state.runner.phase === "backing-off" ? { phase: "idle" as const } : state.runner;
      return { ...state, online: action.online, runner };
    }
    case "counts":
      return {
        ...state,
        pending: action.pending,
        failed: action.failed,
        files: action.files ?? state.files,
      };
    case "push-started":
      return {
        ...state,
        pending: action.pending,
        runner: { phase: "pushing", done: 0, total: action.pending },
      };
    case "push-progress": {
      const done = (state.runner.phase === "pushing" ? state.runner.done : 0) + action.settled;
      const total = Math.max(
        state.runner.phase === "pushing" ? state.runner.total : 0,
        done + action.pending,
      );
      return {
        ...state,
        pending: action.pending,
        failed: action.failed,
        runner: { phase: "pushing", done, total },
      };
    }
    case "pull-started":
      return { ...state, runner: { phase: "pulling" } };
    case "pull-progress":
      return {
        ...state,
        runner: { phase: "pulling", table: action.table, done: action.done, total: action.total },
      };
    case "uploads":
      return { ...state, uploads: action.uploads };
    case "cycle-ended":
      return {
        ...state,
        runner:
          action.waitUntil === null ? { phase: "idle" } : { phase: "backing-off", until: action.waitUntil },
        lastSyncedAt: action.syncedAt ?? state.lastSyncedAt,
        lastError: action.error,
      };
    case "cycle-failed":
      return { ...state, runner: { phase: "error", error: action.error }, lastError: action.error };
  }
}

/** The public view of the state. */
export function toStatus(state: EngineState): SyncStatus {
  const r = state.runner;
  return {
    connectivity: state.online ? "online" : "offline",
    phase: r.phase === "stopped" ? "idle" : r.phase,
    // A refused upload is a failure like a refused write; a file waiting to go is pending.
    pending: state.pending + state.files.pending,
    failed: state.failed + state.files.failed,
    progress:
      r.phase === "pushing"
        ? { done: r.done, total: r.total }
        : r.phase === "pulling" && r.table !== undefined && r.done !== undefined
          ? { done: r.done, total: Math.max(r.done, r.total ?? r.done), table: r.table }
          : null,
    lastSyncedAt: state.lastSyncedAt,
    lastError: state.lastError,
    uploads: state.uploads,
  };
}
