import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import { afterEach, describe, expect, it } from "vitest";
import { type EngineFixture, engineFixture } from "./testing/engine-fixture.ts";
import { flush } from "./testing/fake-clock.ts";
import { etagOf } from "./testing/fake-server.ts";
import { orderProblems } from "./testing/model-sequence.ts";
import { createOp, deleteOp, guid, lookup, updateOp } from "./testing/operations.ts";

const code = (name: keyof typeof ERRORS) => toErrorCode(ERRORS[name].code);
const A = guid(1);
const B = guid(2);
const C = guid(3);

let fixtures: EngineFixture[] = [];
function setup(...args: Parameters<typeof engineFixture>): EngineFixture {
  const f = engineFixture(...args);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  for (const f of fixtures) await f.engine.close();
  fixtures = [];
});

describe("createSyncEngine: replay", () => {
  it("drains queued creates in one $batch, with their client GUIDs, and empties the outbox", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A, { name: "a" }));
    f.outbox.enqueue(createOp("account", B, { name: "b" }));
    const report = await f.engine.syncNow();
    expect(report).toEqual({ pushed: 2, failed: 0, conflicts: 0, pending: 0 });
    expect(f.server.log.map((l) => [l.kind, l.writes.length])).toEqual([["batch", 2]]);
    expect(f.server.snapshot()).toEqual({
      [`account(${A})`]: { name: "a" },
      [`account(${B})`]: { name: "b" },
    });
    expect(f.outbox.rows()).toEqual([]);
    expect(await f.engine.pendingCount()).toBe(0);
  });

  it("sends nothing offline, and replays on reconnect without being asked", async () => {
    const f = setup();
    f.online.next(false);
    f.outbox.enqueue(createOp("account", A, { name: "a" }));
    const report = await f.engine.syncNow();
    expect(report).toEqual({ pushed: 0, failed: 0, conflicts: 0, pending: 1 });
    expect(f.server.log).toEqual([]);
    expect(f.statuses.at(-1)).toMatchObject({ connectivity: "offline", pending: 1 });
    f.online.next(true);
    await flush();
    expect(f.server.snapshot()).toEqual({ [`account(${A})`]: { name: "a" } });
    expect(f.statuses.at(-1)).toMatchObject({ connectivity: "online", phase: "idle", pending: 0 });
  });

  it("replays on start", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A));
    f.engine.start();
    await flush();
    expect(f.outbox.rows()).toEqual([]);
  });

  it("syncs a burst of local writes once, debounceMs after the first", async () => {
    const f = setup();
    f.engine.start();
    await flush();
    f.outbox.enqueue(createOp("account", A));
    f.engine.notifyLocalWrite();
    await f.clock.advance(50);
    f.outbox.enqueue(createOp("account", B));
    f.engine.notifyLocalWrite();
    await f.clock.advance(49);
    expect(f.server.log).toEqual([]);
    await f.clock.advance(1);
    expect(f.server.log.map((l) => l.writes.length)).toEqual([2]);
  });

  it("listens to the outbox's own change stream (writes from other tabs)", async () => {
    const f = setup();
    f.engine.start();
    await flush();
    f.outbox.enqueue(createOp("account", A), true);
    await f.clock.advance(100);
    expect(f.outbox.rows()).toEqual([]);
  });

  it("sends updates with If-Match: * and only their columns; a deleted record is not resurrected", async () => {
    const f = setup();
    f.server.put("account", A, { name: "old", city: "x" });
    f.outbox.enqueue(updateOp("account", A, { name: "new" }));
    await f.engine.syncNow();
    expect(f.server.log[0]!.writes[0]).toEqual({
      operation: updateOp("account", A, { name: "new" }),
      ifMatch: "*",
      returnEtag: false,
    });
    expect(f.server.get("account", A)!.values).toEqual({ name: "new", city: "x" });

    f.server.tables.get("account")!.delete(A);
    f.outbox.enqueue(updateOp("account", A, { name: "again" }));
    const report = await f.engine.syncNow();
    expect(report).toMatchObject({ pushed: 0, failed: 1 });
    expect(f.server.get("account", A)).toBeUndefined();
    const [failure] = await f.engine.failures();
    expect(failure).toMatchObject({
      action: "Update",
      errorType: 1,
      errorCode: code("ObjectDoesNotExist"),
      httpStatus: 404,
    });
  });

  it("merges consecutive updates of a record into one PATCH", async () => {
    const f = setup();
    f.server.put("account", A, {});
    f.outbox.enqueue(updateOp("account", A, { name: "1", city: "c" }));
    f.outbox.enqueue(updateOp("account", A, { name: "2" }));
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 2 });
    expect(f.server.log.map((l) => l.writes.map((w) => w.operation))).toEqual([
      [updateOp("account", A, { name: "2", city: "c" })],
    ]);
  });

  it("sends a record created offline before the records pointing at it, in later rounds of one cycle", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("contact", C, { lastname: "c" }));
    f.outbox.enqueue(createOp("account", A, { name: "a" }, [lookup("primarycontactid", "contact", C)]));
    f.outbox.enqueue(updateOp("contact", C, { lastname: "c2" }));
    expect(await f.engine.syncNow()).toEqual({ pushed: 3, failed: 0, conflicts: 0, pending: 0 });
    expect(f.server.log.map((l) => l.writes.map((w) => `${w.operation.kind}:${w.operation.id}`))).toEqual([
      [`create:${C}`],
      [`create:${A}`, `update:${C}`],
    ]);
    expect(f.server.get("account", A)!.values).toEqual({ name: "a", _primarycontactid_value: C });
  });
});

describe("createSyncEngine: idempotent replay after lost answers", () => {
  it("counts a duplicate key on a create re-sent after a lost answer as success (reset after commit)", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A, { name: "a" }));
    f.server.faults.push({ kind: "reset-after" });
    const first = await f.engine.syncNow();
    expect(first).toMatchObject({ pushed: 0, pending: 1 });
    expect(f.outbox.rows()[0]).toMatchObject({ outcomeUnknown: true, attempts: 1 });
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(await f.engine.failures()).toEqual([]);
    expect(f.server.snapshot()).toEqual({ [`account(${A})`]: { name: "a" } });
    // the replay really did get "duplicate key" from the server
    expect(f.server.log.filter((l) => l.kind !== "retrieve")).toHaveLength(2);
  });

  it("keeps a duplicate key on a first attempt as 'already exists' (type 2) and marks the record", async () => {
    const f = setup();
    f.server.put("account", A, { name: "someone else's" });
    f.outbox.enqueue(createOp("account", A, { name: "mine" }));
    expect(await f.engine.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 0, pending: 0 });
    const [failure] = await f.engine.failures();
    expect(failure).toMatchObject({
      action: "Create",
      entity: "account",
      recordId: A,
      data: { name: "mine" },
      errorCode: code("DuplicateRecord"),
      code: "0x80040237",
      errorType: 2,
      httpStatus: 412,
      seqs: [1],
    });
    expect(f.outbox.records.get(`account(${A})`)?.failed).toBe(true);
    expect(f.server.get("account", A)!.values).toEqual({ name: "someone else's" });
  });

  it("counts a 404 on a delete re-sent after a lost answer as success", async () => {
    const f = setup();
    f.server.put("account", A, {});
    f.outbox.enqueue(deleteOp("account", A));
    f.server.faults.push({ kind: "reset-after" });
    await f.engine.syncNow();
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(await f.engine.failures()).toEqual([]);
    expect(f.server.snapshot()).toEqual({});
  });

  it("re-sends after a crash in mid-flight, exactly once in effect (invariant 2)", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A, { name: "a" }));
    f.outbox.enqueue(createOp("account", B, { name: "b" }));
    f.server.faults.push({ kind: "hang-after" });
    const pending = f.engine.syncNow();
    await flush();
    expect(f.server.hung).toBe(1);
    await f.restart(); // the page is closed with the request in flight
    await expect(pending).rejects.toMatchObject({ errorCode: code("RequestAborted") });
    expect(f.outbox.rows().map((r) => [r.seq, r.inFlight])).toEqual([
      [1, true],
      [2, true],
    ]);
    const report = await f.engine.syncNow();
    expect(report).toEqual({ pushed: 2, failed: 0, conflicts: 0, pending: 0 });
    expect(f.server.snapshot()).toEqual({
      [`account(${A})`]: { name: "a" },
      [`account(${B})`]: { name: "b" },
    });
  });

  it("treats the missing parts of a truncated $batch answer as unknown and replays them harmlessly", async () => {
    const f = setup();
    for (let i = 1; i <= 4; i++) f.outbox.enqueue(createOp("account", guid(i), { n: i }));
    f.server.faults.push({ kind: "truncate-after" });
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 2, pending: 2 });
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(await f.engine.failures()).toEqual([]);
    expect(Object.keys(f.server.snapshot())).toHaveLength(4);
  });
});

describe("createSyncEngine: conflict detection", () => {
  it("sends the ETag; a record changed on the server is a conflict: server wins, change kept", async () => {
    const f = setup({ conflictDetection: true });
    const row = f.server.put("account", A, { name: "base" });
    f.outbox.setEtag("account", A, etagOf(row));
    f.outbox.enqueue(updateOp("account", A, { name: "mine" }));
    const theirs = f.server.put("account", A, { name: "theirs" });
    const report = await f.engine.syncNow();
    expect(f.server.log[0]!.writes[0]).toMatchObject({ ifMatch: etagOf(row), returnEtag: true });
    expect(report).toEqual({ pushed: 0, failed: 1, conflicts: 1, pending: 0 });
    const [failure] = await f.engine.failures();
    expect(failure).toMatchObject({
      errorType: 0,
      errorCode: code("ConcurrencyVersionMismatch"),
      data: { name: "mine" },
    });
    expect(f.outbox.records.get(`account(${A})`)).toEqual({
      etag: etagOf(theirs),
      failed: true,
      refreshed: { name: "theirs", "@odata.etag": etagOf(theirs) },
    });
    expect(f.server.get("account", A)!.values).toEqual({ name: "theirs" });

    // The user decides to apply their change anyway: it goes with the refreshed ETag.
    await f.engine.retry(failure!.id);
    await flush();
    expect(f.server.get("account", A)!.values).toEqual({ name: "mine" });
    expect(await f.engine.failures()).toEqual([]);
    expect(f.outbox.records.get(`account(${A})`)?.failed).toBe(false);
  });

  it("chains ETags through its own writes: a second update is no conflict", async () => {
    const f = setup({ conflictDetection: true });
    f.outbox.enqueue(createOp("account", A, { name: "1" }));
    f.outbox.enqueue(updateOp("account", A, { name: "2" }));
    await f.engine.syncNow();
    f.outbox.enqueue(updateOp("account", A, { name: "3" }));
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
    expect(f.server.get("account", A)!.values).toEqual({ name: "3" });
    expect(f.server.log.filter((l) => l.kind !== "retrieve").map((l) => l.writes[0]!.ifMatch)).toEqual([
      undefined,
      'W/"1001"',
      'W/"1002"',
    ]);
  });

  it("recognises its own earlier write after a lost answer (412 but the server holds our values)", async () => {
    const f = setup({ conflictDetection: true });
    const row = f.server.put("account", A, { name: "base" });
    f.outbox.setEtag("account", A, etagOf(row));
    f.outbox.enqueue(updateOp("account", A, { name: "mine" }));
    f.server.faults.push({ kind: "reset-after" });
    await f.engine.syncNow();
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(await f.engine.failures()).toEqual([]);
    expect(f.server.log.map((l) => l.kind)).toEqual(["single", "single", "retrieve"]);
    expect(f.outbox.records.get(`account(${A})`)?.etag).toBe(etagOf(f.server.get("account", A)!));
  });

  it("re-sends an update whose answer was lost together with the updates merged into it before", async () => {
    const f = setup({ conflictDetection: true, batchSize: 3 });
    const row = f.server.put("account", A, { name: "base" });
    f.outbox.setEtag("account", A, etagOf(row));
    f.outbox.enqueue(updateOp("account", A, { name: "1", city: "c" }));
    f.outbox.enqueue(createOp("account", B));
    f.outbox.enqueue(updateOp("account", A, { name: "2" }));
    f.server.faults.push({ kind: "reset-after" });
    await f.engine.syncNow(); // A's two updates went merged, with B; the answer was lost
    expect(f.server.get("account", A)!.values).toEqual({ name: "2", city: "c" });
    await f.engine.close();
    // Reloaded with a smaller batch, full after A's first update and B: the second still goes
    // along, or the replay would put "1" back on the server before "2" came again.
    const g = setup(
      { conflictDetection: true, batchSize: 2 },
      { outbox: f.outbox, server: f.server, clock: f.clock },
    );
    await g.engine.syncNow();
    await g.clock.runUntil(() => g.outbox.rows().length === 0);
    expect(await g.engine.failures()).toEqual([]);
    expect(f.server.get("account", A)!.values).toEqual({ name: "2", city: "c" });
    const sent = f.server.log
      .filter((l) => l.kind !== "retrieve")
      .map((l) => l.writes.map((w) => w.operation));
    expect(sent[1]).toEqual([updateOp("account", A, { name: "2", city: "c" }), createOp("account", B)]);
    expect(orderProblems(f.server.applied)).toEqual([]);
  });

  it("reports a record deleted on the server as 'not found' (type 1)", async () => {
    const f = setup({ conflictDetection: true });
    f.outbox.setEtag("account", A, 'W/"1"');
    f.server.put("account", A, { name: "x" });
    f.outbox.enqueue(updateOp("account", A, { name: "mine" }));
    f.server.onRequest = () => f.server.tables.get("account")!.clear();
    await f.engine.syncNow();
    const [failure] = await f.engine.failures();
    // If-Match with an ETag on a missing row: 404 straight away.
    expect(failure).toMatchObject({ errorType: 1, errorCode: code("ObjectDoesNotExist") });
  });
});
