import { describe, expect, it } from "vitest";
import {
  ACCOUNT,
  acknowledge,
  CONTACT,
  CONTACT2,
  create,
  openTestStore,
  recordFailure,
  remove,
  update,
} from "./testing/test-store.ts";

const SERVER_ACCOUNT = {
  "@odata.etag": 'W/"100"',
  accountid: ACCOUNT,
  name: "Server name",
  revenue: 10,
  description: "server description",
};

async function withServerAccount() {
  const t = await openTestStore();
  await t.store.applyServerRows("account", [SERVER_ACCOUNT]);
  return t;
}

describe("acknowledge", () => {
  it("removes the entries and records the server state in one go", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await store.write(update("account", ACCOUNT, { revenue: 3 }));
    await acknowledge(store, [1], { etag: 'W/"7"' });
    let row = await store.getRecordRow("account", ACCOUNT);
    expect(row).toMatchObject({
      _server: { revenue: {} },
      _serverEtag: 'W/"7"',
      "@odata.etag": 'W/"7"',
      _syncState: "pending",
      _changes: [{ no: 2, kind: "update", columns: ["revenue"], failed: false }],
    });
    expect((await store.peekOutbox()).map((e) => [e.seq, e.blockedBy])).toEqual([[2, []]]);
    await acknowledge(store, [2], {
      etag: 'W/"8"',
      row: { accountid: ACCOUNT, revenue: 3, createdon: "2025-01-01T00:00:00Z" },
    });
    row = await store.getRecordRow("account", ACCOUNT);
    expect(row).toMatchObject({ _server: {}, _serverEtag: 'W/"8"', _syncState: "synced", _changes: [] });
    expect(await store.getRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "A",
      revenue: 3,
      createdon: "2025-01-01T00:00:00Z",
      "@odata.etag": 'W/"8"',
    });
    expect(await store.pendingCount()).toBe(0);
  });

  it("an acknowledged delete removes the tombstone", async () => {
    const { store } = await withServerAccount();
    await store.write(remove("account", ACCOUNT));
    await acknowledge(store, [1]);
    expect(await store.getRecordRow("account", ACCOUNT)).toBeUndefined();
    expect(await store.pendingCount()).toBe(0);
  });

  it("ignores sequence numbers that are not queued", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { name: "A" }));
    await acknowledge(store, [42]);
    expect(await store.pendingCount()).toBe(1);
  });
});

describe("failures", () => {
  it("moves a failed entry to the failures table, marks the record, blocks dependants", async () => {
    const { store } = await openTestStore();
    await store.write(create("contact", { contactid: CONTACT, lastname: "S" }));
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        primarycontactid: { logicalname: "contact", id: CONTACT },
      }),
    );
    await store.write(create("contact", { contactid: CONTACT2, lastname: "independent" }));
    await store.outboxPort().markAttempt([1]);
    await recordFailure(store, 1, {
      errorCode: 0x80040237,
      message: "A record with matching key values already exists.",
      httpStatus: 412,
    });
    expect(await store.counts()).toEqual({ pending: 2, failed: 1 });
    const [failure] = await store.failures();
    expect(failure).toEqual({
      id: "1",
      seqs: [1],
      action: "Create",
      entity: "contact",
      recordId: CONTACT,
      data: { contactid: CONTACT, lastname: "S" },
      errorCode: 0x80040237,
      code: "0x80040237",
      message: "A record with matching key values already exists.",
      errorType: 2,
      httpStatus: 412,
      attempts: 1,
      time: "2025-01-02T03:04:05.000Z",
    });
    expect((await store.getRecordRow("contact", CONTACT))?._syncState).toBe("failed");
    // The account that points at the failed contact is blocked; the independent contact is not.
    expect((await store.peekOutbox()).map((e) => [e.seq, e.blockedBy])).toEqual([
      [2, [1]],
      [3, []],
    ]);
    expect(
      (await store.peekOutbox({ includeFailed: true })).map((e) => [e.seq, e.failureId ?? null]),
    ).toEqual([
      [1, "1"],
      [2, null],
      [3, null],
    ]);
  });

  it("retry puts the entry back at its original position", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "A" }));
    await store.write(create("contact", { contactid: CONTACT, lastname: "S" }));
    await recordFailure(store, 1, { errorCode: 0x80040216, message: "boom" });
    await store.retryFailure("1");
    expect(await store.failures()).toEqual([]);
    expect((await store.peekOutbox()).map((e) => [e.seq, e.kind, e.failureId])).toEqual([
      [1, "create", undefined],
      [2, "create", undefined],
    ]);
    expect((await store.getRecordRow("account", ACCOUNT))?._syncState).toBe("pending");
    await expect(store.retryFailure("1")).rejects.toMatchObject({ errorCode: 0x80040217 });
  });

  it("discarding a failed update reverts its columns to the server's values", async () => {
    const { store } = await withServerAccount();
    await store.write(update("account", ACCOUNT, { name: "Local", revenue: 20 }));
    await store.write(update("account", ACCOUNT, { revenue: 30 }));
    await recordFailure(store, 1, { errorCode: 0x80040265, message: "plug-in said no" });
    expect(await store.discardFailure("1")).toEqual({ discarded: [1] });
    // name goes back to the server's value; revenue keeps the later pending change.
    expect(await store.getRecord("account", ACCOUNT)).toEqual({ ...SERVER_ACCOUNT, revenue: 30 });
    expect((await store.getRecordRow("account", ACCOUNT))?._server).toEqual({ revenue: { revenue: 10 } });
    await recordFailure(store, 2, { errorCode: 0x80040265, message: "plug-in said no" });
    await store.discardFailure("2");
    expect(await store.getRecord("account", ACCOUNT)).toEqual(SERVER_ACCOUNT);
    expect(await store.getRecordRow("account", ACCOUNT)).toMatchObject({
      _syncState: "synced",
      _changes: [],
      _server: {},
    });
  });

  it("discarding a failed update of a record created offline restores the earlier local value", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "first", revenue: 1 }));
    await store.write(update("account", ACCOUNT, { name: "second", description: "new" }));
    await recordFailure(store, 2, { errorCode: 0x80040265, message: "no" });
    await store.discardFailure("2");
    expect(await store.getRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "first",
      revenue: 1,
    });
  });

  it("discarding a failed lookup update restores the lookup with its annotations", async () => {
    const { store } = await openTestStore();
    await store.applyServerRows("contact", [
      { contactid: CONTACT, fullname: "Ann" },
      { contactid: CONTACT2, fullname: "Bob" },
    ]);
    await store.applyServerRows("account", [
      {
        accountid: ACCOUNT,
        name: "A",
        _primarycontactid_value: CONTACT,
        "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
        "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "Ann",
      },
    ]);
    const before = await store.getRecord("account", ACCOUNT);
    await store.write(
      update("account", ACCOUNT, { "primarycontactid@odata.bind": `/contacts(${CONTACT2})` }),
    );
    expect(
      (await store.getRecord("account", ACCOUNT))?.[
        "_primarycontactid_value@OData.Community.Display.V1.FormattedValue"
      ],
    ).toBe("Bob");
    await recordFailure(store, 1, { errorCode: 0x80040265, message: "no" });
    await store.discardFailure("1");
    expect(await store.getRecord("account", ACCOUNT)).toEqual(before);
  });

  it("discarding a failed delete brings the record back", async () => {
    const { store } = await withServerAccount();
    await store.write(remove("account", ACCOUNT));
    await recordFailure(store, 1, { errorCode: 0x80040227, message: "associated" });
    await store.discardFailure("1");
    expect(await store.getRecord("account", ACCOUNT)).toEqual(SERVER_ACCOUNT);
  });

  it("discarding a failed create removes the record and the record's later changes, not other records'", async () => {
    const { store } = await openTestStore();
    await store.write(create("contact", { contactid: CONTACT, lastname: "S" }));
    await store.write(update("contact", CONTACT, { firstname: "J" }));
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        primarycontactid: { logicalname: "contact", id: CONTACT },
      }),
    );
    await recordFailure(store, 1, { errorCode: 0x80040265, message: "no" });
    expect(await store.discardFailure("1")).toEqual({ discarded: [1, 2] });
    expect(await store.getRecordRow("contact", CONTACT)).toBeUndefined();
    expect((await store.peekOutbox()).map((e) => [e.seq, e.blockedBy])).toEqual([[3, []]]);
    expect(await store.counts()).toEqual({ pending: 1, failed: 0 });
  });

  it("one failure can hold several merged entries of a record", async () => {
    const { store } = await withServerAccount();
    await store.write(update("account", ACCOUNT, { name: "x" }));
    await store.write(update("account", ACCOUNT, { revenue: 5 }));
    await recordFailure(store, [1, 2], { errorCode: 0x80060882, message: "version" });
    const [f] = await store.failures();
    expect(f).toMatchObject({
      id: "1",
      seqs: [1, 2],
      action: "Update",
      errorType: 0,
      data: { name: "x", revenue: 5 },
    });
    await store.discardFailure("1");
    expect(await store.getRecord("account", ACCOUNT)).toEqual(SERVER_ACCOUNT);
  });

  it("a conflict keeps the server's record as the revert target", async () => {
    const { store } = await withServerAccount();
    await store.write(update("account", ACCOUNT, { name: "mine" }));
    await recordFailure(
      store,
      1,
      { errorCode: 0x80060882, message: "version" },
      { serverRecord: { ...SERVER_ACCOUNT, "@odata.etag": 'W/"101"', name: "theirs", revenue: 11 } },
    );
    // Local change still shown (failed), non-pending columns refreshed.
    expect(await store.getRecord("account", ACCOUNT)).toMatchObject({
      name: "mine",
      revenue: 11,
      "@odata.etag": 'W/"101"',
    });
    await store.discardFailure("1");
    expect((await store.getRecord("account", ACCOUNT))?.name).toBe("theirs");
  });

  it("markAttempt counts attempts; outcomeUnknown stays sticky through retry settlements", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { name: "A" }));
    const port = store.outboxPort();
    await port.markAttempt([1]);
    await store.settle([
      {
        kind: "retry",
        seqs: [1],
        outcomeUnknown: true,
        error: { errorCode: 0x80072efd, message: "offline" },
      },
    ]);
    await port.markAttempt([1]);
    await store.settle([{ kind: "retry", seqs: [1], outcomeUnknown: false }]);
    const [e] = await store.peekOutbox();
    expect(e).toMatchObject({
      attempts: 2,
      outcomeUnknown: true,
      lastError: { errorCode: 0x80072efd, message: "offline", at: "2025-01-02T03:04:05.000Z" },
    });
    expect(Object.keys(e!).filter((k) => ["request", "state", "nextAttemptAt"].includes(k))).toEqual([]);
  });

  it("retry and discard of an unknown id reject with an XrmError and change nothing", async () => {
    const { store } = await openTestStore();
    await expect(store.discardFailure("nope")).rejects.toMatchObject({ errorCode: 0x80040217 });
    await expect(store.retryFailure("__proto__")).rejects.toMatchObject({ errorCode: 0x80040217 });
  });
});

describe("a round's entries in ranges", () => {
  it("removes the acknowledged entries of a round in runs, never the entries in between that stay", async () => {
    const { store } = await openTestStore();
    for (let i = 0; i < 8; i++) await store.write(create("account", { name: `A${i}` }));
    // 1–3 and 6–7 acknowledged, 4 retried, 5 not in the round, 8 failed.
    await store.settle([
      { kind: "acknowledged", seqs: [1, 2, 3] },
      { kind: "retry", seqs: [4], outcomeUnknown: true },
      { kind: "acknowledged", seqs: [6] },
      { kind: "acknowledged", seqs: [7] },
      {
        kind: "failed",
        seqs: [8],
        failure: {
          action: "Create",
          entity: "account",
          recordId: "x",
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
    expect((await store.peekOutbox({ includeFailed: true })).map((e) => [e.seq, e.outcomeUnknown])).toEqual([
      [4, true],
      [5, false],
      [8, false],
    ]);
    expect(await store.counts()).toEqual({ pending: 2, failed: 1 });
  });

  it("settles entries far apart one by one (no range read across the queue)", async () => {
    const { store } = await openTestStore();
    for (let i = 0; i < 40; i++) await store.write(create("account", { name: `A${i}` }));
    await store.settle([{ kind: "acknowledged", seqs: [1, 40] }]);
    const left = (await store.peekOutbox({ limit: 100 })).map((e) => e.seq);
    expect(left).toEqual(Array.from({ length: 38 }, (_, i) => i + 2));
  });
});
