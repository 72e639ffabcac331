// The pull as the sync engine's hook, end to end: store outbox → engine (push, then pull) → HTTP →
// emulator, with status$ progress.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import type { SyncStatus } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import {
  createPuller,
  createSyncEngine,
  createTransportRemotePort,
  normalizeOfflineTables,
  type SyncEngine,
  transportPullRemote,
} from "@xrm-offline/sync";
import { createTransport } from "@xrm-offline/transport";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { create, guid, localIds, localRows, metadata, serverIds, update } from "./pull-fixture.ts";

let emulator: Emulator;
let store: OfflineStore;
let engine: SyncEngine;
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:" });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.clear();
  emulator.requestLog.clear();
  store = await OfflineStore.open({
    name: "pull-engine",
    metadata,
    indexedDB: new IDBFactory(),
    IDBKeyRange,
  });
  const transport = createTransport({ serverUrl: emulator.url });
  const puller = createPuller({
    store,
    remote: transportPullRemote(transport),
    profile: normalizeOfflineTables(["account", "contact"], metadata),
    pageSize: 4,
  });
  engine = createSyncEngine({
    outbox: store.outboxPort(),
    remote: createTransportRemotePort(transport, { metadata }),
    connectivity: new BehaviorSubject(true),
    debounceMs: 1,
    retry: { baseMs: 1, capMs: 5 },
    pull: (signal, onProgress) => puller.pull(signal, onProgress),
  });
});
afterEach(async () => {
  await engine.close();
  await store.close();
});

const A = (n: number) => guid(n, "aaaaaaaa");

describe("the pull in the engine's cycle", () => {
  it("first cycle downloads the profile, showing each table's progress in status$", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 10 }, (_, i) => ({ accountid: A(i + 1), name: `A${i + 1}` })),
    );
    emulator.seed("contacts", [{ lastname: "One" }, { lastname: "Two" }]);
    const statuses: SyncStatus[] = [];
    engine.status$.subscribe((s) => statuses.push(s));
    await engine.syncNow();
    expect(await localIds(store, "account")).toEqual(serverIds(emulator, "account"));
    expect(await localIds(store, "contact")).toEqual(serverIds(emulator, "contact"));
    const progress = statuses.filter((s) => s.phase === "pulling" && s.progress).map((s) => s.progress);
    expect(progress).toEqual([
      { table: "account", done: 0, total: 10 },
      { table: "account", done: 4, total: 10 },
      { table: "account", done: 8, total: 10 },
      { table: "account", done: 10, total: 10 },
      { table: "contact", done: 0, total: 2 },
      { table: "contact", done: 2, total: 2 },
    ]);
    expect(statuses.at(-1)).toMatchObject({ phase: "idle", progress: null, lastError: null });
  });

  it("a table with a higher offlineTables priority comes down first, with its name and total", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 5 }, (_, i) => ({ accountid: A(i + 1), name: `A${i + 1}` })),
    );
    emulator.seed("contacts", [{ lastname: "One" }, { lastname: "Two" }, { lastname: "Three" }]);
    const transport = createTransport({ serverUrl: emulator.url });
    const puller = createPuller({
      store,
      remote: transportPullRemote(transport),
      profile: normalizeOfflineTables({ account: true, contact: { priority: 5 } }, metadata),
      pageSize: 4,
    });
    const prioritized = createSyncEngine({
      outbox: store.outboxPort(),
      remote: createTransportRemotePort(transport, { metadata }),
      connectivity: new BehaviorSubject(true),
      debounceMs: 1,
      retry: { baseMs: 1, capMs: 5 },
      pull: (signal, onProgress) => puller.pull(signal, onProgress),
    });
    try {
      const statuses: SyncStatus[] = [];
      prioritized.status$.subscribe((s) => statuses.push(s));
      await prioritized.syncNow();
      const progress = statuses.filter((s) => s.phase === "pulling" && s.progress).map((s) => s.progress);
      expect(progress).toEqual([
        { table: "contact", done: 0, total: 3 },
        { table: "contact", done: 3, total: 3 },
        { table: "account", done: 0, total: 5 },
        { table: "account", done: 4, total: 5 },
        { table: "account", done: 5, total: 5 },
      ]);
      // The requests went in that order too: every contacts GET before the first accounts GET.
      const paths = emulator.requestLog.entries().map((e) => e.path);
      const lastContacts = paths.findLastIndex((p) => p.includes("contacts"));
      expect(lastContacts).toBeGreaterThan(-1);
      expect(lastContacts).toBeLessThan(paths.findIndex((p) => p.includes("accounts")));
      expect(await localIds(store, "contact")).toEqual(serverIds(emulator, "contact"));
      expect(await localIds(store, "account")).toEqual(serverIds(emulator, "account"));
    } finally {
      await prioritized.close();
    }
  });

  it("pushes local changes before pulling; the pulled state then agrees with the server", async () => {
    emulator.seed("accounts", [
      { accountid: A(1), name: "A1" },
      { accountid: A(2), name: "A2" },
    ]);
    await engine.syncNow();
    await store.write(update("account", A(1), { name: "edited offline" }));
    const created = await store.write(create("account", { name: "created offline" }));
    const res = emulator.handle({
      method: "PATCH",
      path: `accounts(${A(1)})`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ telephone1: "555-0199" }),
    });
    expect(res.status).toBe(204);
    emulator.requestLog.clear();

    expect(await engine.syncNow()).toMatchObject({ pushed: 2, failed: 0, pending: 0 });
    const methods = emulator.requestLog.entries().map((e) => e.method);
    expect(methods.indexOf("GET")).toBeGreaterThan(methods.lastIndexOf("POST"));
    expect(methods.filter((m) => m !== "GET").length).toBeGreaterThan(0);

    const local = await localRows(store, "account");
    expect([...local.keys()].sort()).toEqual(serverIds(emulator, "account"));
    expect(local.get(A(1))).toMatchObject({ name: "edited offline", telephone1: "555-0199" });
    expect(local.get(created.id)?.name).toBe("created offline");
    for (const id of local.keys()) {
      const row = await store.getRecordRow("account", id);
      expect(row?._syncState).toBe("synced");
      expect(row?.["@odata.etag"]).toBe(emulator.row("account", id)?.["@odata.etag"]);
    }
  });
});
