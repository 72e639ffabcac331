/**
 * The real sync stack for end-to-end tests and benchmarks: the Dexie store on fake-indexeddb,
 * the HTTP transport, and the emulator, wired to the sync engine through its adapters.
 */
import type { Emulator } from "@xrm-offline/emulator";
import type { Metadata } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { normalizeDelete, normalizeWrite, type WriteOperation } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import {
  createSyncEngine,
  createTransportRemotePort,
  type SyncEngine,
  type SyncEngineOptions,
} from "@xrm-offline/sync";
import { createTransport, type Transport } from "@xrm-offline/transport";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";

export const stackMetadata: Metadata = bundledMetadata();

export interface SyncStack {
  readonly emulator: Emulator;
  readonly transport: Transport;
  readonly online: BehaviorSubject<boolean>;
  store: OfflineStore;
  engine: SyncEngine;
  /** Queue a canonical operation, as an offline write does (record + outbox entry, one transaction). */
  write(operation: WriteOperation): Promise<void>;
  /** Queue an Xrm-style create/update/delete. */
  create(entity: string, data: Record<string, unknown>): Promise<string>;
  update(entity: string, id: string, data: Record<string, unknown>): Promise<void>;
  remove(entity: string, id: string): Promise<void>;
  /** A page reload: the engine is closed (aborting what is in flight), the database reopened. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface SyncStackOptions {
  readonly engine?: Partial<Omit<SyncEngineOptions, "outbox" | "remote" | "connectivity">>;
  /** Database name (default: a fresh one). */
  readonly name?: string;
  /** Share an IndexedDB between stacks (two tabs). */
  readonly indexedDB?: IDBFactory;
  /** Transport timeout per request (ms). */
  readonly timeoutMs?: number;
}

let counter = 0;

export async function openSyncStack(emulator: Emulator, options: SyncStackOptions = {}): Promise<SyncStack> {
  const metadata = stackMetadata;
  const factory = options.indexedDB ?? new IDBFactory();
  const name = options.name ?? `sync-stack-${++counter}`;
  const open = () => OfflineStore.open({ name, metadata, indexedDB: factory, IDBKeyRange });
  const transport = createTransport({
    serverUrl: emulator.url,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const remote = createTransportRemotePort(transport, { metadata });
  const online = new BehaviorSubject(true);
  const makeEngine = (store: OfflineStore) =>
    createSyncEngine({
      outbox: store.outboxPort(),
      remote,
      connectivity: online,
      debounceMs: 1,
      retry: { baseMs: 1, capMs: 5 },
      ...options.engine,
    });
  const store = await open();
  const stack: SyncStack = {
    emulator,
    transport,
    online,
    store,
    engine: makeEngine(store),
    async write(operation) {
      await stack.store.write({ operation });
      stack.engine.notifyLocalWrite();
    },
    async create(entity, data) {
      const operation = normalizeWrite(metadata, {
        entityLogicalName: entity,
        data,
        mode: "offline",
        kind: "create",
      });
      await stack.write(operation);
      return operation.id;
    },
    async update(entity, id, data) {
      await stack.write(
        normalizeWrite(metadata, { entityLogicalName: entity, id, data, mode: "offline", kind: "update" }),
      );
    },
    async remove(entity, id) {
      await stack.write(normalizeDelete(metadata, { entityLogicalName: entity, id }));
    },
    async reload() {
      await stack.engine.close();
      await stack.store.close();
      stack.store = await open();
      stack.engine = makeEngine(stack.store);
    },
    async close() {
      await stack.engine.close();
      await stack.store.close();
    },
  };
  return stack;
}
