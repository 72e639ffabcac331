// Property-based: whatever normalizeWrite is given, it returns a JSON-plain operation or throws an
// XrmError — never another exception — and it never changes its input.
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorTypeFor } from "../errors/error-type.ts";
import { XrmError } from "../errors/xrm-error.ts";
import { normalizeWrite } from "./normalize-write.ts";
import { renderRequest } from "./render-request.ts";

const metadata = bundledMetadata();
const G = "465b158c-541c-e511-80d3-3863bb347ba8";

const entityName = fc.constantFrom(
  "account",
  "contact",
  "task",
  "opportunity",
  "Account",
  "foo",
  "__proto__",
  "",
);
const mode = fc.constantFrom("offline" as const, "online" as const);
const maybeId = fc.option(
  fc.oneof(
    fc.uuid().map((u) => u.toUpperCase()),
    fc.constant(G),
    fc.string(),
  ),
  {
    nil: undefined,
  },
);

/** Keys that matter: real names, near misses, annotations and prototype-polluting names. */
const interestingKey = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "name",
  "Name",
  "firstname",
  "subject",
  "revenue",
  "creditonhold",
  "accountid",
  "contactid",
  "primarycontactid",
  "PrimaryContactId",
  "primarycontactid@odata.bind",
  "parentcustomerid_account@odata.bind",
  "regardingobjectid",
  "regardingobjectid_account_task@odata.bind",
  "_primarycontactid_value",
  "opportunity_customer_accounts",
  "Account_Tasks",
  "Account_Tasks@odata.bind",
  "@odata.etag",
  "__proto__@odata.bind",
  "logicalname",
  "id",
);
const interestingValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    null,
    G,
    `/contacts(${G})`,
    `/accounts(${G})`,
    { logicalname: "contact", id: G },
    { logicalname: "account", id: G },
    [{ subject: "t" }],
    [`/tasks(${G})`],
    { firstname: "J" },
  ),
);

/** An object built with JSON.parse, so `__proto__` really is an own key. */
const hostileObject = fc
  .array(fc.tuple(fc.oneof(interestingKey, fc.string()), interestingValue), { maxLength: 12 })
  .map((entries) =>
    JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`),
  );

function check(data: unknown, entity: string, m: "offline" | "online", id: string | undefined): void {
  const before = (() => {
    try {
      return { ok: true as const, json: JSON.stringify(data) };
    } catch {
      return { ok: false as const };
    }
  })();
  try {
    const op = normalizeWrite(metadata, {
      entityLogicalName: entity,
      data,
      mode: m,
      ...(id === undefined ? {} : { id }),
    });
    // JSON-plain: survives a JSON round trip unchanged, and renders.
    expect(JSON.parse(JSON.stringify(op))).toStrictEqual(op);
    expect(Object.getPrototypeOf(op.columns)).toBe(Object.prototype);
    expect(Object.hasOwn(op.columns, "__proto__")).toBe(false);
    const request = renderRequest(metadata, op);
    expect(JSON.parse(JSON.stringify(request))).toStrictEqual(request);
  } catch (e) {
    if (!(e instanceof XrmError)) throw e;
    expect(Number.isInteger(e.errorCode)).toBe(true);
    expect(e.message).not.toBe("");
  }
  if (before.ok) expect(JSON.stringify(data)).toBe(before.json);
}

describe("normalizeWrite never throws anything but XrmError", () => {
  it("random JSON as data", () => {
    fc.assert(
      fc.property(fc.jsonValue(), entityName, mode, maybeId, (data, entity, m, id) =>
        check(data, entity, m, id),
      ),
      { numRuns: 1500 },
    );
  });

  it("random objects with hostile and real keys", () => {
    fc.assert(
      fc.property(hostileObject, entityName, mode, maybeId, (data, entity, m, id) =>
        check(data, entity, m, id),
      ),
      { numRuns: 3000 },
    );
  });

  it("anything at all (Maps, Sets, Dates, typed arrays, null prototypes, boxed values)", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, entityName, mode, maybeId, (data, entity, m, id) => check(data, entity, m, id)),
      { numRuns: 1500 },
    );
  });

  it("hostile input objects", () => {
    const weird = fc.constantFrom<unknown>(
      null,
      undefined,
      42,
      "account",
      [],
      { entityLogicalName: "account" },
      { entityLogicalName: "account", data: {}, mode: "offline", id: 5 },
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("trap");
          },
        },
      ),
    );
    fc.assert(
      fc.property(weird, (input) => {
        try {
          normalizeWrite(metadata, input as never);
        } catch (e) {
          expect(e).toBeInstanceOf(XrmError);
        }
      }),
    );
  });
});

describe("valid values are accepted and kept", () => {
  it("strings, booleans, integers, doubles on account", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.boolean(),
        fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.date({
          noInvalidDate: true,
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
        }),
        (name, flag, n, lat, when) => {
          const op = normalizeWrite(metadata, {
            entityLogicalName: "account",
            data: {
              name,
              creditonhold: flag,
              numberofemployees: n,
              address1_latitude: lat,
              overriddencreatedon: when,
            },
            mode: "offline",
          });
          expect(op.columns).toStrictEqual({
            name,
            creditonhold: flag,
            numberofemployees: n === 0 ? 0 : n,
            address1_latitude: lat === 0 ? 0 : lat,
            overriddencreatedon: when.toISOString(),
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("XrmError.from and errorTypeFor never throw", () => {
  it("anything → XrmError with a 32-bit code; errorType in 0..3", () => {
    const serverish = fc.record({
      error: fc.record({
        code: fc.oneof(fc.string(), fc.integer(), fc.constant("0x80040217")),
        message: fc.anything(),
      }),
    });
    const responseish = fc.record({
      status: fc.integer({ min: 0, max: 700 }),
      body: fc.oneof(fc.string(), serverish),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything({ withBigInt: true, withMap: true }), serverish, responseish), (x) => {
        const e = XrmError.from(x);
        expect(e).toBeInstanceOf(XrmError);
        expect(e.errorCode).toBeGreaterThanOrEqual(0);
        expect(e.errorCode).toBeLessThanOrEqual(0xffffffff);
        expect(typeof e.message).toBe("string");
        expect([0, 1, 2, 3]).toContain(errorTypeFor(x));
      }),
      { numRuns: 2000 },
    );
  });
});
