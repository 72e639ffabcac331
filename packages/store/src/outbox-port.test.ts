import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { CreateOperation, UpdateOperation } from "@xrm-offline/odata";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import { databaseOf, OfflineStore } from "./offline-store.ts";
import { IN_FLIGHT_KEY } from "./outbox-port.ts";

const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

const metadata = bundledMetadata();
const stores: OfflineStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function open(indexedDB = new IDBFactory()) {
  const store = await OfflineStore.open({ name: "port-test", metadata, indexedDB, IDBKeyRange });
  stores.push(store);
  return { store, indexedDB };
}

const create = (n: number, name = `a${n}`): CreateOperation => ({
  kind: "create",
  entityLogicalName: "account",
  entitySetName: "accounts",
  id: guid(n),
  columns: { name },
  lookups: [],
  deepInsert: [],
});
const update = (n: number, name: string): UpdateOperation => ({
  kind: "update",
  entityLogicalName: "account",
  entitySetName: "accounts",
  id: guid(n),
  columns: { name },
  lookups: [],
});

async function write(store: OfflineStore, op: CreateOperation | UpdateOperation) {
  await store.write({ operation: op });
}

describe("store.outboxPort()", () => {
  it("pages the outbox in order, failed entries included and marked, without reading it whole", async () => {
    const { store } = await open();
    for (let i = 1; i <= 5; i++) await write(store, create(i));
    const port = store.outboxPort();
    const first = await port.page(Number.NEGATIVE_INFINITY, 2);
    expect(first.map((e) => [e.seq, e.state, e.attempts, e.outcomeUnknown])).toEqual([
      [1, "pending", 0, false],
      [2, "pending", 0, false],
    ]);
    await port.markAttempt([2]);
    await port.settle([
      {
        kind: "failed",
        seqs: [2],
        failure: {
          action: "Create",
          entity: "account",
          recordId: guid(2),
          data: { accountid: guid(2), name: "a2" },
          errorCode: 0x80040237,
          code: "0x80040237",
          message: "A record with matching key values already exists.",
          errorType: 2,
          httpStatus: 412,
          time: "2025-01-01T00:00:00.000Z",
        },
      },
    ]);
    const again = await port.page(1, 10);
    expect(again.map((e) => [e.seq, e.state])).toEqual([
      [2, "failed"],
      [3, "pending"],
      [4, "pending"],
      [5, "pending"],
    ]);
    expect(await port.counts()).toEqual({ pending: 4, failed: 1 });
    const [failure] = await port.failures();
    // Recorded as the engine built it, with the outbox's id, entries and attempts.
    expect(failure).toEqual({
      id: "2",
      seqs: [2],
      action: "Create",
      entity: "account",
      recordId: guid(2),
      data: { accountid: guid(2), name: "a2" },
      errorCode: 0x80040237,
      code: "0x80040237",
      message: "A record with matching key values already exists.",
      errorType: 2,
      httpStatus: 412,
      time: "2025-01-01T00:00:00.000Z",
      attempts: 1,
    });
  });

  it("marks what a dead runner had in flight as 'outcome unknown', for good", async () => {
    const { store, indexedDB } = await open();
    await write(store, create(1));
    await write(store, create(2));
    const port = store.outboxPort();
    await port.markAttempt([1, 2]);
    expect(await store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [1, 2] });
    // The tab dies here. A new one opens the same database.
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const { store: reopened } = await open(indexedDB);
    const next = reopened.outboxPort();
    expect((await next.page(0, 10)).map((e) => e.outcomeUnknown)).toEqual([true, true]);
    // Its first round records the dead runner's marks for good, whatever this round's answer says.
    await next.markAttempt([1]);
    await next.settle([
      { kind: "retry", seqs: [1], outcomeUnknown: false, error: { errorCode: 1, message: "503" } },
    ]);
    expect(await reopened.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [] });
    expect((await next.page(0, 10)).map((e) => [e.seq, e.outcomeUnknown, e.attempts])).toEqual([
      [1, true, 2],
      [2, true, 1],
    ]);
    // Counted on the entries themselves now, not on the list.
    expect(
      (await databaseOf(reopened).outbox.toArray()).map((e) => [e.seq, e.outcomeUnknown, e.attempts]),
    ).toEqual([
      [1, true, 2],
      [2, true, 1],
    ]);
  });

  it("marks a round with one write of the in-flight list; each entry counts its attempt when answered", async () => {
    const { store } = await open();
    for (let i = 1; i <= 3; i++) await write(store, create(i));
    const port = store.outboxPort();
    const before = await databaseOf(store).outbox.toArray();
    await port.markAttempt([1, 2, 3]);
    // The entries are not rewritten by the mark...
    expect(await databaseOf(store).outbox.toArray()).toEqual(before);
    expect(await store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [1, 2, 3] });
    // ...yet read as attempted once and possibly applied while their answer is awaited.
    expect((await port.page(0, 10)).map((e) => [e.seq, e.attempts, e.outcomeUnknown])).toEqual([
      [1, 1, true],
      [2, 1, true],
      [3, 1, true],
    ]);
    await port.settle([
      { kind: "acknowledged", seqs: [1] },
      { kind: "retry", seqs: [2], outcomeUnknown: false, error: { errorCode: 1, message: "503" } },
      {
        kind: "failed",
        seqs: [3],
        failure: {
          action: "Create",
          entity: "account",
          recordId: guid(3),
          data: {},
          errorCode: 0x80040216,
          code: "0x80040216",
          message: "x",
          errorType: 3,
          httpStatus: 400,
          time: "2025-01-01T00:00:00.000Z",
        },
      },
    ]);
    expect(await store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [] });
    expect(
      (await databaseOf(store).outbox.toArray()).map((e) => [e.seq, e.attempts, e.outcomeUnknown]),
    ).toEqual([[2, 1, false]]);
    expect((await port.failures()).map((f) => [f.id, f.attempts])).toEqual([["3", 1]]);
    // The failure keeps its entry with the attempt counted: a retry puts it back as tried once.
    await store.retryFailure("3");
    expect((await port.page(0, 10)).map((e) => [e.seq, e.attempts, e.outcomeUnknown])).toEqual([
      [2, 1, false],
      [3, 1, false],
    ]);
  });

  it("reads the plain-array list older versions wrote: outcome unknown, attempt already counted", async () => {
    const { store, indexedDB } = await open();
    await write(store, create(1));
    await write(store, create(2));
    // What a runner of an older version left when it died: the attempt counted on the entry and
    // the sequence number in a plain array.
    await databaseOf(store).outbox.update(1, { attempts: 1 });
    await store.setMeta(IN_FLIGHT_KEY, [1]);
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const { store: reopened } = await open(indexedDB);
    const port = reopened.outboxPort();
    expect((await port.page(0, 10)).map((e) => [e.seq, e.attempts, e.outcomeUnknown])).toEqual([
      [1, 1, true],
      [2, 0, false],
    ]);
    await port.markAttempt([2]);
    expect(await reopened.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [2] });
    expect(
      (await databaseOf(reopened).outbox.toArray()).map((e) => [e.seq, e.attempts, e.outcomeUnknown]),
    ).toEqual([
      [1, 1, true],
      [2, 0, false],
    ]);
  });

  it("keeps the marks of overlapping rounds of the same runner apart", async () => {
    const { store } = await open();
    for (let i = 1; i <= 3; i++) await write(store, create(i));
    const port = store.outboxPort();
    await port.markAttempt([1]);
    await port.markAttempt([2, 3]); // a second round while the first is in flight
    expect(await store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [1, 2, 3] });
    await port.settle([{ kind: "acknowledged", seqs: [1] }]);
    expect(await store.getMeta(IN_FLIGHT_KEY)).toEqual({ sent: [2, 3] });
    await port.settle([
      { kind: "retry", seqs: [2, 3], outcomeUnknown: false, error: { errorCode: 1, message: "x" } },
    ]);
    // Neither round took the other for a dead one.
    expect((await port.page(0, 10)).map((e) => [e.seq, e.outcomeUnknown])).toEqual([
      [2, false],
      [3, false],
    ]);
  });

  it("sends an update with the record's current server ETag, moved on by its own acknowledgements", async () => {
    const { store } = await open();
    await write(store, create(1));
    await write(store, update(1, "b"));
    const port = store.outboxPort();
    await port.markAttempt([1]);
    await port.settle([{ kind: "acknowledged", seqs: [1], etag: 'W/"7"' }]);
    const [entry] = await port.page(0, 10);
    expect(entry).toMatchObject({ seq: 2, baseEtag: 'W/"7"' });
  });

  it("tells the engine about local writes and failure actions, not about its own settles", async () => {
    const { store } = await open();
    const port = store.outboxPort();
    let seen = 0;
    const unsubscribe = port.onOutboxChange!(() => seen++);
    await write(store, create(1));
    await port.markAttempt([1]);
    await port.settle([{ kind: "acknowledged", seqs: [1] }]);
    unsubscribe();
    expect(seen).toBe(1);
  });
});
