// Browser entry of the Chromium drain benchmark: 10,000 creates queued in the store on the
// page's real IndexedDB, drained by the sync engine (store.outboxPort(), $batch of 100, 2 rounds
// in flight) to the emulator over HTTP, next to the floor: the same queue drained Workbox-style,
// one request per write (peek the head entry, send it on its own, settle it). The page is served
// by the emulator, so the requests are same-origin as a web resource's are.

import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { CreateOperation } from "@xrm-offline/odata";
import { renderRequest } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import { createSyncEngine, createTransportRemotePort } from "@xrm-offline/sync";
import { createTransport } from "@xrm-offline/transport";
import { Dexie } from "dexie";
import { BehaviorSubject } from "rxjs";

const params = new URLSearchParams(location.search);
const N = Number(params.get("writes") ?? 10_000);
const metadata = bundledMetadata();
const transport = createTransport({ serverUrl: `${location.origin}/api/data/v9.2` });
const heapPeak = (): Promise<number> =>
  (globalThis as unknown as { benchHeapPeak(): Promise<number> }).benchHeapPeak();

function operation(i: number): CreateOperation {
  return {
    kind: "create",
    entityLogicalName: "account",
    entitySetName: "accounts",
    id: crypto.randomUUID(),
    columns: { name: `Account ${i}`, telephone1: "555-0100", revenue: 1000 + i },
    lookups: [],
    deepInsert: [],
  };
}

let stores = 0;
async function queuedStore(n: number): Promise<OfflineStore> {
  const store = await OfflineStore.open({
    name: `drain-bench-${Date.now()}-${++stores}`,
    metadata,
    indexedDB,
    IDBKeyRange,
  });
  for (let i = 0; i < n; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, n - i) }, (_, k) => operation(i + k));
    await Promise.all(chunk.map((op) => store.write({ operation: op })));
  }
  return store;
}

async function done(store: OfflineStore): Promise<void> {
  const left = await store.pendingCount();
  if (left !== 0) throw new Error(`${left} entries left in the outbox`);
  const name = store.name;
  await store.close();
  await Dexie.delete(name).catch(() => {});
}

async function drainWithEngine(store: OfflineStore): Promise<number> {
  const engine = createSyncEngine({
    outbox: store.outboxPort(),
    remote: createTransportRemotePort(transport, { metadata }),
    connectivity: new BehaviorSubject(true),
    batchSize: 100,
    concurrency: 2,
    retry: { baseMs: 10, capMs: 100 },
  });
  const t = performance.now();
  const result = await engine.syncNow();
  const ms = performance.now() - t;
  await engine.close();
  if (result.pending !== 0 || result.failed !== 0)
    throw new Error(`drain incomplete: ${JSON.stringify(result)}`);
  return ms;
}

/** Workbox's replay loop: take the head entry, send it on its own, remove it on success. */
async function drainOneByOne(store: OfflineStore): Promise<number> {
  const t = performance.now();
  for (;;) {
    const [entry] = await store.peekOutbox({ limit: 1 });
    if (!entry) break;
    await transport.send(renderRequest(metadata, entry.operation));
    await store.settle([{ kind: "acknowledged", seqs: [entry.seq] }]);
  }
  return performance.now() - t;
}

async function run() {
  // Warm-up: JIT, the connection, the emulator's statements.
  const warm = await queuedStore(200);
  await drainWithEngine(warm);
  await done(warm);
  const n = N.toLocaleString("en");

  const engineStore = await queuedStore(N);
  await heapPeak();
  const engineMs = await drainWithEngine(engineStore);
  const engineHeap = await heapPeak();
  await done(engineStore);
  console.log(`engine: ${(engineMs / 1000).toFixed(1)} s`);
  const floorStore = await queuedStore(N);
  const floorMs = await drainOneByOne(floorStore);
  await done(floorStore);
  console.log(`one by one: ${(floorMs / 1000).toFixed(1)} s`);
  const rate = (ms: number) => Math.round(N / (ms / 1000));
  return [
    {
      name: `drain ${n} queued creates: engine on store.outboxPort() ($batch of 100, 2 in flight)`,
      value: Math.round(engineMs),
      unit: "ms",
      note: `${rate(engineMs)} rows/s; JS heap peak ${engineHeap.toFixed(1)} MB (CDP JSHeapUsedSize)`,
    },
    {
      name: `floor: drain ${n} queued creates one request each (Workbox-style), same store`,
      value: Math.round(floorMs),
      unit: "ms",
      note: `${rate(floorMs)} rows/s`,
    },
    {
      name: "drain speed-up over one request each (same origin, loopback)",
      value: floorMs / engineMs,
      unit: "×",
      note: "target ≥ 10×",
    },
  ];
}

(globalThis as unknown as { benchDone: Promise<unknown> }).benchDone = run();
