import { XrmError, xrmError } from "@xrm-offline/odata";
import { ReplaySubject } from "rxjs";
import type { SyncApi, SyncStatus } from "../web-api-types.ts";
import {
  readSyncWorkerReply,
  type SyncWorkerCall,
  type SyncWorkerEndpoint,
  type SyncWorkerMethod,
  type SyncWorkerValue,
} from "./sync-worker-protocol.ts";

/** The page's handle on a sync engine running in a worker: `api.sync`'s calls, plus `close`. */
export interface SyncWorkerClient extends SyncApi {
  /** Stop listening; calls still waiting are rejected. */
  close(): void;
}

/** Talk to `serveSyncWorker` on the other side of `endpoint` (e.g. `new Worker(...)`). */
export function connectSyncWorker(endpoint: SyncWorkerEndpoint): SyncWorkerClient {
  const status$ = new ReplaySubject<SyncStatus>(1);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 1;
  let closed = false;
  const onMessage = (event: MessageEvent) => {
    const msg = readSyncWorkerReply(event.data);
    if (!msg) return;
    if (msg.kind === "xrm-sync:status") {
      status$.next(msg.status);
      return;
    }
    const call = waiting.get(msg.id);
    if (!call) return;
    waiting.delete(msg.id);
    if (msg.ok) call.resolve(msg.value);
    else call.reject(XrmError.from(msg.error));
  };
  endpoint.addEventListener("message", onMessage);
  endpoint.start?.();

  /** The worker answers a call of `method` with that method's value (serve-sync-worker.ts). */
  const call = <M extends SyncWorkerMethod>(
    method: M,
    ...args: Extract<SyncWorkerCall, { method: M }>["args"]
  ): Promise<SyncWorkerValue<M>> => {
    if (closed) return Promise.reject(xrmError("InvalidArgument", "The sync worker connection is closed."));
    const id = next++;
    return new Promise<SyncWorkerValue<M>>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      endpoint.postMessage({ kind: "xrm-sync:call", id, method, args } as SyncWorkerCall);
    });
  };

  return {
    status$: status$.asObservable(),
    syncNow: () => call("syncNow"),
    pendingCount: () => call("pendingCount"),
    failures: () => call("failures"),
    retry: async (failureId) => {
      await call("retry", failureId);
    },
    discard: (failureId) => call("discard", failureId),
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
