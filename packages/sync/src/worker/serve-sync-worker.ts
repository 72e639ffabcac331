import { XrmError, xrmError } from "@xrm-offline/odata";
import type { Observable } from "rxjs";
import {
  isSyncWorkerMethod,
  type SyncWorkerEndpoint,
  type SyncWorkerMethod,
  type SyncWorkerResult,
} from "./sync-worker-protocol.ts";

/** The sync API a worker serves (createWebApi(...).sync has this shape). */
export interface ServedSyncApi {
  readonly status$: Observable<unknown>;
  syncNow(): Promise<unknown>;
  pendingCount(): Promise<number>;
  failures(): Promise<readonly unknown[]>;
  retry(failureId: string): Promise<unknown>;
  discard(failureId: string): Promise<unknown>;
}

function invoke(api: ServedSyncApi, method: SyncWorkerMethod, args: readonly unknown[]): Promise<unknown> {
  switch (method) {
    case "syncNow":
      return api.syncNow();
    case "pendingCount":
      return api.pendingCount();
    case "failures":
      return api.failures();
    case "retry":
    case "discard": {
      const id = args[0];
      if (typeof id !== "string" || id.length === 0 || id.length > 200) {
        return Promise.reject(
          xrmError("InvalidArgument", `${method} takes a failure id (a non-empty string).`),
        );
      }
      return method === "retry" ? api.retry(id) : api.discard(id);
    }
  }
}

/**
 * Inside a worker: answer the page's calls with `api` and stream its `status$` to the page.
 * Unknown or malformed messages are ignored (other code may share the channel); a call of a
 * method that is not part of the protocol gets an InvalidArgument error and nothing runs.
 * Returns a function that stops serving.
 */
export function serveSyncWorker(endpoint: SyncWorkerEndpoint, api: ServedSyncApi): () => void {
  const reply = (message: SyncWorkerResult) => endpoint.postMessage(message);
  const onMessage = (event: MessageEvent) => {
    const data: unknown = event.data;
    if (typeof data !== "object" || data === null) return;
    const msg = data as { kind?: unknown; id?: unknown; method?: unknown; args?: unknown };
    if (msg.kind !== "xrm-sync:call" || typeof msg.id !== "number" || !Number.isSafeInteger(msg.id)) return;
    const id = msg.id;
    const args = Array.isArray(msg.args) ? (msg.args as unknown[]) : [];
    const run = isSyncWorkerMethod(msg.method)
      ? invoke(api, msg.method, args)
      : Promise.reject(xrmError("InvalidArgument", "Unknown sync worker call."));
    run.then(
      (value) => reply({ kind: "xrm-sync:result", id, ok: true, value: value ?? null }),
      (e: unknown) => reply({ kind: "xrm-sync:result", id, ok: false, error: XrmError.from(e).toJSON() }),
    );
  };
  endpoint.addEventListener("message", onMessage);
  endpoint.start?.();
  const subscription = api.status$.subscribe((status) =>
    endpoint.postMessage({ kind: "xrm-sync:status", status }),
  );
  return () => {
    subscription.unsubscribe();
    endpoint.removeEventListener("message", onMessage);
  };
}
