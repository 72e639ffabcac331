import { XrmError, xrmError } from "@xrm-offline/odata";
import type { SyncApi } from "../web-api-types.ts";
import {
  readSyncWorkerCall,
  type SyncWorkerEndpoint,
  type SyncWorkerMethod,
  type SyncWorkerResult,
  type SyncWorkerValue,
} from "./sync-worker-protocol.ts";

function invoke(
  api: SyncApi,
  method: SyncWorkerMethod,
  args: readonly unknown[],
): Promise<SyncWorkerValue<SyncWorkerMethod>> {
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
 * Inside a worker: answer the page's calls with `api` (`createWebApi(...).sync`) and stream its
 * `status$` to the page. Unknown or malformed messages are ignored (other code may share the
 * channel); a call of a method that is not part of the protocol gets an InvalidArgument error and
 * nothing runs. Returns a function that stops serving.
 */
export function serveSyncWorker(endpoint: SyncWorkerEndpoint, api: SyncApi): () => void {
  const reply = (message: SyncWorkerResult) => endpoint.postMessage(message);
  const onMessage = (event: MessageEvent) => {
    const call = readSyncWorkerCall(event.data);
    if (!call) return;
    const { id } = call;
    const run =
      call.method === null
        ? Promise.reject(xrmError("InvalidArgument", "Unknown sync worker call."))
        : invoke(api, call.method, call.args);
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
