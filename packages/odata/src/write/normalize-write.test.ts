// Every `data` object of the createRecord / updateRecord reference pages (shared/seeds), in both
// modes, normalised and rendered, with exact expected output.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { describe, expect, it } from "vitest";
import { XrmError } from "../errors/xrm-error.ts";
import { normalizeWrite } from "./normalize-write.ts";
import { renderRequest } from "./render-request.ts";
import type { CreateOperation, UpdateOperation } from "./write-operation.ts";

const metadata = bundledMetadata();
/** The seed's custom lookup on task, which the bundled metadata can't know. */
const extended = seedExampleMetadata(metadata);

/** Deterministic ids: 00000000-0000-4000-8000-000000000001, …02, … */
function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
}
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const MODES = ["offline", "online"] as const;
const ACCOUNT_ID = "5531d753-95af-e711-a94e-000d3a11e605";

function rejection(f: () => unknown): XrmError {
  try {
    f();
  } catch (e) {
    if (e instanceof XrmError) return e;
    throw new Error(`expected an XrmError, got ${String(e)}`);
  }
  throw new Error("expected a rejection, got a result");
}

describe("createRecord seeds", () => {
  const basic = {
    name: "Sample Account",
    creditonhold: false,
    address1_latitude: 47.639583,
    description: "This is the description of the sample account",
    revenue: 5000000,
    accountcategorycode: 1,
  };

  it.each(MODES)("basic create (%s)", (mode) => {
    const op = normalizeWrite(
      metadata,
      { entityLogicalName: "account", data: basic, mode },
      { newId: sequentialIds() },
    );
    expect(op).toStrictEqual({
      kind: "create",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ID(1),
      columns: {
        name: "Sample Account",
        creditonhold: false,
        address1_latitude: 47.639583,
        description: "This is the description of the sample account",
        revenue: 5000000,
        accountcategorycode: 1,
      },
      lookups: [],
      deepInsert: [],
    });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "POST",
      url: "accounts",
      headers: {},
      body: { accountid: ID(1), ...basic },
    });
  });

  it("basic create gets a fresh v4 GUID by default", () => {
    const a = normalizeWrite(metadata, { entityLogicalName: "account", data: basic, mode: "offline" });
    const b = normalizeWrite(metadata, { entityLogicalName: "account", data: basic, mode: "offline" });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);
  });

  const deep = {
    name: "Sample Account",
    primarycontactid: { firstname: "John", lastname: "Smith" },
    opportunity_customer_accounts: [
      {
        name: "Opportunity associated to Sample Account",
        Opportunity_Tasks: [{ subject: "Task associated to opportunity" }],
      },
    ],
  };

  it("deep insert is rejected offline with InvalidArgument, and nothing else happens", () => {
    const before = structuredClone(deep);
    let generated = 0;
    const e = rejection(() =>
      normalizeWrite(
        metadata,
        { entityLogicalName: "account", data: deep, mode: "offline" },
        {
          newId: () => {
            generated++;
            return ID(1);
          },
        },
      ),
    );
    expect(e.errorCode).toBe(2147746307);
    expect(e.code).toBe("0x80040203");
    expect(e.message).toContain("Deep insert is not available in offline mode");
    expect(e.message).toContain("primarycontactid");
    expect(deep).toStrictEqual(before);
    expect(generated).toBe(1); // only the parent's id was drawn; no nested record was started
  });

  it("deep insert online: nested operations and the nested Web API body", () => {
    const op = normalizeWrite(
      metadata,
      { entityLogicalName: "account", data: deep, mode: "online" },
      { newId: sequentialIds() },
    ) as CreateOperation;
    const task: CreateOperation = {
      kind: "create",
      entityLogicalName: "task",
      entitySetName: "tasks",
      id: ID(4),
      columns: { subject: "Task associated to opportunity" },
      lookups: [],
      deepInsert: [],
    };
    expect(op).toStrictEqual({
      kind: "create",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ID(1),
      columns: { name: "Sample Account" },
      lookups: [],
      deepInsert: [
        {
          navigationProperty: "primarycontactid",
          cardinality: "single",
          operation: {
            kind: "create",
            entityLogicalName: "contact",
            entitySetName: "contacts",
            id: ID(2),
            columns: { firstname: "John", lastname: "Smith" },
            lookups: [],
            deepInsert: [],
          },
        },
        {
          navigationProperty: "opportunity_customer_accounts",
          cardinality: "collection",
          operation: {
            kind: "create",
            entityLogicalName: "opportunity",
            entitySetName: "opportunities",
            id: ID(3),
            columns: { name: "Opportunity associated to Sample Account" },
            lookups: [],
            deepInsert: [
              { navigationProperty: "Opportunity_Tasks", cardinality: "collection", operation: task },
            ],
          },
        },
      ],
    });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "POST",
      url: "accounts",
      headers: {},
      body: {
        accountid: ID(1),
        name: "Sample Account",
        primarycontactid: { contactid: ID(2), firstname: "John", lastname: "Smith" },
        opportunity_customer_accounts: [
          {
            opportunityid: ID(3),
            name: "Opportunity associated to Sample Account",
            Opportunity_Tasks: [{ activityid: ID(4), subject: "Task associated to opportunity" }],
          },
        ],
      },
    });
  });

  const contactLookup = {
    navigationProperty: "primarycontactid",
    lookupAttribute: "primarycontactid",
    targetEntity: "contact",
    targetId: "465b158c-541c-e511-80d3-3863bb347ba8",
  };

  it.each(MODES)("associate on create with @odata.bind (%s)", (mode) => {
    const data = {
      name: "Sample Account",
      "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)",
    };
    const op = normalizeWrite(
      metadata,
      { entityLogicalName: "account", data, mode },
      { newId: sequentialIds() },
    );
    expect(op).toStrictEqual({
      kind: "create",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ID(1),
      columns: { name: "Sample Account" },
      lookups: [contactLookup],
      deepInsert: [],
    });
    expect(renderRequest(metadata, op).body).toStrictEqual({
      accountid: ID(1),
      name: "Sample Account",
      "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)",
    });
  });

  it.each(MODES)("associate on create with the lookup object (%s), rendered as @odata.bind", (mode) => {
    const data = {
      name: "Sample Account",
      primarycontactid: { logicalname: "contact", id: "465b158c-541c-e511-80d3-3863bb347ba8" },
    };
    const op = normalizeWrite(
      metadata,
      { entityLogicalName: "account", data, mode },
      { newId: sequentialIds() },
    );
    expect(op).toStrictEqual({
      kind: "create",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ID(1),
      columns: { name: "Sample Account" },
      lookups: [contactLookup],
      deepInsert: [],
    });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "POST",
      url: "accounts",
      headers: {},
      body: {
        accountid: ID(1),
        name: "Sample Account",
        "primarycontactid@odata.bind": "/contacts(465b158c-541c-e511-80d3-3863bb347ba8)",
      },
    });
  });
});

describe("updateRecord seeds", () => {
  const update = (data: unknown, mode: "offline" | "online", m = metadata, entity = "account") =>
    normalizeWrite(m, { entityLogicalName: entity, id: ACCOUNT_ID, data, mode }) as UpdateOperation;

  it.each(MODES)("basic update (%s)", (mode) => {
    const data = {
      name: "Updated Sample Account ",
      creditonhold: true,
      address1_latitude: 47.639583,
      description: "This is the updated description of the sample account",
      revenue: 6000000,
      accountcategorycode: 2,
    };
    const op = update(data, mode);
    expect(op).toStrictEqual({
      kind: "update",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ACCOUNT_ID,
      columns: { ...data },
      lookups: [],
    });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "PATCH",
      url: `accounts(${ACCOUNT_ID})`,
      headers: { "If-Match": "*" },
      body: { ...data },
    });
  });

  const otherContact = {
    navigationProperty: "primarycontactid",
    lookupAttribute: "primarycontactid",
    targetEntity: "contact",
    targetId: "61a0e5b9-88df-e311-b8e5-6c3be5a8b200",
  };
  const otherContactBody = {
    "primarycontactid@odata.bind": "/contacts(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)",
  };

  it.each(MODES)("update association with @odata.bind (%s)", (mode) => {
    const op = update(
      { "primarycontactid@odata.bind": "/contacts(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)" },
      mode,
    );
    expect(op).toStrictEqual({
      kind: "update",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: ACCOUNT_ID,
      columns: {},
      lookups: [otherContact],
    });
    expect(renderRequest(metadata, op).body).toStrictEqual(otherContactBody);
  });

  it.each(MODES)("update association with the deprecated lookup object (%s)", (mode) => {
    const op = update(
      { primarycontactid: { logicalname: "contact", id: "61a0e5b9-88df-e311-b8e5-6c3be5a8b200" } },
      mode,
    );
    expect(op.lookups).toStrictEqual([otherContact]);
    expect(op.columns).toStrictEqual({});
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "PATCH",
      url: `accounts(${ACCOUNT_ID})`,
      headers: { "If-Match": "*" },
      body: otherContactBody,
    });
  });

  it.each(MODES)("custom activity lookup new_relatedopportunities_task (%s, extended metadata)", (mode) => {
    const data = {
      "new_relatedopportunities_task@odata.bind": "/opportunities(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)",
    };
    const op = update(data, mode, extended, "task");
    expect(op).toStrictEqual({
      kind: "update",
      entityLogicalName: "task",
      entitySetName: "tasks",
      id: ACCOUNT_ID,
      columns: {},
      lookups: [
        {
          navigationProperty: "new_relatedopportunities_task",
          lookupAttribute: "new_relatedopportunities",
          targetEntity: "opportunity",
          targetId: "61a0e5b9-88df-e311-b8e5-6c3be5a8b200",
        },
      ],
    });
    expect(renderRequest(extended, op)).toStrictEqual({
      method: "PATCH",
      url: `tasks(${ACCOUNT_ID})`,
      headers: { "If-Match": "*" },
      body: data,
    });
    // Without the extension the navigation property is unknown: 0x0, like the server's OData reader.
    expect(rejection(() => update(data, mode, metadata, "task")).errorCode).toBe(0);
  });

  it.each(MODES)("Regarding on task: regardingobjectid_account_task@odata.bind (%s)", (mode) => {
    const data = {
      "regardingobjectid_account_task@odata.bind": "/accounts(61a0e5b9-88df-e311-b8e5-6c3be5a8b200)",
    };
    const op = update(data, mode, metadata, "task");
    expect(op.lookups).toStrictEqual([
      {
        navigationProperty: "regardingobjectid_account_task",
        lookupAttribute: "regardingobjectid",
        targetEntity: "account",
        targetId: "61a0e5b9-88df-e311-b8e5-6c3be5a8b200",
      },
    ]);
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "PATCH",
      url: `tasks(${ACCOUNT_ID})`,
      headers: { "If-Match": "*" },
      body: data,
    });
  });
});
