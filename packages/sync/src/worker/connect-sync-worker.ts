import type { SyncReport, SyncStatus } from "@xrm-offline/odata";
import { XrmError, xrmError } from "@xrm-offline/odata";
import { type Observable, ReplaySubject } from "rxjs";
import type { SyncWorkerEndpoint, SyncWorkerMethod } from "./sync-worker-protocol.ts";

/** The page's handle on a sync engine running in a worker: the same calls as `api.sync`. */
export interface SyncWorkerClient<TFailure = unknown> {
  /** The worker's status, replayed to late subscribers. */
  readonly status$: Observable<SyncStatus>;
  syncNow(): Promise<SyncReport>;
  pendingCount(): Promise<number>;
  failures(): Promise<TFailure[]>;
  retry(failureId: string): Promise<void>;
  discard(failureId: string): Promise<unknown>;
  /** Stop listening; calls still waiting are rejected. */
  close(): void;
}

/** Talk to `serveSyncWorker` on the other side of `endpoint` (e.g. `new Worker(...)`). */
export function connectSyncWorker<TFailure = unknown>(
  endpoint: SyncWorkerEndpoint,
): SyncWorkerClient<TFailure> {
  const status$ = new ReplaySubject<SyncStatus>(1);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 1;
  let closed = false;

  const onMessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    if (typeof data !== "object" || data === null) return;
    const msg = data as {
      kind?: unknown;
      id?: unknown;
      ok?: unknown;
      value?: unknown;
      error?: unknown;
      status?: unknown;
    };
    if (msg.kind === "xrm-sync:status" && typeof msg.status === "object" && msg.status !== null) {
      status$.next(msg.status as SyncStatus);
      return;
    }
    if (msg.kind !== "xrm-sync:result" || typeof msg.id !== "number") return;
    const call = waiting.get(msg.id);
    if (!call) return;
    waiting.delete(msg.id);
    if (msg.ok === true) call.resolve(msg.value);
    else call.reject(XrmError.from(msg.error));
  };
  endpoint.addEventListener("message", onMessage);
  endpoint.start?.();

  const call = <T>(method: SyncWorkerMethod, ...args: unknown[]): Promise<T> => {
    if (closed) return Promise.reject(xrmError("InvalidArgument", "The sync worker connection is closed."));
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      endpoint.postMessage({ kind: "xrm-sync:call", id, method, args });
    });
  };

  return {
    status$: status$.asObservable(),
    syncNow: () => call<SyncReport>("syncNow"),
    pendingCount: () => call<number>("pendingCount"),
    failures: () => call<TFailure[]>("failures"),
    retry: async (failureId) => {
      await call<unknown>("retry", failureId);
    },
    discard: (failureId) => call<unknown>("discard", failureId),
    close: () => {
      if (closed) return;
      closed = true;
      endpoint.removeEventListener("message", onMessage);
      for (const [, w] of waiting)
        w.reject(xrmError("InvalidArgument", "The sync worker connection was closed."));
      waiting.clear();
      status$.complete();
    },
  };
}
