// The sync engine end to end: Dexie store (fake-indexeddb) → engine → HTTP transport → emulator.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import { IN_FLIGHT_KEY } from "@xrm-offline/store";
import { createConnectivity, createServerProbe } from "@xrm-offline/sync";
import { IDBFactory } from "fake-indexeddb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openSyncStack, type SyncStack } from "../src/sync-stack.ts";

const code = (name: keyof typeof ERRORS) => toErrorCode(ERRORS[name].code);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emulator: Emulator;
let stacks: SyncStack[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:", port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clear();
  emulator.faults.clear();
});
afterEach(async () => {
  await emulator.faults.up();
  for (const s of stacks) await s.close();
  stacks = [];
});

async function stack(...args: Parameters<typeof openSyncStack> extends [unknown, ...infer R] ? R : never) {
  const s = await openSyncStack(emulator, ...args);
  stacks.push(s);
  return s;
}

async function until(condition: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("timed out waiting for a condition");
    await sleep(5);
  }
}

describe("sync over HTTP: replay", () => {
  it("replays creates, updates and deletes with lookups in order; the server holds exactly the local state", async () => {
    const s = await stack();
    const c = await s.create("contact", { firstname: "Ana", lastname: "Lima" });
    const a = await s.create("account", {
      name: "Contoso",
      "primarycontactid@odata.bind": `/contacts(${c})`,
    });
    await s.update("account", a, { telephone1: "555-0100" });
    await s.update("account", a, { name: "Contoso Ltd" });
    const gone = await s.create("account", { name: "temporary" });
    await s.remove("account", gone);
    expect(await s.engine.pendingCount()).toBe(6);

    expect(await s.engine.syncNow()).toEqual({ pushed: 6, failed: 0, conflicts: 0, pending: 0 });
    expect(emulator.row("account", a)).toMatchObject({
      name: "Contoso Ltd",
      telephone1: "555-0100",
      _primarycontactid_value: c,
    });
    expect(emulator.row("contact", c)).toMatchObject({ firstname: "Ana", lastname: "Lima" });
    expect(emulator.row("account", gone)).toBeUndefined();
    expect(emulator.count("account")).toBe(1);
    expect((await s.store.getRecordRow("account", a))?._syncState).toBe("synced");
    // The contact went in a round before the account pointing at it; the two updates were merged.
    const writes = emulator.requestLog.entries().filter((e) => e.method !== "GET");
    expect(writes.length).toBeLessThanOrEqual(4);
  });

  it("sends a create whose answer was lost once (reset after commit): no duplicate, no failure", async () => {
    const s = await stack();
    const a = await s.create("account", { name: "once" });
    emulator.faults.enqueue("reset-after");
    await s.engine.syncNow();
    await until(async () => (await s.engine.pendingCount()) === 0);
    expect(await s.engine.failures()).toEqual([]);
    expect(emulator.count("account")).toBe(1);
    expect(emulator.row("account", a)).toMatchObject({ name: "once" });
    expect(emulator.faults.injected.get("reset-after")).toBe(1);
  });

  it("keeps a duplicate key on a first attempt as a failure (already exists, type 2)", async () => {
    const s = await stack();
    const id = "5531d753-95af-e711-a94e-000d3a11e605";
    emulator.seed("accounts", [{ accountid: id, name: "someone else's" }]);
    await s.create("account", { accountid: id, name: "mine" });
    expect(await s.engine.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 0, pending: 0 });
    const [failure] = await s.engine.failures();
    expect(failure).toMatchObject({
      action: "Create",
      entity: "account",
      recordId: id,
      errorCode: code("DuplicateRecord"),
      errorType: 2,
      httpStatus: 412,
      data: { accountid: id, name: "mine" },
    });
    expect((await s.store.getRecordRow("account", id))?._syncState).toBe("failed");
    expect(emulator.row("account", id)).toMatchObject({ name: "someone else's" });
  });

  it("retries 503 and 429 with backoff, honouring Retry-After", async () => {
    const s = await stack({ engine: { retry: { baseMs: 1, capMs: 2000 } } });
    await s.create("account", { name: "throttled" });
    emulator.faults.enqueue("503", { kind: "status", status: 429, retryAfter: 1 });
    const started = Date.now();
    await s.engine.syncNow();
    await until(async () => (await s.engine.pendingCount()) === 0, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(emulator.count("account")).toBe(1);
    expect(await s.engine.failures()).toEqual([]);
  });

  it("waits out a server that is down, then drains when it is back", async () => {
    const s = await stack();
    await emulator.faults.down();
    await s.create("account", { name: "patience" });
    // The cycle ended without reaching the server: nothing was sent, nothing lost.
    expect(await s.engine.syncNow()).toMatchObject({ pushed: 0, failed: 0, pending: 1 });
    expect(await s.engine.pendingCount()).toBe(1);
    await emulator.faults.up();
    await until(async () => (await s.engine.pendingCount()) === 0);
    expect(emulator.count("account")).toBe(1);
  });

  it("re-sends after a reload with a request in flight, exactly once in effect (invariant 2)", async () => {
    const s = await stack();
    for (let i = 0; i < 5; i++) await s.create("account", { name: `n${i}` });
    emulator.faults.update({ latencyMs: 200 });
    const batches = () => emulator.requestLog.entries((e) => e.path === "$batch").length;
    const before = batches();
    const first = s.engine.syncNow().catch((e: unknown) => e);
    await until(() => batches() > before); // the $batch reached the server
    await s.reload(); // the tab is closed: the engine aborts, nothing is settled
    expect(await first).toMatchObject({ errorCode: code("RequestAborted") });
    expect(await s.store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [1, 2, 3, 4, 5] });
    emulator.faults.update({ latencyMs: 0 });
    await until(() => emulator.count("account") === 5); // the server finishes what it had received
    expect(await s.engine.syncNow()).toMatchObject({ failed: 0, pending: 0 });
    expect(emulator.count("account")).toBe(5);
    expect(await s.engine.failures()).toEqual([]);
  });

  it("one bad row does not fail its neighbours; what depends on it waits with it", async () => {
    const s = await stack();
    const ok1 = await s.create("account", { name: "fine" });
    // A write the server refuses (the client's validation would not let it through; the store
    // would take it from an older client): 400, "Cannot convert the literal".
    const bad = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";
    await s.write({
      kind: "create",
      entityLogicalName: "contact",
      entitySetName: "contacts",
      id: bad,
      columns: { lastname: "bad", numberofchildren: "lots" },
      lookups: [],
      deepInsert: [],
    });
    const child = await s.create("account", {
      name: "child",
      "primarycontactid@odata.bind": `/contacts(${bad})`,
    });
    const ok2 = await s.create("account", { name: "also fine" });
    const report = await s.engine.syncNow();
    expect(report).toEqual({ pushed: 2, failed: 1, conflicts: 0, pending: 1 });
    expect(emulator.row("account", ok1)).toBeDefined();
    expect(emulator.row("account", ok2)).toBeDefined();
    expect(emulator.row("account", child)).toBeUndefined();
    const [failure] = await s.engine.failures();
    expect(failure).toMatchObject({ recordId: bad, errorType: 3, httpStatus: 400, action: "Create" });
    expect(failure!.message).toMatch(/lots/);
    expect(await s.engine.syncNow()).toMatchObject({ pushed: 0, pending: 1 });
    // The user gives the contact up: the account pointing at it goes, and the server says no.
    await s.engine.discard(failure!.id);
    await until(async () => (await s.engine.pendingCount()) === 0);
    const after = await s.engine.failures();
    expect(after.map((f) => [f.recordId, f.action, f.errorType])).toEqual([[child, "Create", 1]]);
  });
});

describe("sync over HTTP: conflict detection", () => {
  it("server wins on a changed record; the change is kept; retry applies it over the new version", async () => {
    const s = await stack({ engine: { conflictDetection: true } });
    const a = await s.create("account", { name: "v1" });
    await s.engine.syncNow();
    const etag = (await s.store.getRecordRow("account", a))?._serverEtag;
    expect(etag).toMatch(/^W\/"\d+"$/);
    // Someone else edits the record on the server.
    emulator.handle({
      method: "PATCH",
      path: `accounts(${a})`,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "theirs", telephone1: "1" }),
    });
    await s.update("account", a, { name: "mine" });
    expect(await s.engine.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 1, pending: 0 });
    const [failure] = await s.engine.failures();
    expect(failure).toMatchObject({
      errorType: 0,
      errorCode: code("ConcurrencyVersionMismatch"),
      httpStatus: 412,
    });
    expect(emulator.row("account", a)).toMatchObject({ name: "theirs" });
    // Server wins locally: the record shows the server's other columns.
    expect(await s.store.getRecord("account", a)).toMatchObject({ telephone1: "1" });

    await s.engine.retry(failure!.id);
    await until(
      async () => (await s.engine.pendingCount()) === 0 && (await s.engine.failures()).length === 0,
    );
    expect(emulator.row("account", a)).toMatchObject({ name: "mine", telephone1: "1" });
  });

  it("chains its own ETags: successive updates after a create are no conflict, even after a lost answer", async () => {
    const s = await stack({ engine: { conflictDetection: true } });
    const a = await s.create("account", { name: "1" });
    await s.engine.syncNow();
    await s.update("account", a, { name: "2" });
    emulator.faults.enqueue("reset-after");
    await s.engine.syncNow();
    await until(async () => (await s.engine.pendingCount()) === 0);
    // The retry of "2" settles before its cycle ends; a syncNow() made during that cycle would also
    // count it (documented), so wait for the engine to be idle before the next write.
    let phase = "";
    const sub = s.engine.status$.subscribe((st) => {
      phase = st.phase;
    });
    await until(() => phase === "idle");
    sub.unsubscribe();
    await s.update("account", a, { name: "3" });
    expect(await s.engine.syncNow()).toMatchObject({ pushed: 1, failed: 0, conflicts: 0 });
    expect(await s.engine.failures()).toEqual([]);
    expect(emulator.row("account", a)).toMatchObject({ name: "3" });
  });
});

describe("sync over HTTP: connectivity and tabs", () => {
  it("probes the server: unreachable is offline, reachable again is online", async () => {
    const s = await stack();
    const values: boolean[] = [];
    const sub = createConnectivity({
      events: null,
      onLine: () => true,
      probe: createServerProbe(s.transport),
      probeIntervalMs: 20,
    }).subscribe((v) => values.push(v));
    await until(() => values.length === 1);
    await emulator.faults.down();
    sub.unsubscribe();
    const again: boolean[] = [];
    const sub2 = createConnectivity({
      events: null,
      onLine: () => true,
      probe: createServerProbe(s.transport),
      probeIntervalMs: 20,
    }).subscribe((v) => again.push(v));
    await until(() => again.length === 1);
    await emulator.faults.up();
    await until(() => again.length === 2);
    sub2.unsubscribe();
    expect([values, again]).toEqual([[true], [false, true]]);
  });

  it("two tabs on one database: one replays at a time, any can write, nothing is sent twice", async () => {
    const indexedDB = new IDBFactory();
    const tabs = [
      await stack({ name: "shared-db", indexedDB, engine: { batchSize: 3, concurrency: 1 } }),
      await stack({ name: "shared-db", indexedDB, engine: { batchSize: 3, concurrency: 1 } }),
    ];
    emulator.faults.update({ latencyMs: 5 });
    for (let i = 0; i < 20; i++) await tabs[i % 2]!.create("account", { name: `t${i}` });
    await Promise.all(tabs.map((t) => t.engine.syncNow()));
    await until(async () => (await tabs[0]!.engine.pendingCount()) === 0);
    expect(emulator.count("account")).toBe(20);
    const writes = emulator.requestLog.entries((e) => e.method !== "GET");
    // Every create went over the wire exactly once…
    for (let i = 0; i < 20; i++) {
      const sends = writes.filter((e) => e.body.includes(`"name":"t${i}"`)).length;
      expect([i, sends]).toEqual([i, 1]);
    }
    // …and the two runners never had requests in flight at the same time.
    const spans = writes
      .map((e) => [e.startedAt, e.startedAt + e.durationMs] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(await tabs[1]!.engine.failures()).toEqual([]);
  });
});
