import { describe, expect, it } from "vitest";
import {
  accountId,
  accounts,
  contactId,
  contacts,
  metadata,
  resolveRelated,
  shortId,
} from "../../test/query-fixture.ts";
import type { Row } from "./filter-compile.ts";
import { evaluateQuery } from "./query-evaluate.ts";
import { parseQueryOptions } from "./query-options.ts";

function run(options: string, rows: Row[] = accounts, entity = "account", maxPageSize?: number) {
  const plan = parseQueryOptions(metadata, entity, options);
  return evaluateQuery(plan, rows, resolveRelated, maxPageSize === undefined ? {} : { maxPageSize });
}
function ids(options: string, rows: Row[] = accounts, entity = "account"): string[] {
  const pk = entity === "account" ? "accountid" : "contactid";
  return run(options, rows, entity).entities.map((e) => shortId(e[pk]));
}

const C01 = contactId(1);
const ALL = ["a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12"];
const without = (...out: string[]) => ALL.filter((x) => !out.includes(x));

describe("evaluateQuery: $filter over accounts (results in primary key order)", () => {
  const table: [string, string[]][] = [
    ["$filter=revenue gt 100000", ["a01", "a02", "a03", "a08", "a09", "a12"]],
    ["$filter=revenue ge 100000", ["a01", "a02", "a03", "a05", "a06", "a08", "a09", "a11", "a12"]],
    ["$filter=revenue lt 100000", ["a04", "a10"]],
    ["$filter=revenue le 75000", ["a04", "a10"]],
    ["$filter=revenue eq 100000", ["a05", "a06", "a11"]],
    ["$filter=revenue eq 2000000.5", ["a09"]],
    ["$filter=revenue gt -1", without("a07")],
    ["$filter=1000000 lt revenue", ["a03", "a09"]],
    ["$filter=numberofemployees ge 100 and numberofemployees le 800", ["a01", "a03", "a12"]],
    ["$filter=statecode eq 1", ["a07"]],
    ["$filter=revenue gt numberofemployees", without("a07")],
    ["$filter=accountid eq aaaaaaaa-0000-4000-8000-000000000003", ["a03"]],
    ["$filter=accountid eq AAAAAAAA-0000-4000-8000-000000000003", ["a03"]],
    ["$filter=accountid ne aaaaaaaa-0000-4000-8000-000000000003", without("a03")],
    // Text compares case- and accent-insensitively, like Dataverse's default collation.
    ["$filter=name eq 'contoso ltd'", ["a01"]],
    ["$filter=name eq 'CAFE OLE'", ["a04"]],
    ["$filter=name gt 'T'", ["a11", "a12"]],
    ["$filter=contains(name,'SAMPLE')", ["a05", "a06"]],
    ["$filter=contains(name,'ole')", ["a04"]],
    ["$filter=startswith(name,'a')", ["a03", "a10"]],
    ["$filter=endswith(name,'INC')", ["a02"]],
    ["$filter=contains(name,'''')", ["a08"]],
    ["$filter=name eq 'O''Reilly Media'", ["a08"]],
    ["$filter=contains(name,'o') eq false", ["a02"]],
    ["$filter=not contains(name,'o')", ["a02"]],
    // Booleans: a boolean column is a predicate by itself.
    ["$filter=donotemail", ["a02", "a07", "a10"]],
    ["$filter=donotemail eq true", ["a02", "a07", "a10"]],
    ["$filter=donotemail eq false", ["a01", "a03", "a04", "a06", "a08", "a09", "a11", "a12"]],
    ["$filter=not donotemail", without("a02", "a07", "a10")],
    // Dates compare as instants; a date literal is midnight UTC.
    ["$filter=createdon ge 2024-06-01", ["a09", "a10", "a11", "a12"]],
    ["$filter=createdon lt 2024-03-01T12:00:00Z", ["a01", "a02", "a03", "a04", "a07"]],
    ["$filter=createdon gt 2024-03-02T07:00:00Z", ["a06", "a08", "a09", "a10", "a11", "a12"]],
    ["$filter=createdon gt 2024-03-02T10:00:00+02:00", ["a08", "a09", "a10", "a11", "a12"]],
    ["$filter=createdon eq 2024-03-02T10:00:00+02:00", ["a06"]],
    ["$filter=createdon eq 2024-03-02T08:00:00Z", ["a06"]],
  ];
  it.each(table)("%s", (options, expected) => {
    expect(ids(options)).toEqual(expected);
  });
});

describe("evaluateQuery: null semantics (two-valued, as OData and Dataverse's 'does not equal')", () => {
  it.each([
    ["$filter=revenue eq null", ["a07"]],
    ["$filter=revenue ne null", without("a07")],
    ["$filter=revenue ne 100000", ["a01", "a02", "a03", "a04", "a07", "a08", "a09", "a10", "a12"]],
    ["$filter=revenue gt 0 or revenue le 0", without("a07")],
    ["$filter=not (revenue gt 0)", ["a07"]],
    ["$filter=address1_city eq null", ["a06", "a12"]],
    ["$filter=not (address1_city eq 'Seattle')", ["a02", "a04", "a06", "a07", "a08", "a10", "a11", "a12"]],
    ["$filter=contains(address1_city,'e')", ["a01", "a02", "a03", "a05", "a08", "a09", "a10", "a11"]],
    ["$filter=donotemail ne true", without("a02", "a07", "a10")],
    ["$filter=revenue gt null", []],
  ])("%s", (options, expected) => {
    expect(ids(options)).toEqual(expected);
  });
});

describe("evaluateQuery: and / or / not precedence", () => {
  it.each([
    ["$filter=address1_city eq 'Redmond' or address1_city eq 'Paris'", ["a02", "a04", "a11"]],
    // and binds tighter than or.
    [
      "$filter=address1_city eq 'Redmond' or address1_city eq 'Seattle' and revenue gt 1000000",
      ["a02", "a03", "a09", "a11"],
    ],
    [
      "$filter=(address1_city eq 'Redmond' or address1_city eq 'Seattle') and revenue gt 1000000",
      ["a03", "a09"],
    ],
    [
      "$filter=address1_city eq 'Seattle' and revenue gt 1000000 or address1_city eq 'Redmond'",
      ["a02", "a03", "a09", "a11"],
    ],
    [
      "$filter=not (address1_city eq 'Seattle' or address1_city eq null) and revenue ge 250000",
      ["a02", "a08"],
    ],
    ["$filter=not not donotemail", ["a02", "a07", "a10"]],
    ["$filter=((((revenue eq 500000))))", ["a01"]],
  ])("%s", (options, expected) => {
    expect(ids(options)).toEqual(expected);
  });
});

describe("evaluateQuery: lookups", () => {
  it.each([
    [`$filter=_primarycontactid_value eq ${C01}`, ["a01", "a05"]],
    [`$filter=primarycontactid eq ${C01}`, ["a01", "a05"]],
    [`$filter=primarycontactid/contactid eq ${C01}`, ["a01", "a05"]],
    ["$filter=primarycontactid eq null", ["a04", "a07", "a11"]],
    ["$filter=_primarycontactid_value ne null and revenue lt 100000", ["a10"]],
    ["$filter=primarycontactid/fullname eq 'maria campbell'", ["a06"]],
    [
      "$filter=contains(primarycontactid/emailaddress1,'EXAMPLE')",
      ["a01", "a02", "a03", "a05", "a06", "a08", "a09", "a10"],
    ],
    [`$filter=parentaccountid/accountid eq ${accountId(1)}`, ["a05", "a06"]],
    ["$filter=parentaccountid/name eq 'Contoso Ltd'", ["a05", "a06"]],
  ])("%s", (options, expected) => {
    expect(ids(options)).toEqual(expected);
  });

  it("follows polymorphic lookups by navigation property (customer: account or contact)", () => {
    const c = (o: string) => ids(o, contacts, "contact");
    expect(c(`$filter=parentcustomerid eq ${accountId(1)}`)).toEqual(["c01"]);
    expect(c(`$filter=parentcustomerid_contact/contactid eq ${C01}`)).toEqual(["c06"]);
    expect(c(`$filter=parentcustomerid_account/accountid eq ${C01}`)).toEqual([]);
    expect(c("$filter=parentcustomerid_account eq null")).toEqual(["c06", "c07", "c08"]);
    expect(c("$filter=parentcustomerid eq null")).toEqual(["c07", "c08"]);
    expect(c("$filter=parentcustomerid_account/name eq 'Fabrikam Inc'")).toEqual(["c02"]);
    expect(c("$filter=birthdate ge 1984-01-01")).toEqual(["c04", "c06", "c08"]);
  });
});

describe("evaluateQuery: $orderby and $top", () => {
  it.each([
    ["$orderby=name", ["a03", "a10", "a09", "a04", "a01", "a02", "a07", "a08", "a05", "a06", "a11", "a12"]],
    [
      "$orderby=name desc",
      ["a12", "a11", "a06", "a05", "a08", "a07", "a02", "a01", "a04", "a09", "a10", "a03"],
    ],
    // nulls first ascending; ties broken by the primary key.
    [
      "$orderby=revenue",
      ["a07", "a10", "a04", "a05", "a06", "a11", "a02", "a08", "a01", "a12", "a03", "a09"],
    ],
    [
      "$orderby=revenue desc,name",
      ["a09", "a03", "a12", "a01", "a08", "a02", "a05", "a06", "a11", "a04", "a10", "a07"],
    ],
    [
      "$orderby=address1_city,numberofemployees desc",
      ["a12", "a06", "a10", "a07", "a04", "a02", "a11", "a09", "a03", "a01", "a05", "a08"],
    ],
    ["$orderby=createdon desc&$top=2", ["a12", "a11"]],
    ["$filter=address1_city eq 'Seattle'&$orderby=numberofemployees asc&$top=3", ["a05", "a01", "a03"]],
    ["$top=0", []],
    ["$top=100", ALL],
  ])("%s", (options, expected) => {
    expect(ids(options)).toEqual(expected);
  });

  it("is stable whatever the input order", () => {
    const reversed = [...accounts].reverse();
    expect(ids("$orderby=revenue desc", reversed)).toEqual(ids("$orderby=revenue desc"));
  });
});

describe("evaluateQuery: projection", () => {
  it("returns the selected columns, the primary key, the etag and the columns' annotations", () => {
    const [a] = run(`$select=name,revenue,primarycontactid&$filter=accountid eq ${accountId(1)}`).entities;
    expect(a).toEqual({
      "@odata.etag": 'W/"1001"',
      accountid: accountId(1),
      name: "Contoso Ltd",
      revenue: 500000,
      "revenue@OData.Community.Display.V1.FormattedValue": "$500,000",
      _primarycontactid_value: C01,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "Yvonne McKay",
    });
  });

  it("returns a selected column that is null or missing as null", () => {
    const [a] = run(`$select=revenue,description&$filter=accountid eq ${accountId(7)}`).entities;
    expect(a).toEqual({
      "@odata.etag": 'W/"1007"',
      accountid: accountId(7),
      revenue: null,
      description: null,
    });
  });

  it("returns every stored column without $select", () => {
    const [a] = run(`$filter=accountid eq ${accountId(4)}`).entities;
    expect(a).toEqual(accounts[3]);
  });

  it("never turns a stored '__proto__' key into a prototype", () => {
    const hostile = JSON.parse(
      `{"accountid":"${accountId(99)}","name":"x","__proto__":{"polluted":true}}`,
    ) as Row;
    const [a] = run("", [hostile]).entities;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect((a as { polluted?: unknown }).polluted).toBeUndefined();
    expect(a).toEqual({ accountid: accountId(99), name: "x" });
  });

  it("counts all matches with $count=true, ignoring $top", () => {
    const r = run("$filter=address1_city eq 'Seattle'&$top=2&$count=true");
    expect(r.count).toBe(4);
    expect(r.entities.map((e) => shortId(e.accountid))).toEqual(["a01", "a03"]);
    expect(run("$top=1").count).toBeUndefined();
  });
});

describe("evaluateQuery: $expand", () => {
  it("nests the related row with its $select (primary key and etag always)", () => {
    const r = run(
      `$select=name&$expand=primarycontactid($select=fullname,emailaddress1)&$filter=revenue ge 500000&$orderby=name`,
    );
    expect(r.entities.map((e) => [shortId(e.accountid), e.primarycontactid])).toEqual([
      [
        "a03",
        {
          "@odata.etag": 'W/"2003"',
          contactid: contactId(3),
          fullname: "Nancy Anderson",
          emailaddress1: "nancy@example.com",
        },
      ],
      [
        "a09",
        {
          "@odata.etag": 'W/"2006"',
          contactid: contactId(6),
          fullname: "Scott Konersmann",
          emailaddress1: "scott@example.com",
        },
      ],
      [
        "a01",
        {
          "@odata.etag": 'W/"2001"',
          contactid: C01,
          fullname: "Yvonne McKay",
          emailaddress1: "yvonne@example.com",
        },
      ],
      [
        "a12",
        { "@odata.etag": 'W/"2008"', contactid: contactId(8), fullname: "Paul Cannon", emailaddress1: null },
      ],
    ]);
    expect(Object.keys(r.entities[0]!)).toEqual(["@odata.etag", "accountid", "name", "primarycontactid"]);
  });

  it("gives null for an empty lookup, and every column without a nested $select", () => {
    const r = run(
      `$select=name&$expand=primarycontactid,parentaccountid($select=name)&$filter=name eq 'Café Olé' or name eq 'Sample Account Two'`,
    );
    expect(r.entities[0]).toEqual({
      "@odata.etag": 'W/"1004"',
      accountid: accountId(4),
      name: "Café Olé",
      primarycontactid: null,
      parentaccountid: null,
    });
    expect(r.entities[1]!.primarycontactid).toEqual(contacts[3]);
    expect(r.entities[1]!.parentaccountid).toEqual({
      "@odata.etag": 'W/"1001"',
      accountid: accountId(1),
      name: "Contoso Ltd",
    });
  });

  it("expands each navigation property of a polymorphic lookup to its own table only", () => {
    const r = run(
      `$select=fullname&$expand=parentcustomerid_account($select=name),parentcustomerid_contact($select=fullname)&$filter=contactid eq ${contactId(6)} or contactid eq ${contactId(2)}`,
      contacts,
      "contact",
    );
    expect(
      r.entities.map((e) => [e.fullname, e.parentcustomerid_account, e.parentcustomerid_contact]),
    ).toEqual([
      [
        "Susanna Stubberod",
        { "@odata.etag": 'W/"1002"', accountid: accountId(2), name: "Fabrikam Inc" },
        null,
      ],
      ["Scott Konersmann", null, { "@odata.etag": 'W/"2001"', contactid: C01, fullname: "Yvonne McKay" }],
    ]);
  });
});
