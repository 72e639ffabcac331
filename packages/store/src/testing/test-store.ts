/** Test helpers: a store on a fresh in-memory IndexedDB, and prepared writes from Xrm data. */
import type { Metadata } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import {
  errorTypeFor,
  normalizeDelete,
  normalizeWrite,
  renderRequest,
  type Settlement,
  type SyncErrorType,
  type SyncFailureInit,
  toHexCode,
} from "@xrm-offline/odata";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import type { PreparedWrite } from "../commit-writes.ts";
import { OfflineStore, type OpenStoreOptions } from "../offline-store.ts";
import type { ServerAck } from "../store-types.ts";

export const metadata: Metadata = bundledMetadata();

export async function openTestStore(
  options: Partial<OpenStoreOptions> = {},
): Promise<{ store: OfflineStore; factory: IDBFactory; reopen: () => Promise<OfflineStore> }> {
  const factory = options.indexedDB ?? new IDBFactory();
  const base: OpenStoreOptions = {
    name: "test",
    metadata: options.metadata ?? metadata,
    indexedDB: factory,
    IDBKeyRange,
    now: () => new Date("2025-01-02T03:04:05.000Z"),
    ...options,
  };
  const store = await OfflineStore.open(base);
  return { store, factory, reopen: () => OfflineStore.open(base) };
}

export function create(
  entity: string,
  data: Record<string, unknown>,
  md: Metadata = metadata,
): PreparedWrite {
  const operation = normalizeWrite(md, { entityLogicalName: entity, data, mode: "offline", kind: "create" });
  return { operation };
}

export function update(
  entity: string,
  id: string,
  data: Record<string, unknown>,
  md: Metadata = metadata,
): PreparedWrite {
  const operation = normalizeWrite(md, {
    entityLogicalName: entity,
    id,
    data,
    mode: "offline",
    kind: "update",
  });
  return { operation };
}

export function remove(entity: string, id: string, md: Metadata = metadata): PreparedWrite {
  const operation = normalizeDelete(md, { entityLogicalName: entity, id });
  return { operation };
}

export const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
export const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
export const CONTACT2 = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";

/** What a test says about a failure; the rest of the syncerror row is derived like the engine does. */
export interface TestFailure {
  readonly errorCode: number;
  readonly message: string;
  readonly httpStatus?: number;
  readonly errorType?: SyncErrorType;
}

/** The server applied these entries (one answer for all of them, or one per sequence number). */
export function acknowledge(
  store: OfflineStore,
  seqs: readonly number[],
  ack: ServerAck | ReadonlyMap<number, ServerAck> = {},
): Promise<void> {
  const settlements: Settlement[] =
    ack instanceof Map
      ? seqs.map((seq) => ({ kind: "acknowledged", seqs: [seq], ...(ack.get(seq) ?? {}) }))
      : [{ kind: "acknowledged", seqs, ...(ack as ServerAck) }];
  return store.settle(settlements);
}

/** The server rejected these entries for good: one failure, built the way the engine builds it. */
export async function recordFailure(
  store: OfflineStore,
  seqs: number | readonly number[],
  error: TestFailure,
  options: { serverRecord?: Readonly<Record<string, unknown>> | null } = {},
): Promise<void> {
  const list = typeof seqs === "number" ? [seqs] : seqs;
  const wanted = new Set(list);
  const entries = (await store.peekOutbox({ limit: 10_000, includeFailed: true })).filter((e) =>
    wanted.has(e.seq),
  );
  const first = entries[0];
  if (!first) throw new Error(`recordFailure: no outbox entry ${list.join(", ")}`);
  const failure: SyncFailureInit = {
    action: failureAction(entries.some((e) => e.kind === "create") ? "create" : first.kind),
    entity: first.entity,
    recordId: first.recordId,
    data: Object.assign({}, ...entries.map((e) => renderRequest(store.metadata, e.operation).body ?? {})),
    errorCode: error.errorCode,
    code: toHexCode(error.errorCode),
    message: error.message,
    errorType: error.errorType ?? errorTypeFor(error),
    ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
    time: "2025-01-02T03:04:05.000Z",
  };
  await store.settle([
    {
      kind: "failed",
      seqs: list,
      failure,
      ...(options.serverRecord !== undefined ? { serverRecord: options.serverRecord } : {}),
    },
  ]);
}

function failureAction(kind: "create" | "update" | "delete"): SyncFailureInit["action"] {
  return kind === "create" ? "Create" : kind === "update" ? "Update" : "Delete";
}
