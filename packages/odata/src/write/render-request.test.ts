import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { describe, expect, it } from "vitest";
import { XrmError } from "../errors/xrm-error.ts";
import { normalizeDelete } from "./normalize-delete.ts";
import { normalizeWrite } from "./normalize-write.ts";
import { renderRequest } from "./render-request.ts";
import type { CreateOperation, UpdateOperation, WriteOperation } from "./write-operation.ts";

const metadata = bundledMetadata();
const RECORD = "5531d753-95af-e711-a94e-000d3a11e605";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";

const update: UpdateOperation = {
  kind: "update",
  entityLogicalName: "account",
  entitySetName: "accounts",
  id: RECORD,
  columns: { name: "A", revenue: 10 },
  lookups: [
    {
      navigationProperty: "primarycontactid",
      lookupAttribute: "primarycontactid",
      targetEntity: "contact",
      targetId: CONTACT,
    },
    {
      navigationProperty: "parentaccountid",
      lookupAttribute: "parentaccountid",
      targetEntity: "account",
      targetId: null,
    },
  ],
};

function codeOf(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof XrmError) return e.errorCode;
    throw e;
  }
  throw new Error("no error");
}

describe("renderRequest", () => {
  it("update: PATCH with If-Match: * by default", () => {
    expect(renderRequest(metadata, update)).toStrictEqual({
      method: "PATCH",
      url: `accounts(${RECORD})`,
      headers: { "If-Match": "*" },
      body: {
        name: "A",
        revenue: 10,
        "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
        "parentaccountid@odata.bind": null,
      },
    });
  });

  it("update with an etag sends it instead of *", () => {
    expect(renderRequest(metadata, update, { etag: 'W/"536530"' }).headers).toStrictEqual({
      "If-Match": 'W/"536530"',
    });
  });

  it("update as an upsert sends no If-Match; return=representation adds Prefer", () => {
    expect(
      renderRequest(metadata, update, { upsert: true, returnRepresentation: true }).headers,
    ).toStrictEqual({
      Prefer: "return=representation",
    });
  });

  it("create: POST to the entity set with the primary key in the body", () => {
    const op: CreateOperation = {
      kind: "create",
      entityLogicalName: "contact",
      entitySetName: "contacts",
      id: CONTACT,
      columns: { firstname: "J" },
      lookups: [
        {
          navigationProperty: "parentcustomerid_account",
          lookupAttribute: "parentcustomerid",
          targetEntity: "account",
          targetId: RECORD,
        },
      ],
      deepInsert: [],
    };
    expect(renderRequest(metadata, op, { etag: 'W/"1"' })).toStrictEqual({
      method: "POST",
      url: "contacts",
      headers: {},
      body: {
        contactid: CONTACT,
        firstname: "J",
        "parentcustomerid_account@odata.bind": `/accounts(${RECORD})`,
      },
    });
  });

  it("delete: DELETE the record; an etag becomes If-Match", () => {
    const op = normalizeDelete(metadata, { entityLogicalName: "account", id: RECORD.toUpperCase() });
    expect(op).toStrictEqual({
      kind: "delete",
      entityLogicalName: "account",
      entitySetName: "accounts",
      id: RECORD,
    });
    expect(renderRequest(metadata, op)).toStrictEqual({
      method: "DELETE",
      url: `accounts(${RECORD})`,
      headers: {},
    });
    expect(renderRequest(metadata, op, { etag: 'W/"7"' })).toStrictEqual({
      method: "DELETE",
      url: `accounts(${RECORD})`,
      headers: { "If-Match": 'W/"7"' },
    });
  });

  it("two nested records on one collection navigation become one array, in order", () => {
    let n = 0;
    const op = normalizeWrite(
      metadata,
      {
        entityLogicalName: "account",
        data: { Account_Tasks: [{ subject: "1" }, { subject: "2" }] },
        mode: "online",
      },
      { newId: () => `00000000-0000-4000-8000-00000000000${++n}` },
    );
    expect(renderRequest(metadata, op).body).toStrictEqual({
      accountid: "00000000-0000-4000-8000-000000000001",
      Account_Tasks: [
        { activityid: "00000000-0000-4000-8000-000000000002", subject: "1" },
        { activityid: "00000000-0000-4000-8000-000000000003", subject: "2" },
      ],
    });
  });

  it("the entity set comes from metadata, not from the stored operation", () => {
    const stale = { ...update, entitySetName: "somethingelse" };
    expect(renderRequest(metadata, stale).url).toBe(`accounts(${RECORD})`);
  });

  it.each([
    ["an ETag with a line break", { etag: 'W/"1"\r\nX-Evil: 1' }],
    ["an unquoted ETag", { etag: "536530" }],
    ["a non-string ETag", { etag: 5 as unknown as string }],
  ])("rejects %s with InvalidArgument", (_, options) => {
    expect(codeOf(() => renderRequest(metadata, update, options))).toBe(2147746307);
  });

  it.each<[string, unknown, number]>([
    ["an unknown table", { ...update, entityLogicalName: "foo" }, 2147809433],
    ["a bad id", { ...update, id: "x" }, 2147746307],
    ["an unknown kind", { ...update, kind: "upsert" }, 2147746307],
    ["a __proto__ column", { ...update, columns: JSON.parse('{"__proto__":{"x":1}}') }, 2147746307],
    [
      "a lookup to a table not in metadata",
      { ...update, lookups: [{ ...update.lookups[0]!, targetEntity: "foo" }] },
      2147746307,
    ],
    [
      "a deep insert named __proto__",
      {
        kind: "create",
        entityLogicalName: "account",
        entitySetName: "accounts",
        id: RECORD,
        columns: {},
        lookups: [],
        deepInsert: [
          {
            navigationProperty: "__proto__",
            cardinality: "single",
            operation: { ...update, kind: "create", columns: {}, lookups: [], deepInsert: [] },
          },
        ],
      },
      2147746307,
    ],
    ["not an object", null, 2147746307],
  ])("a tampered operation with %s is refused", (_, op, code) => {
    expect(codeOf(() => renderRequest(metadata, op as WriteOperation))).toBe(code);
  });
});

describe("normalizeDelete", () => {
  it.each<[string, unknown, number]>([
    ["unknown table", { entityLogicalName: "foo", id: RECORD }, 2147809433],
    ["malformed id", { entityLogicalName: "account", id: "1" }, 2147746307],
    ["missing id", { entityLogicalName: "account" }, 2147746307],
    ["not an object", "account", 2147746307],
  ])("%s", (_, input, code) => {
    expect(codeOf(() => normalizeDelete(metadata, input as never))).toBe(code);
  });
});
