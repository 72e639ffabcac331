import { describe, expect, it } from "vitest";
import { databaseOf } from "./offline-store.ts";
import { type FaultPlan, faultInjection, valuesOf } from "./testing/fault-injection.ts";
import { ACCOUNT, CONTACT, create, openTestStore, update } from "./testing/test-store.ts";
import { type TransactionCount, transactionCounter } from "./testing/transaction-counter.ts";

/** A test store whose committed write transactions (over the outbox) are counted. */
async function countedStore(): Promise<{
  store: Awaited<ReturnType<typeof openTestStore>>["store"];
  commits: TransactionCount;
}> {
  const commits: TransactionCount = { value: 0 };
  const { store } = await openTestStore({ addons: [transactionCounter("outbox", commits)] });
  return { store, commits };
}

const DUPLICATE = 0x80040237;

function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

describe("invariant 1: a call that rejects has written nothing", () => {
  for (const table of ["records", "outbox"]) {
    it(`a failure writing ${table} inside the transaction leaves neither record nor entry`, async () => {
      const plan: FaultPlan = {};
      const { store } = await openTestStore({ addons: [faultInjection(plan)] });
      await store.write(create("account", { accountid: ACCOUNT, name: "before" }));
      plan.fail = (t) => (t === table ? new Error(`disk failure in ${t}`) : undefined);
      await expect(store.write(update("account", ACCOUNT, { name: "after" }))).rejects.toThrow(
        `disk failure in ${table}`,
      );
      await expect(store.write(create("contact", { contactid: CONTACT, lastname: "x" }))).rejects.toThrow();
      plan.fail = undefined;
      expect(await store.getRecord("account", ACCOUNT)).toEqual({ accountid: ACCOUNT, name: "before" });
      expect(await store.getRecord("contact", CONTACT)).toBeUndefined();
      expect((await store.peekOutbox()).map((e) => e.seq)).toEqual([1]);
      expect((await store.getRecordRow("account", ACCOUNT))?._changes).toHaveLength(1);
      // The store still works afterwards, and no sequence number was lost to the aborted writes.
      await store.write(update("account", ACCOUNT, { name: "later" }));
      expect((await store.peekOutbox()).map((e) => e.seq)).toEqual([1, 2]);
    });
  }
});

describe("invariant 1 with a note's body kept as a Blob", () => {
  /** A note whose body (`bytes` decoded, 4 KB or more as Base64) is kept apart in the blobs table. */
  const note = (id: string, bytes: number) =>
    create("annotation", {
      annotationid: id,
      subject: `note ${bytes}`,
      documentbody: Buffer.alloc(bytes, bytes % 251).toString("base64"),
    });
  const blobSizes = async (store: Awaited<ReturnType<typeof openTestStore>>["store"]) =>
    (await databaseOf(store).blobs.toArray()).map((b) => b.blob.size).sort((a, b) => a - b);

  it("a note refused inside a group (duplicate id, missing note) leaves its blob out; the others keep theirs", async () => {
    const { store } = await openTestStore();
    await store.write(note(guid(1), 5000));
    expect(await blobSizes(store)).toEqual([5000]);
    const body = (bytes: number) => Buffer.alloc(bytes, 1).toString("base64");
    // The first call of each burst commits alone; the ones after it share the next transaction.
    const first = await Promise.allSettled([
      store.write(create("account", { name: "first" })),
      store.write(note(guid(2), 6000)),
      // The same id again: found when the group's rows are added (the group is committed again without it).
      store.write(note(guid(1), 7000)),
      store.write(create("account", { name: "in the same group" })),
    ]);
    expect(first.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((first[2] as PromiseRejectedResult).reason).toMatchObject({ errorCode: DUPLICATE });
    const second = await Promise.allSettled([
      store.write(create("account", { name: "first again" })),
      // An update of a note this device doesn't have: refused while the group is planned.
      store.write(update("annotation", guid(9), { documentbody: body(8000) })),
      store.write(note(guid(3), 9000)),
    ]);
    expect(second.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((second[1] as PromiseRejectedResult).reason).toMatchObject({ errorCode: 0x8005f224 });
    // The refused notes' 7,000 and 8,000 bytes never reached the blobs table.
    expect(await blobSizes(store)).toEqual([5000, 6000, 9000]);
    expect((await store.getRecord("annotation", guid(1)))?.subject).toBe("note 5000");
    expect(await store.pendingCount()).toBe(6);
  });

  it("a failure writing blobs aborts the call whole: no blob, no note, no entry; a group keeps its other calls", async () => {
    const plan: FaultPlan = {};
    const { store } = await openTestStore({ addons: [faultInjection(plan)] });
    plan.fail = (t) => (t === "blobs" ? new Error("disk failure in blobs") : undefined);
    await expect(store.write(note(guid(3), 5000))).rejects.toThrow("disk failure in blobs");
    const [account, grouped] = await Promise.allSettled([
      store.write(create("account", { accountid: ACCOUNT, name: "no body" })),
      store.write(note(guid(4), 6000)),
    ]);
    expect(account.status).toBe("fulfilled");
    expect(grouped).toMatchObject({ status: "rejected", reason: { message: "disk failure in blobs" } });
    plan.fail = undefined;
    expect(await blobSizes(store)).toEqual([]);
    expect(await store.getRecordRow("annotation", guid(3))).toBeUndefined();
    expect(await store.getRecordRow("annotation", guid(4))).toBeUndefined();
    expect((await store.peekOutbox()).map((e) => [e.entity, e.recordId])).toEqual([["account", ACCOUNT]]);
  });
});

describe("group commit", () => {
  it("commits calls fired together in one transaction, each resolving with its own result", async () => {
    const { store, commits } = await countedStore();
    const calls = Array.from({ length: 200 }, (_, i) =>
      store.write(create("account", { accountid: guid(i + 1), name: `A${i}` })),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 200 }, (_, i) => guid(i + 1)));
    expect(commits.value).toBe(1);
    const entries = await store.peekOutbox({ limit: 1000 });
    expect(entries.map((e) => e.recordId)).toEqual(results.map((r) => r.id));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it("groups the calls that arrive while a transaction is in flight into the next one", async () => {
    const { store, commits } = await countedStore();
    const first = store.write(create("account", { name: "first" }));
    await Promise.resolve();
    await Promise.resolve();
    const later = Array.from({ length: 20 }, (_, i) =>
      store.write(create("account", { name: `later ${i}` })),
    );
    await Promise.all([first, ...later]);
    expect(commits.value).toBe(2);
    expect(await store.pendingCount()).toBe(21);
  });

  it("keeps a group's dependencies inside the group (create then lookup then update)", async () => {
    const { store, commits } = await countedStore();
    await Promise.all([
      store.write(create("contact", { contactid: CONTACT, lastname: "Smith", fullname: "Jo Smith" })),
      store.write(
        create("account", {
          accountid: ACCOUNT,
          name: "A",
          primarycontactid: { logicalname: "contact", id: CONTACT },
        }),
      ),
      store.write(update("account", ACCOUNT, { name: "B" })),
    ]);
    expect(commits.value).toBe(1);
    const entries = await store.peekOutbox();
    expect(entries.map((e) => [e.seq, e.after, e.blockedBy])).toEqual([
      [1, [], []],
      [2, [`contact|${CONTACT}|1`], [1]],
      [3, [`account|${ACCOUNT}|1`], [2]],
    ]);
    const row = await store.getRecordRow("account", ACCOUNT);
    expect(row?._changes.map((c) => c.no)).toEqual([1, 2]);
    expect(row?.["_primarycontactid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Jo Smith");
    expect(row?.name).toBe("B");
  });

  it("a duplicate id found at commit time rejects that call only; the group is committed without it", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: guid(5), name: "existing" }));
    const calls = Array.from({ length: 10 }, (_, i) =>
      store.write(create("account", { accountid: guid(i + 1), name: `new ${i}` })),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect((settled[4] as PromiseRejectedResult).reason).toMatchObject({
      errorCode: DUPLICATE,
      message: "A record with matching key values already exists.",
    });
    expect((await store.getRecord("account", guid(5)))?.name).toBe("existing");
    expect(await store.pendingCount()).toBe(10);
    const seqs = (await store.peekOutbox({ limit: 100 })).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it("two creates of one id in one group: the second is rejected", async () => {
    const { store } = await openTestStore();
    const [a, b] = await Promise.allSettled([
      store.write(create("account", { accountid: ACCOUNT, name: "one" })),
      store.write(create("account", { accountid: ACCOUNT.toUpperCase(), name: "two" })),
    ]);
    expect(a.status).toBe("fulfilled");
    expect(b).toMatchObject({ status: "rejected", reason: { errorCode: DUPLICATE } });
    expect((await store.getRecord("account", ACCOUNT))?.name).toBe("one");
    expect(await store.pendingCount()).toBe(1);
  });

  it("an update of a missing record in a group does not take the others down", async () => {
    const { store, commits } = await countedStore();
    const settled = await Promise.allSettled([
      store.write(create("account", { name: "ok 1" })),
      store.write(update("account", ACCOUNT, { name: "nope" })),
      store.write(create("account", { name: "ok 2" })),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(commits.value).toBe(1);
    expect(await store.pendingCount()).toBe(2);
  });

  it("an unexplained failure inside a group is pinned on its call by committing each call alone", async () => {
    const plan: FaultPlan = {
      fail: (t, req) =>
        t === "records" && valuesOf(req).some((v) => (v as { name?: unknown }).name === "poison")
          ? new Error("poisoned")
          : undefined,
    };
    const { store } = await openTestStore({ addons: [faultInjection(plan)] });
    const settled = await Promise.allSettled(
      ["a", "b", "poison", "c"].map((name) => store.write(create("account", { name }))),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ message: "poisoned" });
    const rows = await store.queryRows("account");
    expect(rows.map((r) => r.name).sort()).toEqual(["a", "b", "c"]);
    const entries = await store.peekOutbox();
    expect(entries.map((e) => (e.operation.kind === "create" ? e.operation.columns.name : null))).toEqual([
      "a",
      "b",
      "c",
    ]);
  });
});
