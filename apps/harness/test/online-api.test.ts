// Xrm.WebApi.online against the emulator over real HTTP: every seed example as written.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { XrmError } from "@xrm-offline/odata";
import { createTransport } from "@xrm-offline/transport";
import type { OnlineApi } from "@xrm-offline/webapi";
import { createOnlineApi } from "@xrm-offline/webapi/online";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONTACT, CONTACT2, RECORD, seedReferenceRecords } from "./seed-records.ts";

const metadata = seedExampleMetadata();

let emulator: Emulator;
let online: OnlineApi;
const ACCOUNT = RECORD;
const TASK = RECORD;

beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:", metadata });
  const transport = createTransport({ serverUrl: emulator.url });
  online = createOnlineApi({ metadata, transport: () => transport, isAvailableOffline: () => false });
});
afterAll(() => emulator.close());
beforeEach(() => seedReferenceRecords(emulator));

describe("online createRecord: the createRecord.md examples", () => {
  it("basic create", async () => {
    const data = {
      name: "Sample Account",
      creditonhold: false,
      address1_latitude: 47.639583,
      description: "This is the description of the sample account",
      revenue: 5000000,
      accountcategorycode: 1,
    };
    const result = await online.createRecord("account", data);
    expect(result.entityType).toBe("account");
    const row = emulator.row("account", result.id)!;
    expect(row).toMatchObject({ ...data, accountid: result.id });
  });

  it("deep insert creates the account, its primary contact, an opportunity and its task", async () => {
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
    const { id } = await online.createRecord("account", data);
    const account = emulator.row("account", id)!;
    expect(account.name).toBe("Sample Account");
    const contactId = account._primarycontactid_value as string;
    expect(emulator.row("contact", contactId)).toMatchObject({ firstname: "John", lastname: "Smith" });
    const opportunities = emulator.rows("opportunity").filter((o) => o._customerid_value === id);
    expect(opportunities.map((o) => o.name)).toEqual(["Opportunity associated to Sample Account"]);
    const tasks = emulator
      .rows("task")
      .filter((t) => t._regardingobjectid_value === opportunities[0]!.opportunityid);
    expect(tasks.map((t) => t.subject)).toEqual(["Task associated to opportunity"]);
  });

  it("associates with @odata.bind and with the lookup object", async () => {
    const a = await online.createRecord("account", {
      name: "Sample Account",
      "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
    });
    expect(emulator.row("account", a.id)?._primarycontactid_value).toBe(CONTACT);
    const b = await online.createRecord("account", {
      name: "Sample Account",
      primarycontactid: { logicalname: "contact", id: CONTACT },
    });
    expect(emulator.row("account", b.id)?._primarycontactid_value).toBe(CONTACT);
  });
});

describe("online updateRecord: the updateRecord.md examples", () => {
  it("basic update", async () => {
    const data = {
      name: "Updated Sample Account ",
      creditonhold: true,
      address1_latitude: 47.639583,
      description: "This is the updated description of the sample account",
      revenue: 6000000,
      accountcategorycode: 2,
    };
    expect(await online.updateRecord("account", ACCOUNT, data)).toEqual({
      entityType: "account",
      id: ACCOUNT,
    });
    expect(emulator.row("account", ACCOUNT)).toMatchObject(data);
  });

  it("updates associations with @odata.bind and the deprecated lookup object", async () => {
    await online.updateRecord("account", ACCOUNT, {
      "primarycontactid@odata.bind": `/contacts(${CONTACT2})`,
    });
    expect(emulator.row("account", ACCOUNT)?._primarycontactid_value).toBe(CONTACT2);
    await online.updateRecord("account", ACCOUNT, {
      primarycontactid: { logicalname: "contact", id: CONTACT },
    });
    expect(emulator.row("account", ACCOUNT)?._primarycontactid_value).toBe(CONTACT);
  });

  it("updates a custom activity lookup and the regarding column", async () => {
    await online.updateRecord("task", TASK, {
      "new_relatedopportunities_task@odata.bind": `/opportunities(${CONTACT2})`,
    });
    expect(emulator.row("task", TASK)?._new_relatedopportunities_value).toBe(CONTACT2);
    await online.updateRecord("task", TASK, {
      "regardingobjectid_account_task@odata.bind": `/accounts(${ACCOUNT})`,
    });
    expect(emulator.row("task", TASK)?._regardingobjectid_value).toBe(ACCOUNT);
  });

  it("does not resurrect a deleted record: update of a missing record → 404 0x80040217", async () => {
    const missing = "00000000-0000-0000-0000-000000000001";
    const error = await online.updateRecord("account", missing, { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XrmError);
    expect((error as XrmError).errorCode).toBe(0x80040217);
    expect(emulator.row("account", missing)).toBeUndefined();
  });
});

describe("online reads", () => {
  it("retrieveRecord with $select and $expand", async () => {
    await online.updateRecord("account", ACCOUNT, { "primarycontactid@odata.bind": `/contacts(${CONTACT})` });
    const r = await online.retrieveRecord(
      "account",
      ACCOUNT,
      "?$select=name&$expand=primarycontactid($select=contactid,fullname)",
    );
    expect(r.name).toBe("Existing Account");
    expect(r.accountid).toBe(ACCOUNT);
    expect((r.primarycontactid as Record<string, unknown>).contactid).toBe(CONTACT);
  });

  it("retrieveMultipleRecords pages with maxPageSize and nextLink", async () => {
    emulator.seed(
      "accounts",
      Array.from({ length: 7 }, (_, i) => ({ name: `Paged ${i}` })),
    );
    const seen: string[] = [];
    let options = "?$select=name&$filter=startswith(name,'Paged')&$orderby=name";
    for (let page = 0; page < 10; page++) {
      const result = await online.retrieveMultipleRecords("account", options, 3);
      seen.push(...result.entities.map((e) => e.name as string));
      if (!result.nextLink) break;
      options = new URL(result.nextLink).search;
    }
    expect(seen).toEqual(["Paged 0", "Paged 1", "Paged 2", "Paged 3", "Paged 4", "Paged 5", "Paged 6"]);
  });

  it("retrieveMultipleRecords encodes unencoded FetchXML on the wire and the emulator answers it", async () => {
    emulator.seed("accounts", [{ name: "FetchXML match" }, { name: "FetchXML other" }]);
    const fetchXml =
      "<fetch><entity name='account'><attribute name='name'/><filter><condition attribute='name' operator='eq' value='FetchXML match'/></filter></entity></fetch>";
    emulator.requestLog.clear();
    const result = await online.retrieveMultipleRecords("account", `?fetchXml=${fetchXml}`);
    const sent = emulator.requestLog.entries().map((e) => new URL(e.url, emulator.origin));
    expect(sent.map((u) => [u.pathname, [...u.searchParams]])).toEqual([
      ["/api/data/v9.2/accounts", [["fetchXml", fetchXml]]],
    ]);
    expect(result.entities.map((e) => e.name)).toEqual(["FetchXML match"]);
  });
});

describe("online execute and executeMultiple", () => {
  const createRequest = (name: string) => ({
    etn: "account",
    payload: { name },
    getMetadata: () => ({
      boundParameter: undefined,
      operationType: 2,
      operationName: "Create",
      parameterTypes: {},
    }),
  });

  it("execute runs a CRUD Create and resolves with a Response", async () => {
    const response = await online.execute(createRequest("Executed"));
    expect(response.ok).toBe(true);
    expect(response.status).toBe(204);
    expect(emulator.rows("account").filter((a) => a.name === "Executed")).toHaveLength(1);
  });

  it("executeMultiple runs a change set atomically", async () => {
    const responses = await online.executeMultiple([[createRequest("In set 1"), createRequest("In set 2")]]);
    expect(responses.map((r) => r.status)).toEqual([204, 204]);
    expect(
      emulator
        .rows("account")
        .map((a) => a.name)
        .filter((n) => String(n).startsWith("In set"))
        .sort(),
    ).toEqual(["In set 1", "In set 2"]);
  });
});
