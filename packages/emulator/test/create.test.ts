import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.ts";
import { type Client, GUID_RE, idFromEntityId, withEmulator } from "./helpers.ts";

let emu: Emulator;
let api: Client;
beforeAll(async () => {
  ({ emu, api } = await withEmulator({ maxBodyBytes: 64 * 1024 }));
});
afterAll(() => emu.close());
beforeEach(() => emu.clear());

describe("POST /<set>", () => {
  it("answers 204 with an absolute OData-EntityId ending in (<guid>) and stores the row", async () => {
    const res = await api.post("accounts", {
      name: "Sample Account",
      creditonhold: false,
      revenue: 5000000,
      accountcategorycode: 1,
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(res.headers.get("odata-version")).toBe("4.0");
    const entityId = res.headers.get("odata-entityid")!;
    expect(entityId).toMatch(new RegExp(`^${emu.url.replace(/[.]/g, "\\.")}/accounts\\([0-9a-f-]{36}\\)$`));
    const id = idFromEntityId(entityId);
    expect(id).toMatch(GUID_RE);
    const row = emu.row("account", id)!;
    expect(row).toMatchObject({
      accountid: id,
      name: "Sample Account",
      creditonhold: false,
      revenue: 5000000,
      accountcategorycode: 1,
      statecode: 0,
    });
    expect(row.createdon).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("with return=representation answers 201, the etag, $select'ed columns and the key", async () => {
    const res = await api.post(
      "accounts?$select=name,revenue",
      { name: "Rep", revenue: 12.5 },
      { Prefer: "return=representation" },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("odata-entityid")).toBeNull();
    expect(res.headers.get("preference-applied")).toBe("return=representation");
    expect(res.headers.get("content-type")).toBe("application/json; odata.metadata=minimal");
    const id = res.json.accountid as string;
    const etag = `W/"${emu.store.get("account", id)!.version}"`;
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.json).toEqual({
      "@odata.context": `${emu.url}/$metadata#accounts(name,revenue)/$entity`,
      "@odata.etag": etag,
      name: "Rep",
      revenue: 12.5,
      accountid: id,
    });
  });

  it("honours a client-supplied primary key and answers 412 0x80040237 for a duplicate", async () => {
    const id = "00000000-0000-0000-0000-0000000000a1";
    const first = await api.post("contacts", { contactid: id, firstname: "Ada", lastname: "Lovelace" });
    expect(first.status).toBe(204);
    expect(idFromEntityId(first.headers.get("odata-entityid"))).toBe(id);
    expect(emu.row("contact", id)!.fullname).toBe("Ada Lovelace");
    const dup = await api.post("contacts", { contactid: id.toUpperCase(), firstname: "Other" });
    expect(dup.status).toBe(412);
    expect(dup.json).toEqual({
      error: { code: "0x80040237", message: "A record with matching key values already exists." },
    });
    expect(emu.row("contact", id)!.firstname).toBe("Ada");
  });

  it("deep-inserts single- and collection-valued related rows at any depth in one transaction", async () => {
    const res = await api.post("accounts", {
      name: "Sample Account",
      primarycontactid: { firstname: "John", lastname: "Smith" },
      opportunity_customer_accounts: [
        {
          name: "Opportunity associated to Sample Account",
          Opportunity_Tasks: [{ subject: "Task associated to opportunity" }, { subject: "Second task" }],
        },
      ],
      Account_Tasks: [{ subject: "Call the account" }],
    });
    expect(res.status).toBe(204);
    const accountId = idFromEntityId(res.headers.get("odata-entityid"));
    const [contact] = emu.rows("contact");
    expect(contact).toMatchObject({ firstname: "John", lastname: "Smith", fullname: "John Smith" });
    expect(emu.row("account", accountId)).toMatchObject({
      _primarycontactid_value: contact!.contactid,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
    });
    const [opportunity] = emu.rows("opportunity");
    expect(opportunity).toMatchObject({
      name: "Opportunity associated to Sample Account",
      _customerid_value: accountId,
      "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
    });
    const tasks = emu.rows("task").sort((a, b) => String(a.subject).localeCompare(String(b.subject)));
    expect(
      tasks.map((t) => [
        t.subject,
        t._regardingobjectid_value,
        t["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
      ]),
    ).toEqual([
      ["Call the account", accountId, "account"],
      ["Second task", opportunity!.opportunityid, "opportunity"],
      ["Task associated to opportunity", opportunity!.opportunityid, "opportunity"],
    ]);
    expect(tasks.every((t) => t.activitytypecode === "task")).toBe(true);
  });

  it("returns a deep insert with $expand when asked for the representation", async () => {
    const res = await api.post(
      "accounts?$select=name&$expand=primarycontactid($select=fullname),Account_Tasks($select=subject)",
      {
        name: "Rep deep",
        primarycontactid: { firstname: "Eve", lastname: "Expand" },
        Account_Tasks: [{ subject: "t1" }],
      },
      { Prefer: "return=representation" },
    );
    expect(res.status).toBe(201);
    expect(res.json["@odata.context"]).toBe(
      `${emu.url}/$metadata#accounts(name,primarycontactid(fullname),Account_Tasks(subject))/$entity`,
    );
    expect(res.json.name).toBe("Rep deep");
    expect((res.json.primarycontactid as Record<string, unknown>).fullname).toBe("Eve Expand");
    expect((res.json.Account_Tasks as Record<string, unknown>[]).map((t) => t.subject)).toEqual(["t1"]);
  });

  it("writes nothing when any part of a deep insert is invalid", async () => {
    const res = await api.post("accounts", {
      name: "Parent",
      primarycontactid: { firstname: "Kept?" },
      opportunity_customer_accounts: [{ name: "Opp", Opportunity_Tasks: [{ subject: 42 }] }],
    });
    expect(res.status).toBe(400);
    expect(res.json.error!.code).toBe("0x0");
    expect(res.json.error!.message).toContain(
      "Cannot convert the literal '42' to the expected type 'Edm.String'",
    );
    expect([emu.count("account"), emu.count("contact"), emu.count("opportunity"), emu.count("task")]).toEqual(
      [0, 0, 0, 0],
    );
    // A bind to a missing row deep inside also rolls back everything written before it.
    const missing = await api.post("accounts", {
      name: "Parent",
      primarycontactid: { firstname: "Written first" },
      Account_Tasks: [
        {
          subject: "t",
          "regardingobjectid_account_task@odata.bind": "/accounts(00000000-0000-0000-0000-00000000dead)",
        },
      ],
    });
    expect(missing.status).toBe(404);
    expect(emu.count("contact")).toBe(0);
  });

  it("accepts @odata.bind in every documented form", async () => {
    const [c1, c2, c3, c4] = emu.seed("contact", [
      { firstname: "A" },
      { firstname: "B" },
      { firstname: "C" },
      { firstname: "D", emailaddress1: "d@example.com" },
    ]);
    const forms = [
      `/contacts(${c1})`,
      `contacts(${c2})`,
      `${emu.url}/contacts(${c3})`,
      "/contacts(emailaddress1='d@example.com')",
    ];
    const expected = [c1, c2, c3, c4];
    for (const [i, form] of forms.entries()) {
      const res = await api.post("accounts", { name: `bind ${i}`, "primarycontactid@odata.bind": form });
      expect(res.status, form).toBe(204);
      const row = emu.row("account", idFromEntityId(res.headers.get("odata-entityid")))!;
      expect(row._primarycontactid_value).toBe(expected[i]);
    }
  });

  it("binds collection-valued navigation properties on create", async () => {
    const [t1, t2] = emu.seed("task", [{ subject: "one" }, { subject: "two" }]);
    const res = await api.post("accounts", {
      name: "with tasks",
      "Account_Tasks@odata.bind": [`/tasks(${t1})`, `/tasks(${t2})`],
    });
    expect(res.status).toBe(204);
    const id = idFromEntityId(res.headers.get("odata-entityid"));
    expect(emu.rows("task").map((t) => t._regardingobjectid_value)).toEqual([id, id]);
  });

  it("rejects navigation property names in the wrong case with 400 0x0", async () => {
    const [c] = emu.seed("contact", [{ firstname: "A" }]);
    const res = await api.post("accounts", { name: "x", "PrimaryContactId@odata.bind": `/contacts(${c})` });
    expect(res.status).toBe(400);
    expect(res.json.error!.code).toBe("0x0");
    expect(res.json.error!.message).toContain(
      "An undeclared property 'PrimaryContactId' which only has property annotations",
    );
    expect(emu.count("account")).toBe(0);
  });

  it("sets one navigation property of a polymorphic lookup and clears its siblings", async () => {
    const [account] = emu.seed("account", [{ name: "Acc" }]);
    const [contact] = emu.seed("contact", [{ firstname: "Con" }]);
    const res = await api.post("incidents", {
      title: "Case",
      "customerid_account@odata.bind": `/accounts(${account})`,
    });
    const id = idFromEntityId(res.headers.get("odata-entityid"));
    expect(emu.row("incident", id)).toMatchObject({
      _customerid_value: account,
      "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
    });
    const upd = await api.patch(`incidents(${id})`, {
      "customerid_contact@odata.bind": `/contacts(${contact})`,
    });
    expect(upd.status).toBe(204);
    expect(emu.row("incident", id)).toMatchObject({
      _customerid_value: contact,
      "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
    });
    const read = await api.get(
      `incidents(${id})?$select=title&$expand=customerid_account($select=name),customerid_contact($select=firstname)`,
    );
    expect(read.json.customerid_account).toBeNull();
    expect(read.json.customerid_contact).toMatchObject({ firstname: "Con", contactid: contact });
  });

  it("answers 404 0x80040217 for a bind to a missing row, and 400 for a wrong entity set", async () => {
    const missing = "11111111-2222-3333-4444-555555555555";
    const res = await api.post("accounts", {
      name: "x",
      "primarycontactid@odata.bind": `/contacts(${missing})`,
    });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      error: { code: "0x80040217", message: `Entity 'contact' With Id = ${missing} Does Not Exist` },
    });
    const wrongSet = await api.post("accounts", {
      name: "x",
      "primarycontactid@odata.bind": `/contact(${missing})`,
    });
    expect(wrongSet.status).toBe(400);
    expect(wrongSet.json.error).toEqual({
      code: "0x80060888",
      message: "Resource not found for the segment 'contact'.",
    });
    const wrongTarget = await api.post("accounts", {
      name: "x",
      "primarycontactid@odata.bind": `/accounts(${missing})`,
    });
    expect(wrongTarget.status).toBe(400);
    expect(emu.count("account")).toBe(0);
  });

  it("rejects bad input with 400-class errors and writes nothing", async () => {
    const cases: [unknown, number, string][] = [
      ["{not json", 400, "0x0"],
      ["", 400, "0x0"],
      ["[1,2]", 400, "0x0"],
      [{ nosuchcolumn: 1 }, 400, "0x0"],
      ['{"__proto__": 1, "name": "x"}', 400, "0x0"],
      [JSON.parse('{"__proto__": {"polluted": true}}'), 400, "0x0"],
      [{ name: 5 }, 400, "0x0"],
      [{ revenue: "lots" }, 400, "0x0"],
      [{ numberofemployees: 1.5 }, 400, "0x0"],
      [{ numberofemployees: 3_000_000_000 }, 400, "0x0"],
      [{ creditonhold: "yes" }, 400, "0x0"],
      [{ createdon: "yesterday" }, 400, "0x0"],
      [{ accountid: "not-a-guid" }, 400, "0x0"],
      [{ _primarycontactid_value: "11111111-2222-3333-4444-555555555555" }, 400, "0x80060888"],
      [{ primarycontactid: "11111111-2222-3333-4444-555555555555" }, 400, "0x0"],
      [{ "primarycontactid@odata.bind": 42 }, 400, "0x0"],
      [{ "primarycontactid@odata.bind": "/contacts(not-a-guid)" }, 400, "0x0"],
    ];
    for (const [body, status, code] of cases) {
      const res = await api.post("accounts", typeof body === "string" ? body : JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json.error?.code, JSON.stringify(body)).toBe(code);
      expect(typeof res.json.error?.message).toBe("string");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(emu.count("account")).toBe(0);
  });

  it("answers 404 0x80060888 for an unknown entity set and 413 for an oversized body", async () => {
    const unknown = await api.post("acounts", { name: "x" });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toEqual({
      code: "0x80060888",
      message: "Resource not found for the segment 'acounts'.",
    });
    const wrongCase = await api.get("Accounts");
    expect(wrongCase.status).toBe(404);
    const big = await api.post("accounts", { name: "x", description: "y".repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.json.error!.code).toBe("0x8004418a");
    expect(emu.count("account")).toBe(0);
    // The server still works after refusing.
    expect((await api.post("accounts", { name: "after" })).status).toBe(204);
  });
});
