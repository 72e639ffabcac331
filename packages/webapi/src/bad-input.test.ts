/**
 * Bad input: every call below rejects with an exact errorCode, its error is both a plain
 * `{ errorCode, message }` object and an Error, and neither the record table nor the outbox changes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type TestApi, testApi } from "./testing/test-api.ts";
import type { OfflineWebApi } from "./web-api-types.ts";

const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const MISSING = "11111111-2222-4333-8444-555555555555";

const C = {
  ODataParser: 0,
  InvalidArgument: 0x80040203,
  InvalidXml: 0x80040201,
  ObjectDoesNotExist: 0x80040217,
  DuplicateRecord: 0x80040237,
  NotSupported: 0x80040315,
  EntityNotExist: 0x8004f899,
  StringLengthTooLong: 0x80044331,
  RequestTooLarge: 0x8004418a,
  QueryBuilderEntitiesDontMatch: 0x80041128,
  CantUpdateOnlineRecord: 0x8005f224,
} as const;

type Case = readonly [
  name: string,
  call: (api: OfflineWebApi, limited: OfflineWebApi) => PromiseLike<unknown>,
  code: number,
];

const loose = <T>(v: unknown) => v as T;

const CASES: readonly Case[] = [
  // Table names
  ["entity name not a string", (a) => a.createRecord(loose<string>(123), {}), C.InvalidArgument],
  ["empty entity name", (a) => a.createRecord("", {}), C.InvalidArgument],
  ["entity name in the wrong case", (a) => a.createRecord("Account", { name: "x" }), C.EntityNotExist],
  [
    "entity set name instead of logical name",
    (a) => a.createRecord("accounts", { name: "x" }),
    C.EntityNotExist,
  ],
  ["unknown table", (a) => a.createRecord("nosuchtable", {}), C.EntityNotExist],
  ["__proto__ as a table name", (a) => a.createRecord("__proto__", {}), C.EntityNotExist],
  [
    "table not available offline (offline namespace)",
    (_, l) => l.offline.createRecord("contact", { lastname: "x" }),
    C.NotSupported,
  ],
  // The data object
  ["data null", (a) => a.createRecord("account", null), C.InvalidArgument],
  ["data a string", (a) => a.createRecord("account", "name=x"), C.InvalidArgument],
  ["data an array", (a) => a.createRecord("account", []), C.InvalidArgument],
  [
    "data a Proxy whose traps throw",
    (a) =>
      a.createRecord(
        "account",
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error("trap");
            },
          },
        ),
      ),
    C.InvalidArgument,
  ],
  ["column name in the wrong case", (a) => a.createRecord("account", { Name: "x" }), C.ODataParser],
  ["unknown column", (a) => a.createRecord("account", { nosuch: 1 }), C.ODataParser],
  [
    "__proto__ key",
    (a) => a.createRecord("account", JSON.parse('{"__proto__":{"polluted":true}}')),
    C.InvalidArgument,
  ],
  ["decimal given a string", (a) => a.createRecord("account", { revenue: "lots" }), C.ODataParser],
  ["boolean given a string", (a) => a.createRecord("account", { creditonhold: "yes" }), C.ODataParser],
  [
    "whole number given a fraction",
    (a) => a.createRecord("account", { accountcategorycode: 1.5 }),
    C.ODataParser,
  ],
  ["NaN", (a) => a.createRecord("account", { revenue: Number.NaN }), C.ODataParser],
  ["a bigint", (a) => a.createRecord("account", { revenue: 10n }), C.ODataParser],
  ["a function value", (a) => a.createRecord("account", { name: () => 1 }), C.ODataParser],
  [
    "a Date object for a string column",
    (a) => a.createRecord("account", { name: new Date(0) }),
    C.ODataParser,
  ],
  [
    "a primary image on an offline create",
    (a) => a.createRecord("account", { name: "x", entityimage: "iVBORw0KGgo=" }),
    C.NotSupported,
  ],
  ["a 2 MB string", (a) => a.createRecord("account", { name: "x".repeat(2_000_000) }), C.StringLengthTooLong],
  [
    "20,000 keys",
    (a) =>
      a.createRecord("account", Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 1]))),
    C.RequestTooLarge,
  ],
  // Ids
  [
    "malformed primary key in data",
    (a) => a.createRecord("account", { accountid: "not-a-guid" }),
    C.InvalidArgument,
  ],
  [
    "the empty GUID as primary key",
    (a) => a.createRecord("account", { accountid: "00000000-0000-0000-0000-000000000000" }),
    C.InvalidArgument,
  ],
  [
    "duplicate local GUID (upper case)",
    (a) => a.createRecord("account", { accountid: ACCOUNT.toUpperCase() }),
    C.DuplicateRecord,
  ],
  [
    "duplicate local GUID (braced)",
    (a) => a.offline.createRecord("account", { accountid: `{${ACCOUNT}}` }),
    C.DuplicateRecord,
  ],
  // Deep insert and collection-valued navigation properties
  [
    "deep insert on a single-valued navigation",
    (a) => a.createRecord("account", { name: "x", primarycontactid: { firstname: "J" } }),
    C.InvalidArgument,
  ],
  [
    "deep insert on a collection",
    (a) => a.createRecord("account", { opportunity_customer_accounts: [{ name: "o" }] }),
    C.InvalidArgument,
  ],
  [
    "binding a collection-valued navigation on create",
    (a) => a.createRecord("account", { "contact_customer_accounts@odata.bind": [`/contacts(${CONTACT})`] }),
    C.InvalidArgument,
  ],
  [
    "binding a collection-valued navigation on update",
    (a) => a.updateRecord("account", ACCOUNT, { "Account_Tasks@odata.bind": [`/tasks(${CONTACT})`] }),
    C.InvalidArgument,
  ],
  [
    "deep insert on update",
    (a) => a.updateRecord("account", ACCOUNT, { opportunity_customer_accounts: [{ name: "o" }] }),
    C.InvalidArgument,
  ],
  // Lookups
  [
    "@odata.bind to the wrong entity set",
    (a) => a.createRecord("account", { "primarycontactid@odata.bind": `/accounts(${CONTACT})` }),
    C.InvalidArgument,
  ],
  [
    "@odata.bind with a malformed GUID",
    (a) => a.createRecord("account", { "primarycontactid@odata.bind": "/contacts(nope)" }),
    C.InvalidArgument,
  ],
  [
    "@odata.bind given a number",
    (a) => a.createRecord("account", { "primarycontactid@odata.bind": 42 }),
    C.InvalidArgument,
  ],
  [
    "lookup object naming a table the lookup can't point at",
    (a) => a.createRecord("account", { primarycontactid: { logicalname: "account", id: CONTACT } }),
    C.InvalidArgument,
  ],
  [
    "lookup object without id",
    (a) => a.createRecord("account", { primarycontactid: { logicalname: "contact" } }),
    C.InvalidArgument,
  ],
  [
    "unknown navigation property",
    (a) => a.createRecord("account", { "nosuchnav@odata.bind": `/contacts(${CONTACT})` }),
    C.ODataParser,
  ],
  [
    "an annotation other than @odata.bind",
    (a) => a.createRecord("account", { "name@odata.type": "x" }),
    C.ODataParser,
  ],
  [
    "writing a lookup's read-only _x_value",
    (a) => a.createRecord("account", { _primarycontactid_value: CONTACT }),
    C.InvalidArgument,
  ],
  [
    "setting one lookup twice",
    (a) =>
      a.createRecord("account", {
        "primarycontactid@odata.bind": `/contacts(${CONTACT})`,
        primarycontactid: { logicalname: "contact", id: CONTACT },
      }),
    C.InvalidArgument,
  ],
  // Update / delete
  [
    "update with a malformed id",
    (a) => a.updateRecord("account", "not-a-guid", { name: "x" }),
    C.InvalidArgument,
  ],
  [
    "update without an id",
    (a) => a.updateRecord("account", loose<string>(undefined), { name: "x" }),
    C.InvalidArgument,
  ],
  [
    "update of a record not in the local store",
    (a) => a.updateRecord("account", MISSING, { name: "x" }),
    C.CantUpdateOnlineRecord,
  ],
  [
    "update whose data names another primary key",
    (a) => a.updateRecord("account", ACCOUNT, { accountid: MISSING }),
    C.InvalidArgument,
  ],
  ["update with data null", (a) => a.offline.updateRecord("account", ACCOUNT, null), C.InvalidArgument],
  [
    "delete of a record not in the local store",
    (a) => a.deleteRecord("account", MISSING),
    C.CantUpdateOnlineRecord,
  ],
  ["delete with a malformed id", (a) => a.deleteRecord("account", "{bad}"), C.InvalidArgument],
  ["delete on an unknown table", (a) => a.deleteRecord("nosuchtable", ACCOUNT), C.EntityNotExist],
  // Reads
  ["retrieveRecord of a missing record", (a) => a.retrieveRecord("account", MISSING), C.ObjectDoesNotExist],
  ["retrieveRecord with a malformed id", (a) => a.retrieveRecord("account", "bad-id"), C.InvalidArgument],
  [
    "retrieveRecord selecting an unknown column",
    (a) => a.retrieveRecord("account", ACCOUNT, "?$select=nosuch"),
    C.ODataParser,
  ],
  [
    "retrieveRecord with $filter",
    (a) => a.retrieveRecord("account", ACCOUNT, "?$filter=name eq 'x'"),
    C.ODataParser,
  ],
  [
    "$expand with a nested $filter",
    (a) => a.retrieveRecord("account", ACCOUNT, "?$expand=primarycontactid($filter=fullname eq 'x')"),
    C.NotSupported,
  ],
  [
    "$expand to a table not available offline",
    (_, l) => l.retrieveRecord("account", ACCOUNT, "?$expand=primarycontactid($select=fullname)"),
    C.NotSupported,
  ],
  ["$skip", (a) => a.retrieveMultipleRecords("account", "?$skip=10"), C.NotSupported],
  ["$filter syntax error", (a) => a.retrieveMultipleRecords("account", "?$filter=name eq"), C.ODataParser],
  ["negative $top", (a) => a.retrieveMultipleRecords("account", "?$top=-1"), C.ODataParser],
  ["maxPageSize 0", (a) => a.retrieveMultipleRecords("account", "?$select=name", 0), C.InvalidArgument],
  [
    "maxPageSize a string",
    (a) => a.retrieveMultipleRecords("account", "?$select=name", loose<number>("5")),
    C.InvalidArgument,
  ],
  [
    "$expand of a collection-valued navigation",
    (a) => a.retrieveMultipleRecords("account", "?$expand=contact_customer_accounts($select=fullname)"),
    C.NotSupported,
  ],
  [
    "FetchXML for another table",
    (a) => a.retrieveMultipleRecords("account", "?fetchXml=<fetch><entity name='contact'/></fetch>"),
    C.QueryBuilderEntitiesDontMatch,
  ],
  ["malformed FetchXML", (a) => a.retrieveMultipleRecords("account", "?fetchXml=<fetch"), C.InvalidXml],
  [
    "FetchXML aggregation",
    (a) =>
      a.retrieveMultipleRecords(
        "account",
        "?fetchXml=<fetch aggregate='true'><entity name='account'><attribute name='name' aggregate='count' alias='n'/></entity></fetch>",
      ),
    C.NotSupported,
  ],
  [
    "a forged $skiptoken",
    (a) => a.retrieveMultipleRecords("account", "?$select=name&$skiptoken=garbage"),
    C.ODataParser,
  ],
  [
    "reading a table not available offline",
    (_, l) => l.offline.retrieveMultipleRecords("contact"),
    C.NotSupported,
  ],
  // Online side without a server
  [
    "online.createRecord without a server",
    (a) => a.online.createRecord("account", { name: "x" }),
    C.NotSupported,
  ],
  [
    "plain call for a table outside offlineTables (routed online, no server)",
    (_, l) => l.createRecord("contact", { lastname: "x" }),
    C.NotSupported,
  ],
];

describe("bad input is rejected with an exact errorCode and changes nothing", () => {
  let t: TestApi;
  let limited: TestApi;
  let before: Awaited<ReturnType<TestApi["snapshot"]>>;
  let limitedBefore: Awaited<ReturnType<TestApi["snapshot"]>>;

  beforeAll(async () => {
    t = testApi();
    limited = testApi({ offlineTables: ["account"] });
    const row = {
      "@odata.etag": 'W/"9"',
      accountid: ACCOUNT,
      name: "Seeded",
      _primarycontactid_value: CONTACT,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
    };
    await (await t.inspect()).applyServerRows("account", [row]);
    await (await limited.inspect()).applyServerRows("account", [row]);
    await t.api.createRecord("account", { name: "queued before" });
    before = await t.snapshot();
    limitedBefore = await limited.snapshot();
  });

  it(`has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, call, code] of CASES) {
    it(name, async () => {
      const error: unknown = await Promise.resolve()
        .then(() => call(t.api, limited.api))
        .then(
          (value) => ({ resolved: value }),
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      const plain = JSON.parse(JSON.stringify(error)) as { errorCode: number; message: string };
      expect(plain.errorCode).toBe(code);
      expect(typeof plain.message).toBe("string");
      expect(plain.message.length).toBeGreaterThan(0);
      expect(await t.snapshot()).toEqual(before);
      expect(await limited.snapshot()).toEqual(limitedBefore);
    });
  }
});
