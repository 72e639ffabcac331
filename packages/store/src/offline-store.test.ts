import { parseQueryOptions } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { databaseOf } from "./offline-store.ts";
import { ACCOUNT, CONTACT, create, metadata, openTestStore, remove, update } from "./testing/test-store.ts";

const T = "2025-01-02T03:04:05.000Z";

describe("OfflineStore writes", () => {
  it("writes a created record and its outbox entry", async () => {
    const { store } = await openTestStore();
    const result = await store.write(create("account", { accountid: ACCOUNT, name: "Contoso", revenue: 5 }));
    expect(result).toEqual({ entityType: "account", id: ACCOUNT });
    expect(await store.getRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "Contoso",
      revenue: 5,
    });
    const row = await store.getRecordRow("account", ACCOUNT);
    expect(row).toMatchObject({
      _entity: "account",
      _id: ACCOUNT,
      _server: null,
      _deleted: false,
      _syncState: "pending",
      _changes: [{ no: 1, kind: "create", columns: ["name", "revenue"], failed: false }],
      _lastChange: 1,
    });
    expect(row).not.toHaveProperty("_refs");
    const [entry, ...rest] = await store.peekOutbox();
    expect(rest).toEqual([]);
    expect(entry).toEqual({
      seq: 1,
      entity: "account",
      recordId: ACCOUNT,
      kind: "create",
      change: 1,
      changeKey: `account|${ACCOUNT}|1`,
      operation: {
        kind: "create",
        entityLogicalName: "account",
        entitySetName: "accounts",
        id: ACCOUNT,
        columns: { name: "Contoso", revenue: 5 },
        lookups: [],
        deepInsert: [],
      },
      after: [],
      dependsOnRecords: [],
      attempts: 0,
      outcomeUnknown: false,
      createdAt: T,
      blockedBy: [],
    });
    expect(await store.pendingCount()).toBe(1);
  });

  it("resolves lookups locally: value, logical name, navigation and the target's name", async () => {
    const { store } = await openTestStore();
    await store.write(
      create("contact", { contactid: CONTACT, firstname: "John", lastname: "Smith", fullname: "John Smith" }),
    );
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        primarycontactid: { logicalname: "contact", id: CONTACT },
      }),
    );
    expect(await store.getRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "A",
      _primarycontactid_value: CONTACT,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      "_primarycontactid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "primarycontactid",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "John Smith",
    });
    const entries = await store.peekOutbox();
    // The account waits for the contact created on this device.
    expect(entries[1]).toMatchObject({
      seq: 2,
      after: [`contact|${CONTACT}|1`],
      dependsOnRecords: [{ entity: "contact", id: CONTACT }],
      blockedBy: [1],
    });
    // The lookup is in the value index (schema 4 keeps no separate lookup index).
    expect((await store.getRecordRow("account", ACCOUNT))?._ix).toContainEqual([
      "account",
      "_primarycontactid_value",
      CONTACT,
    ]);
    expect(await store.queryRows("account", { property: "_primarycontactid_value", value: CONTACT })).toEqual(
      [await store.getRecord("account", ACCOUNT)],
    );
  });

  it("updates only the given columns and depends on the record's earlier entries", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "A", revenue: 1 }));
    await store.write(update("account", ACCOUNT, { revenue: 2 }));
    await store.write(update("account", ACCOUNT, { description: "d" }));
    expect(await store.getRecord("account", ACCOUNT)).toEqual({
      accountid: ACCOUNT,
      name: "A",
      revenue: 2,
      description: "d",
    });
    const entries = await store.peekOutbox();
    expect(entries.map((e) => [e.seq, e.kind, e.after, e.blockedBy])).toEqual([
      [1, "create", [], []],
      [2, "update", [`account|${ACCOUNT}|1`], [1]],
      [3, "update", [`account|${ACCOUNT}|2`], [2]],
    ]);
  });

  it("hides a deleted record, keeps it as a tombstone and resolves with its name", async () => {
    const { store } = await openTestStore();
    await store.write(create("account", { accountid: ACCOUNT, name: "Gone" }));
    expect(await store.write(remove("account", ACCOUNT))).toEqual({
      entityType: "account",
      id: ACCOUNT,
      name: "Gone",
    });
    expect(await store.getRecord("account", ACCOUNT)).toBeUndefined();
    expect(await store.queryRows("account")).toEqual([]);
    expect((await store.getRecordRow("account", ACCOUNT))?._deleted).toBe(true);
    await expect(store.write(update("account", ACCOUNT, { name: "x" }))).rejects.toMatchObject({
      errorCode: 0x8005f224,
    });
    await expect(store.write(remove("account", ACCOUNT))).rejects.toMatchObject({ errorCode: 0x8005f224 });
    await expect(store.write(create("account", { accountid: ACCOUNT }))).rejects.toMatchObject({
      errorCode: 0x80040237,
    });
    expect(await store.pendingCount()).toBe(2);
  });

  it("rejects an update of a record that is not local, writing nothing", async () => {
    const { store } = await openTestStore();
    await expect(store.write(update("account", ACCOUNT, { name: "x" }))).rejects.toMatchObject({
      errorCode: 0x8005f224,
      message: `Entity 'account' With Id = ${ACCOUNT} Does Not Exist in the offline store.`,
    });
    expect(await store.pendingCount()).toBe(0);
    expect(await databaseOf(store).records.count()).toBe(0);
  });

  it("keeps every record and queued entry across close and reopen", async () => {
    const { store, reopen } = await openTestStore();
    await store.write(create("contact", { contactid: CONTACT, lastname: "Smith" }));
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
      }),
    );
    await store.write(update("account", ACCOUNT, { name: "B" }));
    const before = { rows: await databaseOf(store).records.toArray(), entries: await store.peekOutbox() };
    await store.close();
    const again = await reopen();
    expect(await databaseOf(again).records.toArray()).toEqual(before.rows);
    expect(await again.peekOutbox()).toEqual(before.entries);
    expect(await again.pendingCount()).toBe(3);
    // Sequence numbers continue after a reopen.
    await again.write(update("account", ACCOUNT, { name: "C" }));
    expect((await again.peekOutbox()).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await again.close();
  });

  it("answers lookup and primary-key hints from indexes", async () => {
    const { store } = await openTestStore();
    await store.write(create("contact", { contactid: CONTACT, lastname: "S" }));
    await store.write(
      create("account", {
        accountid: ACCOUNT,
        name: "A",
        primarycontactid: { logicalname: "contact", id: CONTACT },
      }),
    );
    await store.write(create("account", { name: "B" }));
    expect((await store.queryRows("account")).length).toBe(2);
    const names = async (options: string) =>
      (await store.queryCandidates(parseQueryOptions(metadata, "account", options))).map((r) => r.name);
    expect(await names(`$filter=_primarycontactid_value eq ${CONTACT.toUpperCase()}`)).toEqual(["A"]);
    expect(await names(`$filter=accountid eq ${ACCOUNT}`)).toEqual(["A"]);
    expect(await store.countRows("account")).toBe(2);
  });
});
