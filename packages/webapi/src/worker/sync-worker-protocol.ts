/**
 * The messages between a page and a worker that runs the sync engine (off the main thread): the
 * calls of `api.sync` (`SyncApi`), their answers, and its `status$`. Plain structured-clone data
 * only: errors travel as `{ errorCode, message, code }`.
 */
import type { SyncApi, SyncStatus } from "../web-api-types.ts";

/** The calls a page may make; nothing else is ever invoked on the worker's side. */
export const SYNC_WORKER_METHODS = ["syncNow", "pendingCount", "failures", "retry", "discard"] as const;

export type SyncWorkerMethod = (typeof SYNC_WORKER_METHODS)[number];

/** What a call of `method` resolves with. */
export type SyncWorkerValue<M extends SyncWorkerMethod> = Awaited<ReturnType<SyncApi[M]>>;

/** One call: the method and its arguments, as `SyncApi` declares them. */
export type SyncWorkerCall = {
  readonly [M in SyncWorkerMethod]: {
    readonly kind: "xrm-sync:call";
    readonly id: number;
    readonly method: M;
    readonly args: Parameters<SyncApi[M]>;
  };
}[SyncWorkerMethod];

/** An error as it crosses the boundary (XrmError.toJSON). */
export interface SyncWorkerError {
  readonly errorCode: number;
  readonly message: string;
  readonly code: string;
}

export type SyncWorkerResult =
  | {
      readonly kind: "xrm-sync:result";
      readonly id: number;
      readonly ok: true;
      /** The method's value (`SyncWorkerValue` of the call's method); null for `retry`. */
      readonly value: SyncWorkerValue<SyncWorkerMethod> | null;
    }
  | {
      readonly kind: "xrm-sync:result";
      readonly id: number;
      readonly ok: false;
      readonly error: SyncWorkerError;
    };

export interface SyncWorkerStatus {
  readonly kind: "xrm-sync:status";
  readonly status: SyncStatus;
}

/** Everything the worker posts to the page. */
export type SyncWorkerReply = SyncWorkerResult | SyncWorkerStatus;

/** Where messages go and come from: a Worker, a worker's global scope, or a MessagePort. */
export interface SyncWorkerEndpoint {
  postMessage(message: SyncWorkerCall | SyncWorkerReply): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  /** MessagePort needs it to start delivering; Worker and worker scopes don't have it. */
  start?: () => void;
}

export function isSyncWorkerMethod(value: unknown): value is SyncWorkerMethod {
  return typeof value === "string" && (SYNC_WORKER_METHODS as readonly string[]).includes(value);
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null;

/**
 * A call as the worker receives it, checked (other code may share the channel): null when the
 * message is not a call at all; a call of an unknown method keeps `method: null` so it can be
 * answered with an error. Arguments are checked by the worker per method.
 */
export function readSyncWorkerCall(data: unknown): {
  readonly id: number;
  readonly method: SyncWorkerMethod | null;
  readonly args: readonly unknown[];
} | null {
  if (!isRecord(data) || data.kind !== "xrm-sync:call") return null;
  const { id, method, args } = data;
  if (typeof id !== "number" || !Number.isSafeInteger(id)) return null;
  return { id, method: isSyncWorkerMethod(method) ? method : null, args: Array.isArray(args) ? args : [] };
}

/** A reply as the page receives it, checked: null for anything else on the channel. */
export function readSyncWorkerReply(data: unknown): SyncWorkerReply | null {
  if (!isRecord(data)) return null;
  if (data.kind === "xrm-sync:status") {
    return isRecord(data.status) ? (data as unknown as SyncWorkerStatus) : null;
  }
  if (data.kind !== "xrm-sync:result" || typeof data.id !== "number") return null;
  if (data.ok === true) return data as unknown as SyncWorkerResult;
  return isRecord(data.error) ? (data as unknown as SyncWorkerResult) : null;
}
