// The two reference pages' examples, as written, against createWebApi: offline (fake-indexeddb) →
// reconnect → the emulator holds exactly the expected rows and lookups (over real HTTP).
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT2, CONTACT, CONTACT2, OPPORTUNITY, RECORD, seedReferenceRecords } from "./seed-records.ts";

const metadata = seedExampleMetadata();

let emulator: Emulator;
let online: BehaviorSubject<boolean>;
let api: OfflineWebApi;
let Xrm: { WebApi: OfflineWebApi };

beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:", metadata });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  seedReferenceRecords(emulator);
  online = new BehaviorSubject(true);
  api = createWebApi({
    serverUrl: emulator.url,
    metadata,
    databaseName: "seeds-e2e",
    indexedDB: new IDBFactory(),
    IDBKeyRange,
    connectivity: online,
    offlineTables: ["account", "contact", "opportunity", "task"],
    sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 } },
  });
  Xrm = { WebApi: api };
  // First sync: the device gets the records the update examples change.
  await api.sync.syncNow();
  online.next(false);
});
afterEach(() => api.close());

describe("createRecord.md examples, offline then synced", () => {
  it("basic create", async () => {
    const data = {
      name: "Sample Account",
      creditonhold: false,
      address1_latitude: 47.639583,
      description: "This is the description of the sample account",
      revenue: 5000000,
      accountcategorycode: 1,
    };
    const result = await Xrm.WebApi.createRecord("account", data);
    expect(result.entityType).toBe("account");
    expect(await api.sync.pendingCount()).toBe(1);
    expect(emulator.row("account", result.id)).toBeUndefined();

    online.next(true);
    const report = await api.sync.syncNow();
    expect(report.pushed).toBe(1);
    expect(await api.sync.pendingCount()).toBe(0);
    expect(emulator.row("account", result.id)).toMatchObject({ ...data, accountid: result.id });
  });

  it("deep insert is refused offline and nothing is queued", async () => {
    const data = {
      name: "Sample Account",
      primarycontactid: { firstname: "John", lastname: "Smith" },
      opportunity_customer_accounts: [
        {
          name: "Opportunity associated to Sample Account",
          Opportunity_Tasks: [{ subject: "Task associated to opportunity" }],
        },
      ],
    };
    const error = await Xrm.WebApi.offline.createRecord("account", data).then(
      () => undefined,
      (e: { errorCode: number; message: string }) => e,
    );
    expect(error?.errorCode).toBe(0x80040203);
    expect(error?.message).toMatch(/^Deep insert is not available in offline mode/);
    expect(await api.sync.pendingCount()).toBe(0);
    // Online, the same data is a deep insert on the server.
    online.next(true);
    const { id } = await Xrm.WebApi.online.createRecord("account", data);
    const contactId = emulator.row("account", id)?._primarycontactid_value as string;
    expect(emulator.row("contact", contactId)).toMatchObject({ firstname: "John", lastname: "Smith" });
  });

  it("associates with @odata.bind (online scenario) and the lookup object (mobile offline scenario)", async () => {
    const a = await Xrm.WebApi.createRecord("account", {
      name: "Sample Account",
      "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
    });
    const b = await Xrm.WebApi.offline.createRecord("account", {
      name: "Sample Account",
      primarycontactid: { logicalname: "contact", id: CONTACT },
    });
    // Locally the lookup looks like what the Web API returns, the contact's name included.
    const local = await Xrm.WebApi.offline.retrieveRecord(
      "account",
      b.id,
      "?$select=name,_primarycontactid_value",
    );
    expect(local._primarycontactid_value).toBe(CONTACT);
    expect(local["_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("contact");
    expect(local["_primarycontactid_value@OData.Community.Display.V1.FormattedValue"]).toBe("Yvonne McKay");

    online.next(true);
    await api.sync.syncNow();
    expect(emulator.row("account", a.id)?._primarycontactid_value).toBe(CONTACT);
    expect(emulator.row("account", b.id)?._primarycontactid_value).toBe(CONTACT);
    expect(await api.sync.pendingCount()).toBe(0);
  });
});

describe("updateRecord.md examples, offline then synced", () => {
  it("basic update and both association forms", async () => {
    const data = {
      name: "Updated Sample Account ",
      creditonhold: true,
      address1_latitude: 47.639583,
      description: "This is the updated description of the sample account",
      revenue: 6000000,
      accountcategorycode: 2,
    };
    await Xrm.WebApi.updateRecord("account", RECORD, data);
    await Xrm.WebApi.updateRecord("account", RECORD, {
      "primarycontactid@odata.bind": `/contacts(${CONTACT2})`,
    });
    online.next(true);
    await api.sync.syncNow();
    expect(emulator.row("account", RECORD)).toMatchObject({ ...data, _primarycontactid_value: CONTACT2 });

    online.next(false);
    await Xrm.WebApi.offline.updateRecord("account", RECORD, {
      primarycontactid: { logicalname: "contact", id: CONTACT },
    });
    online.next(true);
    await api.sync.syncNow();
    expect(emulator.row("account", RECORD)?._primarycontactid_value).toBe(CONTACT);
  });

  it("activity lookups: a custom lookup and the regarding column", async () => {
    await Xrm.WebApi.updateRecord("task", RECORD, {
      "new_relatedopportunities_task@odata.bind": `/opportunities(${OPPORTUNITY})`,
    });
    await Xrm.WebApi.updateRecord("task", RECORD, {
      "regardingobjectid_account_task@odata.bind": `/accounts(${ACCOUNT2})`,
    });
    const local = await Xrm.WebApi.offline.retrieveRecord("task", RECORD);
    expect(local._regardingobjectid_value).toBe(ACCOUNT2);
    expect(local["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("account");
    online.next(true);
    await api.sync.syncNow();
    const task = emulator.row("task", RECORD)!;
    expect(task._new_relatedopportunities_value).toBe(OPPORTUNITY);
    expect(task._regardingobjectid_value).toBe(ACCOUNT2);
    expect(task["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("account");
  });

  it("collection-valued associations are refused offline", async () => {
    const error = await Xrm.WebApi.offline
      .updateRecord("account", RECORD, { "Account_Tasks@odata.bind": [`/tasks(${RECORD})`] })
      .then(
        () => undefined,
        (e: { errorCode: number }) => e,
      );
    expect(error?.errorCode).toBe(0x80040203);
    expect(await api.sync.pendingCount()).toBe(0);
  });
});

describe("a lookup to a record created offline arrives in order", () => {
  it("contact created offline, then an account pointing at it, both in one queue", async () => {
    const contact = await Xrm.WebApi.createRecord("contact", { firstname: "New", lastname: "Person" });
    const account = await Xrm.WebApi.createRecord("account", {
      name: "Points at new contact",
      primarycontactid: { logicalname: "contact", id: contact.id },
    });
    online.next(true);
    const report = await api.sync.syncNow();
    expect(report.pushed).toBe(2);
    expect(emulator.row("account", account.id)?._primarycontactid_value).toBe(contact.id);
    expect(emulator.row("contact", contact.id)?.lastname).toBe("Person");
  });
});
