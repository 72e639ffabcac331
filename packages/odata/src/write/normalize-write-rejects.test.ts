/**
 * Bad input → an XrmError with the exact errorCode, and no side effect (the input is unchanged,
 * no id is drawn for a record that is refused before its id is known).
 *
 * Error codes by rejection class:
 *
 * | Rejection class                                                        | Name               | Code       | errorCode  |
 * |------------------------------------------------------------------------|--------------------|------------|------------|
 * | data not a plain object (null, array, string, Date, Map, class, …)     | InvalidArgument    | 0x80040203 | 2147746307 |
 * | bad arguments: entityLogicalName type, id not a GUID, mode, kind       | InvalidArgument    | 0x80040203 | 2147746307 |
 * | unknown table (also miscased `Account`, entity set name `accounts`)    | EntityNotExist     | 0x8004f899 | 2147809433 |
 * | unknown or miscased column (`Name`)                                    | ODataParserError   | 0x0        | 0          |
 * | unknown or miscased navigation property in `x@odata.bind`              | ODataParserError   | 0x0        | 0          |
 * | annotation other than `@odata.bind` (`name@odata.type`, `@odata.etag`) | ODataParserError   | 0x0        | 0          |
 * | value of the wrong Edm type / out of range / NaN / non-ISO date        | ODataParserError   | 0x0        | 0          |
 * | deep insert offline; deep insert in an update                          | InvalidArgument    | 0x80040203 | 2147746307 |
 * | collection-valued navigation offline (objects or binds); on update     | InvalidArgument    | 0x80040203 | 2147746307 |
 * | bind to the wrong / an unknown entity set; malformed bind; bad GUID    | InvalidArgument    | 0x80040203 | 2147746307 |
 * | lookup object: keys miscased/missing/extra, id not a GUID, bad target  | InvalidArgument    | 0x80040203 | 2147746307 |
 * | string or number given to a lookup; one lookup set twice              | InvalidArgument    | 0x80040203 | 2147746307 |
 * | `__proto__` / `constructor` / `prototype` keys, getters, symbol keys   | InvalidArgument    | 0x80040203 | 2147746307 |
 * | writing `_x_value` directly                                            | InvalidArgument    | 0x80040203 | 2147746307 |
 * | primary key malformed, or ≠ the id of an update                        | InvalidArgument    | 0x80040203 | 2147746307 |
 * | > 1,000 keys per record, > 10 nesting levels, > 1,000 records          | RequestTooLarge    | 0x8004418a | 2147762570 |
 * | a string > 1,048,576 characters                                        | StringLengthTooLong| 0x80044331 | 2147762993 |
 *
 * Why 0x0 for names and types: the Web API's OData reader rejects those payloads with code 0x0
 * before Dataverse sees them (wire reference §3.4), so a change queued offline and one sent online
 * fail alike. Everything about references, modes and ids is an argument error (InvalidArgument).
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { describe, expect, it } from "vitest";
import { XrmError } from "../errors/xrm-error.ts";
import { normalizeWrite } from "./normalize-write.ts";

const metadata = bundledMetadata();
const IA = 2147746307;
const PARSER = 0;
const NO_TABLE = 2147809433;
const TOO_LARGE = 2147762570;
const TOO_LONG = 2147762993;

const G = "465b158c-541c-e511-80d3-3863bb347ba8";
const RECORD = "5531d753-95af-e711-a94e-000d3a11e605";

type Mode = "offline" | "online";
interface Case {
  readonly name: string;
  readonly data: () => unknown;
  readonly code: number;
  readonly entity?: unknown;
  readonly id?: unknown;
  readonly mode?: Mode | "both" | string;
  readonly kind?: unknown;
}

class Point {
  x = 1;
}

/** account → primarycontactid → contact → parentcustomerid_account → account → … `levels` records deep. */
function nested(levels: number, level = 1): Record<string, unknown> {
  const child = level < levels ? nested(levels, level + 1) : undefined;
  if (level % 2 === 1) return child ? { name: `a${level}`, primarycontactid: child } : { name: `a${level}` };
  return child ? { firstname: `c${level}`, parentcustomerid_account: child } : { firstname: `c${level}` };
}

const cases: Case[] = [
  // Non-object data
  { name: "data null", data: () => null, code: IA },
  { name: "data undefined", data: () => undefined, code: IA },
  { name: "data array", data: () => [{ name: "A" }], code: IA },
  { name: "data string", data: () => "name", code: IA },
  { name: "data number", data: () => 42, code: IA },
  { name: "data Date", data: () => new Date(), code: IA },
  { name: "data Map", data: () => new Map([["name", "A"]]), code: IA },
  { name: "data class instance", data: () => new Point(), code: IA },
  { name: "data boxed string", data: () => new String("A"), code: IA },
  // Arguments
  { name: "unknown table", entity: "foo", data: () => ({ name: "A" }), code: NO_TABLE },
  { name: "miscased table", entity: "Account", data: () => ({ name: "A" }), code: NO_TABLE },
  { name: "entity set name as table", entity: "accounts", data: () => ({ name: "A" }), code: NO_TABLE },
  { name: "table __proto__", entity: "__proto__", data: () => ({}), code: NO_TABLE },
  { name: "entityLogicalName not a string", entity: 42, data: () => ({}), code: IA },
  { name: "malformed id", id: "123", data: () => ({ name: "A" }), code: IA },
  { name: "id with one brace", id: `{${RECORD}`, data: () => ({ name: "A" }), code: IA },
  { name: "empty GUID id", id: "00000000-0000-0000-0000-000000000000", data: () => ({}), code: IA },
  { name: "id not a string", id: 12345, data: () => ({}), code: IA },
  { name: "bad mode", mode: "sometimes", data: () => ({}), code: IA },
  { name: "bad kind", kind: "upsert", data: () => ({}), code: IA },
  { name: "update without id", kind: "update", data: () => ({ name: "A" }), code: IA },
  // Names
  { name: "unknown column", data: () => ({ foo: 1 }), code: PARSER },
  { name: "non-lower-case column", data: () => ({ Name: "A" }), code: PARSER },
  {
    name: "miscased navigation in bind",
    data: () => ({ "PrimaryContactId@odata.bind": `/contacts(${G})` }),
    code: PARSER,
  },
  { name: "unknown navigation in bind", data: () => ({ "foo@odata.bind": `/contacts(${G})` }), code: PARSER },
  {
    name: "bind on a lookup column that is no navigation property",
    entity: "task",
    data: () => ({ "regardingobjectid@odata.bind": `/accounts(${G})` }),
    code: PARSER,
  },
  { name: "unknown annotation", data: () => ({ "name@odata.type": "Edm.String" }), code: PARSER },
  { name: "bare annotation @odata.etag", data: () => ({ "@odata.etag": 'W/"1"' }), code: PARSER },
  // Wrong Edm types
  { name: "string into Boolean", data: () => ({ creditonhold: "true" }), code: PARSER },
  { name: "number into Boolean", data: () => ({ creditonhold: 1 }), code: PARSER },
  { name: "number into Guid", data: () => ({ processid: 12345 }), code: PARSER },
  { name: "malformed Guid column", data: () => ({ processid: "not-a-guid" }), code: PARSER },
  { name: "non-integer into Int32", data: () => ({ accountcategorycode: 1.5 }), code: PARSER },
  { name: "out-of-range Int32", data: () => ({ numberofemployees: 2 ** 31 }), code: PARSER },
  { name: "string into Int32", data: () => ({ accountcategorycode: "1" }), code: PARSER },
  { name: "NaN into Double", data: () => ({ address1_latitude: Number.NaN }), code: PARSER },
  { name: "Infinity into Decimal", data: () => ({ revenue: Number.POSITIVE_INFINITY }), code: PARSER },
  { name: "string into Decimal", data: () => ({ revenue: "5000000" }), code: PARSER },
  { name: "bigint into Int64", data: () => ({ versionnumber: 1n }), code: PARSER },
  { name: "non-ISO date", data: () => ({ overriddencreatedon: "01/02/2024" }), code: PARSER },
  {
    name: "date-time without offset",
    data: () => ({ overriddencreatedon: "2024-01-02T10:00:00" }),
    code: PARSER,
  },
  { name: "impossible date", data: () => ({ overriddencreatedon: "2024-02-30T10:00:00Z" }), code: PARSER },
  { name: "invalid Date object", data: () => ({ overriddencreatedon: new Date("nope") }), code: PARSER },
  { name: "Date into a string column", data: () => ({ name: new Date() }), code: PARSER },
  { name: "bad Edm.Date", entity: "contact", data: () => ({ birthdate: "2024-13-01" }), code: PARSER },
  { name: "object into a string column", data: () => ({ name: { value: "A" } }), code: PARSER },
  { name: "array into a string column", data: () => ({ name: ["A"] }), code: PARSER },
  { name: "undefined value", data: () => ({ name: undefined }), code: PARSER },
  { name: "not base64 into Binary", data: () => ({ entityimage: "not base64!" }), code: PARSER },
  // Deep insert and collections
  {
    name: "deep insert offline (seed)",
    mode: "offline",
    data: () => ({
      name: "Sample Account",
      primarycontactid: { firstname: "John", lastname: "Smith" },
      opportunity_customer_accounts: [{ name: "Opportunity", Opportunity_Tasks: [{ subject: "Task" }] }],
    }),
    code: IA,
  },
  {
    name: "deep insert on a collection offline",
    mode: "offline",
    data: () => ({ Account_Tasks: [{ subject: "T" }] }),
    code: IA,
  },
  { name: "collection navigation offline, not an array", data: () => ({ Account_Tasks: "x" }), code: IA },
  {
    name: "collection bind offline",
    mode: "offline",
    data: () => ({ "Account_Tasks@odata.bind": [`/tasks(${G})`] }),
    code: IA,
  },
  {
    name: "collection bind on an online update",
    mode: "online",
    id: RECORD,
    data: () => ({ "Account_Tasks@odata.bind": [`/tasks(${G})`] }),
    code: IA,
  },
  {
    name: "collection bind online to the wrong set",
    mode: "online",
    data: () => ({ "Account_Tasks@odata.bind": [`/contacts(${G})`] }),
    code: IA,
  },
  {
    name: "deep insert in an online update",
    mode: "online",
    id: RECORD,
    data: () => ({ primarycontactid: { firstname: "J" } }),
    code: IA,
  },
  {
    name: "deep insert online with a bad nested column",
    mode: "online",
    data: () => ({ primarycontactid: { FirstName: "J" } }),
    code: PARSER,
  },
  {
    name: "nested record under a lookup column that is no navigation",
    entity: "task",
    mode: "online",
    data: () => ({ regardingobjectid: { name: "A" } }),
    code: IA,
  },
  // Binds
  {
    name: "bind to the wrong entity set",
    data: () => ({ "primarycontactid@odata.bind": `/accounts(${G})` }),
    code: IA,
  },
  {
    name: "bind to an unknown entity set",
    data: () => ({ "primarycontactid@odata.bind": `/foos(${G})` }),
    code: IA,
  },
  {
    name: "bind with the logical name",
    data: () => ({ "primarycontactid@odata.bind": `/contact(${G})` }),
    code: IA,
  },
  {
    name: "bind with a malformed GUID",
    data: () => ({ "primarycontactid@odata.bind": "/contacts(not-a-guid)" }),
    code: IA,
  },
  { name: "bind without a key", data: () => ({ "primarycontactid@odata.bind": "/contacts" }), code: IA },
  { name: "bind value a number", data: () => ({ "primarycontactid@odata.bind": 42 }), code: IA },
  {
    name: "bind value an array",
    data: () => ({ "primarycontactid@odata.bind": [`/contacts(${G})`] }),
    code: IA,
  },
  {
    name: "bind with an alternate key",
    data: () => ({ "primarycontactid@odata.bind": "/contacts(emailaddress1='a@b.c')" }),
    code: IA,
  },
  { name: "bind with a Content-ID", data: () => ({ "primarycontactid@odata.bind": "$1" }), code: IA },
  {
    name: "bind with an absolute URL outside the Web API",
    data: () => ({ "primarycontactid@odata.bind": `https://evil.example/contacts(${G})` }),
    code: IA,
  },
  // Lookup objects and lookups
  {
    name: "lookup object with a target the lookup can't take",
    data: () => ({ primarycontactid: { logicalname: "account", id: G } }),
    code: IA,
  },
  {
    name: "lookup object with an unknown table",
    data: () => ({ primarycontactid: { logicalname: "foo", id: G } }),
    code: IA,
  },
  {
    name: "lookup object with miscased keys",
    data: () => ({ primarycontactid: { LogicalName: "contact", id: G } }),
    code: IA,
  },
  {
    name: "lookup object missing id",
    data: () => ({ primarycontactid: { logicalname: "contact" } }),
    code: IA,
  },
  { name: "lookup object missing logicalname", data: () => ({ primarycontactid: { id: G } }), code: IA },
  {
    name: "lookup object with an extra key",
    data: () => ({ primarycontactid: { logicalname: "contact", id: G, name: "John" } }),
    code: IA,
  },
  {
    name: "lookup object with a malformed id",
    data: () => ({ primarycontactid: { logicalname: "contact", id: "x" } }),
    code: IA,
  },
  {
    name: "Xrm.LookupValue shape instead of the lookup object",
    data: () => ({ primarycontactid: { id: G, entityType: "contact", name: "John" } }),
    code: IA,
  },
  {
    name: "lookup object under a navigation for another target",
    entity: "opportunity",
    data: () => ({ customerid_account: { logicalname: "contact", id: G } }),
    code: IA,
  },
  { name: "a GUID string given to a lookup", data: () => ({ primarycontactid: G }), code: IA },
  { name: "a number given to a lookup", data: () => ({ primarycontactid: 1 }), code: IA },
  {
    name: "one lookup set twice",
    data: () => ({ "primarycontactid@odata.bind": `/contacts(${G})`, primarycontactid: null }),
    code: IA,
  },
  {
    name: "a polymorphic lookup set through two navigations",
    entity: "task",
    data: () => ({
      "regardingobjectid_account_task@odata.bind": `/accounts(${G})`,
      "regardingobjectid_contact_task@odata.bind": `/contacts(${G})`,
    }),
    code: IA,
  },
  { name: "writing _x_value directly", data: () => ({ _primarycontactid_value: G }), code: IA },
  // Hostile keys
  { name: "__proto__ own key (JSON.parse)", data: () => JSON.parse('{"__proto__":{"name":"A"}}'), code: IA },
  { name: "constructor key", data: () => ({ constructor: "x" }), code: IA },
  { name: "prototype key", data: () => ({ prototype: "x" }), code: IA },
  {
    name: "__proto__@odata.bind",
    data: () => JSON.parse(`{"__proto__@odata.bind":"/contacts(${G})"}`),
    code: IA,
  },
  {
    name: "__proto__ inside a lookup object",
    data: () => JSON.parse(`{"primarycontactid":{"__proto__":1,"logicalname":"contact","id":"${G}"}}`),
    code: IA,
  },
  {
    name: "getter property",
    data: () =>
      Object.defineProperty({}, "name", {
        enumerable: true,
        get() {
          throw new Error("boom");
        },
      }),
    code: IA,
  },
  { name: "symbol key", data: () => ({ name: "A", [Symbol("s")]: 1 }), code: IA },
  // Primary key
  { name: "malformed primary key", data: () => ({ accountid: "x" }), code: IA },
  { name: "null primary key", data: () => ({ accountid: null }), code: IA },
  { name: "primary key ≠ update id", id: RECORD, data: () => ({ accountid: G }), code: IA },
  {
    name: "primary key ≠ id of a kind-create",
    id: RECORD,
    kind: "create",
    data: () => ({ accountid: G }),
    code: IA,
  },
  // Size guards
  {
    name: "1,001 keys",
    data: () => Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`new_col${i}`, i])),
    code: TOO_LARGE,
  },
  { name: "nesting deeper than 10 levels", mode: "online", data: () => nested(11), code: TOO_LARGE },
  {
    name: "more than 1,000 nested records",
    mode: "online",
    data: () => ({ Account_Tasks: Array.from({ length: 1001 }, () => ({ subject: "t" })) }),
    code: TOO_LARGE,
  },
  {
    name: "string longer than 1,048,576",
    data: () => ({ description: "x".repeat(1_048_577) }),
    code: TOO_LONG,
  },
];

describe("normalizeWrite rejects bad input with the exact errorCode", () => {
  it("has at least 35 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  for (const c of cases) {
    const modes: Mode[] =
      c.mode === undefined || c.mode === "both" ? ["offline", "online"] : [c.mode as Mode];
    for (const mode of modes) {
      it(`${c.name} (${mode}) → ${c.code}`, () => {
        const data = c.data();
        const snapshot = safeClone(data);
        let drawn = 0;
        const newId = () => {
          drawn++;
          return `00000000-0000-4000-8000-${String(drawn).padStart(12, "0")}`;
        };
        const input = {
          entityLogicalName: (c.entity ?? "account") as string,
          data,
          mode: (c.mode === undefined || c.mode === "both" ? mode : c.mode) as Mode,
          ...(c.id === undefined ? {} : { id: c.id as string }),
          ...(c.kind === undefined ? {} : { kind: c.kind as "create" }),
        };
        let error: unknown;
        try {
          normalizeWrite(metadata, input, { newId });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(XrmError);
        const x = error as XrmError;
        expect(x.errorCode, x.message).toBe(c.code);
        expect(x.message.length).toBeGreaterThan(10);
        expect(x.toJSON()).toStrictEqual({ errorCode: c.code, message: x.message, code: x.code });
        if (snapshot.ok) expect(safeClone(data)).toStrictEqual(snapshot); // input untouched
      });
    }
  }

  it("10 levels of nesting are accepted online", () => {
    const op = normalizeWrite(metadata, { entityLogicalName: "account", data: nested(10), mode: "online" });
    let depth = 1;
    for (let o = op; "deepInsert" in o && o.deepInsert.length > 0; o = o.deepInsert[0]!.operation) depth++;
    expect(depth).toBe(10);
  });

  it("the deep-insert rejection names the feature and offline mode", () => {
    expect(() =>
      normalizeWrite(metadata, {
        entityLogicalName: "account",
        data: { primarycontactid: { firstname: "J" } },
        mode: "offline",
      }),
    ).toThrow(
      expect.objectContaining({
        errorCode: 0x80040203,
        message: expect.stringContaining("Deep insert is not available in offline mode"),
      }),
    );
  });

  it("miscased names get a hint", () => {
    expect(() =>
      normalizeWrite(metadata, { entityLogicalName: "account", data: { Name: "A" }, mode: "offline" }),
    ).toThrow(
      "The property 'Name' does not exist on type 'Microsoft.Dynamics.CRM.account'. Names are case-sensitive: did you mean 'name'?",
    );
    expect(() =>
      normalizeWrite(metadata, { entityLogicalName: "Account", data: {}, mode: "offline" }),
    ).toThrow(
      "Entity name 'Account' does not exist in the metadata. Logical names are lower case: 'account'.",
    );
  });
});

/** A structured clone for comparing before/after, when the value can be cloned at all. */
function safeClone(value: unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: structuredClone(value) };
  } catch {
    return { ok: false };
  }
}
