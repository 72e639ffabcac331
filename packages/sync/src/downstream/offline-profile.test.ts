import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { ERRORS, toErrorCode, XrmError } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { normalizeOfflineTables, type OfflineTablesOption } from "./offline-profile.ts";

const metadata = bundledMetadata();
const INVALID = toErrorCode(ERRORS.InvalidArgument.code);
const NO_TABLE = toErrorCode(ERRORS.EntityNotExist.code);

function rejects(input: unknown, errorCode: number, message: RegExp) {
  let caught: unknown;
  try {
    normalizeOfflineTables(input as OfflineTablesOption, metadata);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(XrmError);
  expect((caught as XrmError).errorCode).toBe(errorCode);
  expect((caught as XrmError).message).toMatch(message);
}

describe("normalizeOfflineTables", () => {
  it("takes a list of table names: whole tables, in the order given", () => {
    const p = normalizeOfflineTables(["contact", "account"], metadata);
    expect(p.tables.map((t) => [t.entity, t.entitySet, t.primaryId, t.own, t.scope, t.relatedVia])).toEqual([
      ["contact", "contacts", "contactid", {}, "all", []],
      ["account", "accounts", "accountid", {}, "all", []],
    ]);
    expect(p.has("account")).toBe(true);
    expect(p.has("task")).toBe(false);
    expect(p.has("Account")).toBe(false);
    expect(p.has(undefined as unknown as string)).toBe(false);
  });

  it("takes filters (trimmed) and makes them part of the scope", () => {
    const p = normalizeOfflineTables(
      { incident: { filter: "  statecode eq 0 " }, task: {}, phonecall: true },
      metadata,
    );
    expect(p.tables.map((t) => [t.entity, t.own, t.scope])).toEqual([
      ["incident", { filter: "statecode eq 0" }, "filter:statecode eq 0"],
      ["task", {}, "all"],
      ["phonecall", {}, "all"],
    ]);
  });

  it("turns related lookups into related-rows tables, pulled after their sources", () => {
    const p = normalizeOfflineTables(
      {
        account: { related: ["primarycontactid"] },
        incident: { filter: "statecode eq 0", related: ["customerid"] },
      },
      metadata,
    );
    // incident points at account (customerid), so it comes first; contact is pointed at by both.
    expect(p.tables.map((t) => [t.entity, t.scope, t.relatedVia])).toEqual([
      ["incident", "filter:statecode eq 0", []],
      ["account", "all", [{ source: "incident", valueProperty: "_customerid_value" }]],
      [
        "contact",
        "related",
        [
          { source: "account", valueProperty: "_primarycontactid_value" },
          { source: "incident", valueProperty: "_customerid_value" },
        ],
      ],
    ]);
    expect(p.has("contact")).toBe(true);
    expect(p.table("contact")?.own).toBeNull();
  });

  it("puts a source before the table it points at", () => {
    const p = normalizeOfflineTables(
      { contact: {}, incident: { related: ["customerid_contact"] } },
      metadata,
    );
    expect(p.tables.map((t) => t.entity)).toEqual(["incident", "contact"]);
  });

  it("pulls higher priorities first, equal ones in the order given", () => {
    const p = normalizeOfflineTables(
      {
        account: {},
        contact: { priority: -1 },
        incident: { priority: 10 },
        task: { priority: 10 },
        phonecall: {},
      },
      metadata,
    );
    expect(p.tables.map((t) => t.entity)).toEqual(["incident", "task", "account", "phonecall", "contact"]);
  });

  it("validates priority and indexes", () => {
    expect(() =>
      normalizeOfflineTables({ account: { priority: "high" as unknown as number } }, metadata),
    ).toThrow(expect.objectContaining({ errorCode: 0x80040203 }));
    expect(() => normalizeOfflineTables({ account: { indexes: ["nosuchcolumn"] } }, metadata)).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
    expect(
      normalizeOfflineTables({ account: { indexes: ["revenue"], priority: 2 } }, metadata).tables.length,
    ).toBe(1);
  });

  it("accepts nothing as an empty profile", () => {
    expect(normalizeOfflineTables(undefined, metadata).tables).toEqual([]);
    expect(normalizeOfflineTables([], metadata).tables).toEqual([]);
  });

  it("rejects unknown tables, wrong case and hostile names", () => {
    rejects(["accounts"], NO_TABLE, /'accounts' does not exist/);
    rejects(["Account"], NO_TABLE, /'Account' does not exist/);
    rejects(JSON.parse('{"__proto__": {}}'), NO_TABLE, /'__proto__' does not exist/);
    rejects({ constructor: {} }, NO_TABLE, /'constructor' does not exist/);
  });

  it("rejects malformed input with InvalidArgument, naming the problem", () => {
    rejects("account", INVALID, /array of table names or an object/);
    rejects(null, INVALID, /array of table names or an object/);
    rejects([42], INVALID, /as strings/);
    rejects(["account", "account"], INVALID, /lists 'account' twice/);
    rejects({ account: "all" }, INVALID, /must be an object/);
    rejects({ account: [] }, INVALID, /must be an object/);
    rejects({ account: { filters: "x" } }, INVALID, /unknown option 'filters'/);
    rejects({ account: { filter: 1 } }, INVALID, /filter must be a string/);
    rejects({ account: { filter: "   " } }, INVALID, /filter is empty/);
    rejects({ account: { filter: "a eq 1\r\nX-Injected: 1" } }, INVALID, /control character/);
    rejects({ account: { filter: "x".repeat(9000) } }, INVALID, /9000 characters/);
    rejects({ account: { related: "primarycontactid" } }, INVALID, /related must be an array/);
    rejects({ account: { related: [1] } }, INVALID, /only strings/);
    rejects({ account: { related: ["nosuchlookup"] } }, INVALID, /'nosuchlookup' .* is not a lookup/);
    rejects({ account: { related: ["name"] } }, INVALID, /'name' .* is not a lookup/);
  });
});
