import { seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, idFromEntityId, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  // new_relatedopportunities_task is a custom lookup (task → opportunity) from the updateRecord page.
  const metadata = seedExampleMetadata();
  ({ emu, api } = await withEmulator({ metadata }));
});
afterAll(() => emu.close());

const CONTACT_1 = "465b158c-541c-e511-80d3-3863bb347ba8";
const CONTACT_2 = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";
const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
const TASK = "5531d753-95af-e711-a94e-000d3a11e605";
const OPPORTUNITY = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";

describe("createRecord examples", () => {
  it("basic create", async () => {
    const data = {
      name: "Sample Account",
      creditonhold: false,
      address1_latitude: 47.639583,
      description: "This is the description of the sample account",
      revenue: 5000000,
      accountcategorycode: 1,
    };
    const res = await api.post("accounts", data);
    expect(res.status).toBe(204);
    expect(emu.row("account", idFromEntityId(res.headers.get("odata-entityid")))).toMatchObject(data);
  });

  it("create related table records along with the primary record (deep insert)", async () => {
    const before = {
      contact: emu.count("contact"),
      opportunity: emu.count("opportunity"),
      task: emu.count("task"),
    };
    const res = await api.post("accounts", {
      name: "Sample Account",
      primarycontactid: { firstname: "John", lastname: "Smith" },
      opportunity_customer_accounts: [
        {
          name: "Opportunity associated to Sample Account",
          Opportunity_Tasks: [{ subject: "Task associated to opportunity" }],
        },
      ],
    });
    expect(res.status).toBe(204);
    const accountId = idFromEntityId(res.headers.get("odata-entityid"));
    expect(emu.count("contact")).toBe(before.contact + 1);
    expect(emu.count("opportunity")).toBe(before.opportunity + 1);
    expect(emu.count("task")).toBe(before.task + 1);
    const read = await api.get(
      `accounts(${accountId})?$select=name&$expand=primarycontactid($select=fullname),opportunity_customer_accounts($select=name)`,
    );
    expect(read.json.name).toBe("Sample Account");
    expect((read.json.primarycontactid as Record<string, unknown>).fullname).toBe("John Smith");
    const opps = read.json.opportunity_customer_accounts as Record<string, unknown>[];
    expect(opps.map((o) => o.name)).toEqual(["Opportunity associated to Sample Account"]);
    const tasks = await api.get(
      `tasks?$select=subject&$filter=_regardingobjectid_value eq ${opps[0]!.opportunityid as string}`,
    );
    expect(tasks.json.value!.map((t) => t.subject)).toEqual(["Task associated to opportunity"]);
  });

  it("associate to an existing contact on create (online @odata.bind and the offline lookup object's translation)", async () => {
    emu.seed("contact", [{ contactid: CONTACT_1, firstname: "Existing", lastname: "Contact" }]);
    for (let i = 0; i < 2; i++) {
      const res = await api.post("accounts", {
        name: "Sample Account",
        "primarycontactid@odata.bind": `/contacts(${CONTACT_1})`,
      });
      expect(res.status).toBe(204);
      const row = emu.row("account", idFromEntityId(res.headers.get("odata-entityid")))!;
      expect(row).toMatchObject({ name: "Sample Account", _primarycontactid_value: CONTACT_1 });
    }
  });
});

describe("updateRecord examples", () => {
  beforeAll(() => {
    emu.seed("account", [{ accountid: ACCOUNT, name: "Seed account" }]);
    emu.seed("contact", [{ contactid: CONTACT_2, firstname: "Other" }]);
    emu.seed("task", [{ activityid: TASK, subject: "Seed task" }]);
    emu.seed("opportunity", [{ opportunityid: OPPORTUNITY, name: "Seed opportunity" }]);
  });

  it("basic update", async () => {
    const data = {
      name: "Updated Sample Account ",
      creditonhold: true,
      address1_latitude: 47.639583,
      description: "This is the updated description of the sample account",
      revenue: 6000000,
      accountcategorycode: 2,
    };
    const res = await api.patch(`accounts(${ACCOUNT})`, data, { "If-Match": "*" });
    expect(res.status).toBe(204);
    expect(emu.row("account", ACCOUNT)).toMatchObject(data);
  });

  it("update associations to related tables (and the deprecated lookup object's translation)", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await api.patch(
        `accounts(${ACCOUNT})`,
        { "primarycontactid@odata.bind": `/contacts(${CONTACT_2})` },
        { "If-Match": "*" },
      );
      expect(res.status).toBe(204);
      expect(emu.row("account", ACCOUNT)!._primarycontactid_value).toBe(CONTACT_2);
    }
  });

  it("update the related opportunity column on task (custom lookup)", async () => {
    const res = await api.patch(
      `tasks(${TASK})`,
      { "new_relatedopportunities_task@odata.bind": `/opportunities(${OPPORTUNITY})` },
      { "If-Match": "*" },
    );
    expect(res.status).toBe(204);
    expect(emu.row("task", TASK)).toMatchObject({
      _new_relatedopportunities_value: OPPORTUNITY,
      "_new_relatedopportunities_value@Microsoft.Dynamics.CRM.lookuplogicalname": "opportunity",
    });
  });

  it("update the Regarding column on task", async () => {
    const res = await api.patch(
      `tasks(${TASK})`,
      { "regardingobjectid_account_task@odata.bind": `/accounts(${ACCOUNT})` },
      { "If-Match": "*" },
    );
    expect(res.status).toBe(204);
    expect(emu.row("task", TASK)).toMatchObject({
      _regardingobjectid_value: ACCOUNT,
      "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
    });
    const read = await api.get(`tasks(${TASK})?$select=_regardingobjectid_value`, {
      Prefer: 'odata.include-annotations="*"',
    });
    expect(read.json["_regardingobjectid_value@OData.Community.Display.V1.FormattedValue"]).toBe(
      "Updated Sample Account ",
    );
    expect(read.json["_regardingobjectid_value@Microsoft.Dynamics.CRM.associatednavigationproperty"]).toMatch(
      /^regardingobjectid_account/,
    );
  });

  it("associations for collection-valued navigation properties go through online execute ($ref)", async () => {
    const res = await api.post(`accounts(${ACCOUNT})/Account_Tasks/$ref`, {
      "@odata.id": `${emu.url}/tasks(${TASK})`,
    });
    expect(res.status).toBe(204);
    expect(emu.row("task", TASK)!._regardingobjectid_value).toBe(ACCOUNT);
  });
});
