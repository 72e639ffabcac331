import type { SyncReport } from "@xrm-offline/odata";
import type { Unsubscribable } from "rxjs";

/**
 * A `syncNow()` caller. It is answered by the first cycle that starts after the call; if a cycle
 * was already running at the call, what that one did is counted in too (it may have sent the
 * caller's writes, and the next cycle then has nothing left to report).
 */
export interface Waiter {
  resolve(report: SyncReport): void;
  reject(error: unknown): void;
  pushed: number;
  failed: number;
  conflicts: number;
}

export function waiter(resolve: (r: SyncReport) => void, reject: (e: unknown) => void): Waiter {
  return { resolve, reject, pushed: 0, failed: 0, conflicts: 0 };
}

/** Cycles asked for and not started yet: they all become the next cycle. */
export interface Demand {
  /** Some trigger (start, online, syncNow, retry) asked to forget our own backoff delays. */
  readonly force: boolean;
  /** The `syncNow()` callers the next cycle answers. */
  readonly waiters: readonly Waiter[];
}

/** What lives from `start()` to `stop()`: its abort signal and what it listens to. */
export interface Session {
  readonly abort: AbortController;
  readonly subscriptions: Unsubscribable[];
  /** A local write's debounce is running (later writes join it). */
  debouncing: boolean;
  /** The one retry timer: the earliest wanted wake-up. */
  timer: { readonly at: number; readonly abort: AbortController } | null;
}

/**
 * The loop's control state (sync-engine.ts has the diagram):
 * - `stopped`: no session; `draining` is the loop of the last session while it winds down (a new
 *   session's first cycle waits for it);
 * - `idle`: started, no cycle running or wanted;
 * - `running`: the loop runs cycles while `demand` is set; a trigger during a cycle sets it;
 * - `closed`: for good.
 */
export type LoopControl =
  | { readonly kind: "stopped"; readonly draining: Promise<void> | null }
  | { readonly kind: "idle"; readonly session: Session; readonly draining: Promise<void> | null }
  | {
      readonly kind: "running";
      readonly session: Session;
      readonly loop: Promise<void>;
      readonly demand: Demand | null;
    }
  | { readonly kind: "closed" };

/** `demand` with one more trigger. */
export function addDemand(demand: Demand | null, force: boolean, waiter?: Waiter): Demand {
  return {
    force: (demand?.force ?? false) || force,
    waiters: waiter ? [...(demand?.waiters ?? []), waiter] : (demand?.waiters ?? []),
  };
}
