/**
 * The messages between a page and a worker that runs the sync engine (off the main thread).
 * Plain structured-clone data only: errors travel as `{ errorCode, message, code }`.
 */

/** The calls a page may make; nothing else is ever invoked on the worker's side. */
export const SYNC_WORKER_METHODS = ["syncNow", "pendingCount", "failures", "retry", "discard"] as const;
export type SyncWorkerMethod = (typeof SYNC_WORKER_METHODS)[number];

export interface SyncWorkerCall {
  readonly kind: "xrm-sync:call";
  readonly id: number;
  readonly method: SyncWorkerMethod;
  readonly args: readonly unknown[];
}

export type SyncWorkerResult =
  | { readonly kind: "xrm-sync:result"; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly kind: "xrm-sync:result";
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly errorCode: number; readonly message: string; readonly code: string };
    };

export interface SyncWorkerStatus<S = unknown> {
  readonly kind: "xrm-sync:status";
  readonly status: S;
}

/** Where messages go and come from: a Worker, a worker's global scope, or a MessagePort. */
export interface SyncWorkerEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  /** MessagePort needs it to start delivering; Worker and worker scopes don't have it. */
  start?: () => void;
}

export function isSyncWorkerMethod(value: unknown): value is SyncWorkerMethod {
  return typeof value === "string" && (SYNC_WORKER_METHODS as readonly string[]).includes(value);
}
