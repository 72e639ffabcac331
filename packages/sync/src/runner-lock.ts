import type { RunnerLock } from "./ports.ts";

/** The part of the Web Locks API (`navigator.locks`) the runner lock uses. */
export interface WebLocks {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T>;
}

/**
 * One runner per database: Web Locks where the platform has them (browsers, Deno, Node ≥ 22.?),
 * shared by every tab and worker of the origin and released by the browser when a tab dies;
 * otherwise an in-process lock.
 *
 * The in-process fallback only serialises engines of one JavaScript realm (one Node process, one
 * tab). Two processes sharing one database without Web Locks are not protected; the outbox stays
 * correct (attempt marks + idempotent replay make a double send harmless for creates, updates
 * with `If-Match: *` and deletes) but writes may be sent twice. See docs/sync.md.
 */
export function createRunnerLock(locks: WebLocks | null | undefined = platformLocks()): RunnerLock {
  if (locks) {
    return { run: (name, signal, job) => locks.request(name, { signal }, job) };
  }
  return inProcessLock;
}

function platformLocks(): WebLocks | undefined {
  const nav = (globalThis as { navigator?: { locks?: WebLocks } }).navigator;
  return nav?.locks;
}

/** Lock queues of this realm, by name: the promise the next holder waits for. */
const tails = new Map<string, Promise<void>>();

/** FIFO lock per name within this realm; a waiter whose signal aborts leaves the queue. */
export const inProcessLock: RunnerLock = {
  async run(name, signal, job) {
    signal.throwIfAborted();
    const previous = tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The next holder waits for us and, if we give up while waiting, still for our predecessor.
    const tail = previous.then(() => mine);
    tails.set(name, tail);
    try {
      await untilAborted(previous, signal);
      return await job();
    } finally {
      release();
      if (tails.get(name) === tail) tails.delete(name);
    }
  },
};

function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    });
  });
}
