// The other accepted shapes of `data`: bind forms, lookup object variants, clearing lookups,
// polymorphic lookups, primary keys, Date objects, collection binds online.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { describe, expect, it } from "vitest";
import { normalizeWrite } from "./normalize-write.ts";
import { renderRequest } from "./render-request.ts";

const metadata = bundledMetadata();
const MODES = ["offline", "online"] as const;
const RECORD = "5531d753-95af-e711-a94e-000d3a11e605";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const newId = () => "00000000-0000-4000-8000-000000000001";

const update = (data: unknown, mode: "offline" | "online" = "offline", entityLogicalName = "account") =>
  normalizeWrite(metadata, { entityLogicalName, id: RECORD, data, mode });

const primaryContact = {
  navigationProperty: "primarycontactid",
  lookupAttribute: "primarycontactid",
  targetEntity: "contact",
  targetId: CONTACT,
};

describe("@odata.bind value forms", () => {
  it.each([
    `/contacts(${CONTACT})`,
    `contacts(${CONTACT})`,
    `/api/data/v9.2/contacts(${CONTACT})`,
    `https://org.crm.dynamics.com/api/data/v9.2/contacts(${CONTACT})`,
    `http://127.0.0.1:5555/api/data/v9.2/contacts(${CONTACT})`,
    `/contacts({${CONTACT.toUpperCase()}})`,
  ])("%s", (value) => {
    for (const mode of MODES) {
      expect(update({ "primarycontactid@odata.bind": value }, mode).lookups).toStrictEqual([primaryContact]);
    }
  });
});

describe("lookup object", () => {
  it.each(MODES)("accepts a braced, upper-case id and lower-cases it (%s)", (mode) => {
    const op = update(
      { primarycontactid: { id: `{${CONTACT.toUpperCase()}}`, logicalname: "contact" } },
      mode,
    );
    expect(op.lookups).toStrictEqual([primaryContact]);
  });

  it("on a polymorphic lookup column picks the navigation for the target (task regarding)", () => {
    const op = update({ regardingobjectid: { logicalname: "account", id: CONTACT } }, "offline", "task");
    expect(op.lookups).toStrictEqual([
      {
        navigationProperty: "regardingobjectid_account_task",
        lookupAttribute: "regardingobjectid",
        targetEntity: "account",
        targetId: CONTACT,
      },
    ]);
    expect(renderRequest(metadata, op).body).toStrictEqual({
      "regardingobjectid_account_task@odata.bind": `/accounts(${CONTACT})`,
    });
  });

  it("on a customer lookup (opportunity.customerid → contact)", () => {
    const op = update({ customerid: { logicalname: "contact", id: CONTACT } }, "online", "opportunity");
    expect(op.lookups).toStrictEqual([
      {
        navigationProperty: "customerid_contact",
        lookupAttribute: "customerid",
        targetEntity: "contact",
        targetId: CONTACT,
      },
    ]);
  });

  it("under a navigation property name, when the target matches it", () => {
    const op = update(
      { customerid_account: { logicalname: "account", id: CONTACT } },
      "offline",
      "opportunity",
    );
    expect(op.lookups.map((l) => l.navigationProperty)).toStrictEqual(["customerid_account"]);
  });
});

describe("clearing lookups", () => {
  const cleared = { ...primaryContact, targetId: null };

  it.each(MODES)("'nav@odata.bind': null and 'nav': null (%s)", (mode) => {
    expect(update({ "primarycontactid@odata.bind": null }, mode).lookups).toStrictEqual([cleared]);
    expect(update({ primarycontactid: null }, mode).lookups).toStrictEqual([cleared]);
  });

  it("renders as a null bind in the PATCH body (one request, no $ref DELETE)", () => {
    const op = update({ primarycontactid: null, "parentaccountid@odata.bind": null });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "PATCH",
      url: `accounts(${RECORD})`,
      headers: { "If-Match": "*" },
      body: { "primarycontactid@odata.bind": null, "parentaccountid@odata.bind": null },
    });
  });

  it("a polymorphic lookup cleared by its column name uses one of its navigations", () => {
    const op = update({ parentcustomerid: null }, "offline", "contact");
    expect(op.lookups).toStrictEqual([
      {
        navigationProperty: "parentcustomerid_account",
        lookupAttribute: "parentcustomerid",
        targetEntity: "account",
        targetId: null,
      },
    ]);
  });
});

describe("primary key and ids", () => {
  it("a create takes the primary key from data, validated and lower-cased", () => {
    const op = normalizeWrite(
      metadata,
      {
        entityLogicalName: "account",
        data: { accountid: `{${CONTACT.toUpperCase()}}`, name: "A" },
        mode: "offline",
      },
      { newId },
    );
    expect(op.id).toBe(CONTACT);
    expect(op.columns).toStrictEqual({ name: "A" });
    expect(renderRequest(metadata, op).body).toStrictEqual({ accountid: CONTACT, name: "A" });
  });

  it("an update may repeat its own primary key (any case); it is not sent as a column", () => {
    const op = update({ accountid: RECORD.toUpperCase(), name: "A" });
    expect(op).toStrictEqual({
      kind: "update",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: RECORD,
      columns: { name: "A" },
      lookups: [],
    });
  });

  it('kind "create" with an id creates that record', () => {
    const op = normalizeWrite(metadata, {
      entityLogicalName: "account",
      id: RECORD.toUpperCase(),
      data: { name: "A" },
      mode: "offline",
      kind: "create",
    });
    expect(op.kind).toBe("create");
    expect(op.id).toBe(RECORD);
  });

  it("update ids are lower-cased and may carry braces", () => {
    const op = normalizeWrite(metadata, {
      entityLogicalName: "account",
      id: `{${RECORD.toUpperCase()}}`,
      data: {},
      mode: "online",
    });
    expect(op).toStrictEqual({
      kind: "update",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: RECORD,
      columns: {},
      lookups: [],
    });
  });
});

describe("column values", () => {
  it("a Date object becomes an ISO string for Edm.DateTimeOffset", () => {
    const op = update({ overriddencreatedon: new Date(Date.UTC(2024, 4, 1, 8, 30)) });
    expect(op.columns).toStrictEqual({ overriddencreatedon: "2024-05-01T08:30:00.000Z" });
  });

  it("ISO strings with an offset are kept as given", () => {
    const op = update({
      overriddencreatedon: "2024-05-01T10:30:00+02:00",
      lastonholdtime: "2024-02-29T23:59:59.1234567Z",
    });
    expect(op.columns).toStrictEqual({
      overriddencreatedon: "2024-05-01T10:30:00+02:00",
      lastonholdtime: "2024-02-29T23:59:59.1234567Z",
    });
  });

  it("Edm.Date takes YYYY-MM-DD; a Date object gives its local calendar date", () => {
    const op = update(
      { birthdate: "1990-02-28", anniversary: new Date(2020, 5, 15, 23, 0) },
      "offline",
      "contact",
    );
    expect(op.columns).toStrictEqual({ birthdate: "1990-02-28", anniversary: "2020-06-15" });
  });

  it("null clears any column; GUID columns are lower-cased", () => {
    const op = update({ description: null, revenue: null, processid: `{${CONTACT.toUpperCase()}}` });
    expect(op.columns).toStrictEqual({ description: null, revenue: null, processid: CONTACT });
  });

  it("Int32 bounds and -0", () => {
    const op = update({ numberofemployees: 2_147_483_647, accountcategorycode: -0 });
    expect(op.columns).toStrictEqual({ numberofemployees: 2_147_483_647, accountcategorycode: 0 });
    expect(Object.is(op.columns.accountcategorycode, 0)).toBe(true);
  });

  it("a string of exactly 1,048,576 characters is accepted", () => {
    const op = update({ description: "x".repeat(1_048_576) });
    expect((op.columns.description as string).length).toBe(1_048_576);
  });

  it("data may be a null-prototype object", () => {
    const data = Object.create(null) as Record<string, unknown>;
    data.name = "A";
    expect(update(data).columns).toStrictEqual({ name: "A" });
  });

  it("the output never shares objects with the input", () => {
    const data = { name: "A", primarycontactid: { logicalname: "contact", id: CONTACT } };
    const op = update(data);
    expect(op.columns).not.toBe(data);
    expect(JSON.parse(JSON.stringify(op))).toStrictEqual(op);
  });
});

describe("online collection-valued binds on create", () => {
  it("Account_Tasks@odata.bind with an array of references", () => {
    const t1 = "00000000-0000-4000-8000-0000000000a1";
    const t2 = "00000000-0000-4000-8000-0000000000a2";
    const op = normalizeWrite(
      metadata,
      {
        entityLogicalName: "account",
        data: { name: "A", "Account_Tasks@odata.bind": [`/tasks(${t1})`, `tasks(${t2.toUpperCase()})`] },
        mode: "online",
      },
      { newId },
    );
    expect(op).toStrictEqual({
      kind: "create",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: newId(),
      columns: { name: "A" },
      lookups: [],
      deepInsert: [],
      collectionBindings: [
        { navigationProperty: "Account_Tasks", targetEntity: "task", targetIds: [t1, t2] },
      ],
    });
    expect(renderRequest(metadata, op).body).toStrictEqual({
      accountid: newId(),
      name: "A",
      "Account_Tasks@odata.bind": [`/tasks(${t1})`, `/tasks(${t2})`],
    });
  });
});
