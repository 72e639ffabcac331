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
import type { EvaluateOptions } from "../query/query-evaluate.ts";
import { evaluateQuery } from "../query/query-evaluate.ts";
import { parseQueryOptions } from "../query/query-options.ts";

const C01 = contactId(1);

function fetchRows(inner: string, attrs = "", entity = "account", options: EvaluateOptions = {}) {
  const xml = `<fetch${attrs}><entity name='${entity}'>${inner}</entity></fetch>`;
  const plan = parseQueryOptions(metadata, entity, `?fetchXml=${xml}`);
  return evaluateQuery(plan, entity === "account" ? accounts : contacts, resolveRelated, options);
}
function fetchIds(inner: string, attrs = "", entity = "account", options: EvaluateOptions = {}): string[] {
  const pk = entity === "account" ? "accountid" : "contactid";
  return fetchRows(inner, attrs, entity, options).entities.map((e) => shortId(e[pk]));
}
function odataIds(options: string): string[] {
  return evaluateQuery(
    parseQueryOptions(metadata, "account", options),
    accounts,
    resolveRelated,
  ).entities.map((e) => shortId(e.accountid));
}
const cond = (attribute: string, operator: string, value?: string) =>
  `<filter><condition attribute='${attribute}' operator='${operator}'${value === undefined ? "" : ` value='${value}'`}/></filter>`;

describe("FetchXML gives the same rows as the equivalent OData query", () => {
  const pairs: [string, string, string][] = [
    ["$filter=revenue gt 100000", cond("revenue", "gt", "100000"), ""],
    ["$filter=revenue ge 100000", cond("revenue", "ge", "100000"), ""],
    ["$filter=revenue lt 100000", cond("revenue", "lt", "100000"), ""],
    ["$filter=revenue le 75000", cond("revenue", "le", "75000"), ""],
    ["$filter=revenue ne 100000", cond("revenue", "ne", "100000"), ""],
    ["$filter=revenue ne 100000", cond("revenue", "neq", "100000"), ""],
    ["$filter=revenue eq null", cond("revenue", "null"), ""],
    ["$filter=revenue ne null", cond("revenue", "not-null"), ""],
    ["$filter=name eq 'contoso ltd'", cond("name", "eq", "contoso ltd"), ""],
    ["$filter=contains(name,'SAMPLE')", cond("name", "like", "%SAMPLE%"), ""],
    ["$filter=startswith(name,'a')", cond("name", "begins-with", "a"), ""],
    ["$filter=endswith(name,'inc')", cond("name", "ends-with", "inc"), ""],
    ["$filter=not startswith(name,'a')", cond("name", "not-begin-with", "a"), ""],
    ["$filter=not endswith(name,'s')", cond("name", "not-end-with", "s"), ""],
    ["$filter=not contains(name,'o')", cond("name", "not-like", "%o%"), ""],
    ["$filter=donotemail eq true", cond("donotemail", "eq", "1"), ""],
    [`$filter=primarycontactid eq ${C01}`, cond("primarycontactid", "eq", `{${C01.toUpperCase()}}`), ""],
    ["$filter=primarycontactid eq null", cond("primarycontactid", "null"), ""],
    ["$filter=createdon ge 2024-06-01", cond("createdon", "ge", "2024-06-01"), ""],
    [
      "$filter=revenue gt numberofemployees",
      "<filter><condition attribute='revenue' operator='gt' valueof='numberofemployees'/></filter>",
      "",
    ],
    [
      "$filter=address1_city eq 'Redmond' or address1_city eq 'Seattle' and revenue gt 1000000",
      `<filter type='or'><condition attribute='address1_city' operator='eq' value='Redmond'/><filter type='and'><condition attribute='address1_city' operator='eq' value='Seattle'/><condition attribute='revenue' operator='gt' value='1000000'/></filter></filter>`,
      "",
    ],
    [
      "$filter=address1_city eq 'Redmond' or address1_city eq 'Paris'",
      `<filter><condition attribute='address1_city' operator='in'><value>Redmond</value><value>paris</value></condition></filter>`,
      "",
    ],
    [
      "$filter=revenue gt 0 and not (statecode eq 0 or statecode eq 1)",
      `${cond("revenue", "gt", "0")}${cond("statecode", "not-in", "x").replace(" value='x'/>", "><value>0</value><value>1</value></condition>")}`,
      "",
    ],
    [
      "$orderby=revenue desc,name&$top=4",
      "<order attribute='revenue' descending='true'/><order attribute='name'/>",
      " top='4'",
    ],
    [
      "$orderby=address1_city,numberofemployees desc",
      "<order attribute='address1_city'/><order attribute='numberofemployees' descending='1'/>",
      "",
    ],
    [
      "$filter=primarycontactid/fullname eq 'maria campbell'",
      `<link-entity name='contact' from='contactid' to='primarycontactid' alias='pc'/><filter><condition entityname='pc' attribute='fullname' operator='eq' value='maria campbell'/></filter>`,
      "",
    ],
    [
      "$filter=primarycontactid ne null",
      "<link-entity name='contact' from='contactid' to='primarycontactid' link-type='inner'/>",
      "",
    ],
    [
      "$filter=contains(primarycontactid/emailaddress1,'example')",
      `<link-entity name='contact' from='contactid' to='primarycontactid'>${cond("emailaddress1", "like", "%example%")}</link-entity>`,
      "",
    ],
  ];
  it.each(pairs)("%s", (odata, inner, attrs) => {
    expect(fetchIds(inner, attrs)).toEqual(odataIds(odata));
  });
});

describe("FetchXML-only operators", () => {
  it.each([
    [cond("name", "like", "_ontoso%"), ["a01"]],
    [cond("name", "like", "[a-c]%"), ["a01", "a03", "a04", "a09", "a10"]],
    [cond("name", "like", "[^a-c]%s"), ["a07", "a11", "a12"]],
    [cond("name", "like", "%o_é"), ["a04", "a05"]],
    [
      cond("name", "like", "%"),
      ["a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12"],
    ],
    [cond("numberofemployees", "in", "5"), ["a04"]],
    [
      `<filter><condition attribute='accountid' operator='in'><value>${accountId(2)}</value><value>${accountId(9)}</value></condition></filter>`,
      ["a02", "a09"],
    ],
    [
      `<filter><condition attribute='donotemail' operator='not-in'><value>1</value></condition></filter>`,
      ["a01", "a03", "a04", "a05", "a06", "a08", "a09", "a11", "a12"],
    ],
  ])("%s", (inner, expected) => {
    expect(fetchIds(inner)).toEqual(expected);
  });

  // Monday 2024-06-03 12:00 UTC; weeks start on Sunday.
  const now = { now: new Date("2024-06-03T12:00:00Z") };
  it.each([
    ["today", undefined, ["a11"]],
    ["yesterday", undefined, ["a10"]],
    ["tomorrow", undefined, ["a12"]],
    ["last-x-days", "2", ["a09", "a10", "a11"]],
    ["next-x-days", "1", ["a11", "a12"]],
    ["last-seven-days", undefined, ["a09", "a10", "a11"]],
    ["this-week", undefined, ["a10", "a11", "a12"]],
    ["last-week", undefined, ["a09"]],
    ["next-week", undefined, []],
    ["this-month", undefined, ["a09", "a10", "a11", "a12"]],
    ["last-month", undefined, ["a08"]],
    ["last-x-months", "3", ["a08", "a09", "a10", "a11"]],
    ["last-x-months", "4", ["a02", "a04", "a05", "a06", "a08", "a09", "a10", "a11"]],
    ["this-year", undefined, ["a01", "a02", "a04", "a05", "a06", "a08", "a09", "a10", "a11", "a12"]],
    ["last-year", undefined, ["a03"]],
    ["last-x-years", "2", ["a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11"]],
    ["on", "2024-03-01", ["a04", "a05"]],
    ["on-or-before", "2024-02-15", ["a01", "a02", "a03", "a07"]],
    ["on-or-after", "2024-06-03", ["a11", "a12"]],
    ["gt", "2024-06-03T06:00:00Z", ["a12"]],
  ])("createdon %s %s", (operator, value, expected) => {
    expect(fetchIds(cond("createdon", operator, value), "", "account", now)).toEqual(expected);
  });

  it.each([
    ["2024-05-30T12:00:00Z", "next-seven-days", undefined, ["a09", "a10", "a11", "a12"]],
    ["2024-05-30T12:00:00Z", "next-month", undefined, ["a09", "a10", "a11", "a12"]],
    ["2024-05-30T12:00:00Z", "last-x-weeks", "2", ["a08"]],
    ["2024-05-30T12:00:00Z", "next-x-weeks", "1", ["a09", "a10", "a11", "a12"]],
    ["2024-05-30T12:00:00Z", "next-x-months", "1", ["a09", "a10", "a11", "a12"]],
    [
      "2023-06-01T12:00:00Z",
      "next-year",
      undefined,
      ["a01", "a02", "a04", "a05", "a06", "a08", "a09", "a10", "a11", "a12"],
    ],
    ["2023-06-01T12:00:00Z", "next-x-years", "1", ["a01", "a02", "a03", "a04", "a05", "a06", "a08", "a09"]],
  ])("at %s: createdon %s %s", (at, operator, value, expected) => {
    expect(fetchIds(cond("createdon", operator, value), "", "account", { now: new Date(at) })).toEqual(
      expected,
    );
  });

  it("counts days in the user's time zone", () => {
    const plus2 = { now: new Date("2024-03-01T23:00:00Z"), timeZoneOffsetMinutes: 120 }; // 03-02 01:00 local
    expect(fetchIds(cond("createdon", "on", "2024-03-01"), "", "account", plus2)).toEqual(["a04"]);
    expect(fetchIds(cond("createdon", "today"), "", "account", plus2)).toEqual(["a05", "a06"]);
    expect(fetchIds(cond("createdon", "on", "2024-03-02"), "", "account", plus2)).toEqual(["a05", "a06"]);
    // Monday as first day of the week: this-week of 2024-06-03 is 06-03 … 06-09.
    const monday = { now: new Date("2024-06-03T12:00:00Z"), weekStartDay: 1 };
    expect(fetchIds(cond("createdon", "this-week"), "", "account", monday)).toEqual(["a11", "a12"]);
  });

  it("filters date-only columns by calendar day", () => {
    const c = (inner: string) => fetchIds(inner, "", "contact", { now: new Date("2024-06-03T12:00:00Z") });
    expect(c(cond("birthdate", "on", "1984-04-14"))).toEqual(["c04"]);
    expect(c(cond("birthdate", "null"))).toEqual(["c01", "c03", "c05", "c07"]);
    expect(c(cond("birthdate", "lt", "1985-01-01"))).toEqual(["c02", "c04"]);
  });

  it("compares with the current user (and teams)", () => {
    const teamId = "eeeeeeee-0000-4000-8000-000000000001";
    const owned = accounts.map((a, i) => ({
      ...a,
      _ownerid_value: i < 3 ? C01 : i < 5 ? teamId : contactId(2),
    }));
    const run = (operator: string) =>
      evaluateQuery(
        parseQueryOptions(
          metadata,
          "account",
          `fetchXml=<fetch><entity name='account'>${cond("ownerid", operator)}</entity></fetch>`,
        ),
        owned,
        resolveRelated,
        { userId: C01.toUpperCase(), userTeamIds: [teamId] },
      ).entities.map((e) => shortId(e.accountid));
    expect(run("eq-userid")).toEqual(["a01", "a02", "a03"]);
    expect(run("ne-userid")).toEqual(["a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12"]);
    expect(run("eq-useroruserteams")).toEqual(["a01", "a02", "a03", "a04", "a05"]);
  });
});

describe("FetchXML columns, link-entities and paging", () => {
  it("returns lookups as _x_value with annotations and leaves null columns out", () => {
    const r = fetchRows(
      `<attribute name='name'/><attribute name='revenue'/><attribute name='primarycontactid'/>${cond("accountid", "eq", accountId(7))}`,
    );
    expect(r.entities).toEqual([
      { "@odata.etag": 'W/"1007"', accountid: accountId(7), name: "Northwind Traders" },
    ]);
    const [a] = fetchRows(
      `<attribute name='primarycontactid'/>${cond("accountid", "eq", accountId(1))}`,
    ).entities;
    expect(a).toEqual({
      "@odata.etag": 'W/"1001"',
      accountid: accountId(1),
      _primarycontactid_value: C01,
      "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
      "_primarycontactid_value@OData.Community.Display.V1.FormattedValue": "Yvonne McKay",
    });
  });

  it("flattens link-entity columns as alias.column; outer links keep rows without a match", () => {
    const inner = `<attribute name='name'/><order attribute='name'/><link-entity name='contact' from='contactid' to='primarycontactid' alias='pc' link-type='outer'><attribute name='fullname'/><attribute name='parentcustomerid'/></link-entity>${cond("revenue", "le", "100000")}`;
    expect(fetchRows(inner).entities).toEqual([
      {
        "@odata.etag": 'W/"1010"',
        accountid: accountId(10),
        name: "alpine ski house",
        "pc.fullname": "Robert Lyon",
      },
      { "@odata.etag": 'W/"1004"', accountid: accountId(4), name: "Café Olé" },
      {
        "@odata.etag": 'W/"1005"',
        accountid: accountId(5),
        name: "sample account one",
        "pc.fullname": "Yvonne McKay",
        "pc.parentcustomerid": accountId(1),
        "pc.parentcustomerid@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
        "pc.parentcustomerid@OData.Community.Display.V1.FormattedValue": "x",
      },
      {
        "@odata.etag": 'W/"1006"',
        accountid: accountId(6),
        name: "Sample Account Two",
        "pc.fullname": "Maria Campbell",
        "pc.parentcustomerid": accountId(4),
        "pc.parentcustomerid@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
        "pc.parentcustomerid@OData.Community.Display.V1.FormattedValue": "x",
      },
      { "@odata.etag": 'W/"1011"', accountid: accountId(11), name: "Tailspin Toys" },
    ]);
  });

  it("names a link without alias like the server (table name + ordinal)", () => {
    const [a] = fetchRows(
      `<attribute name='name'/><link-entity name='contact' from='contactid' to='primarycontactid'><attribute name='fullname'/></link-entity>${cond("accountid", "eq", accountId(2))}`,
    ).entities;
    expect(a).toEqual({
      "@odata.etag": 'W/"1002"',
      accountid: accountId(2),
      name: "Fabrikam Inc",
      "contact1.fullname": "Susanna Stubberod",
    });
  });

  it("pages with count/page, and counts with returntotalrecordcount", () => {
    const order = "<attribute name='name'/><order attribute='name'/>";
    expect(fetchIds(order, " count='5' page='1'")).toEqual(["a03", "a10", "a09", "a04", "a01"]);
    expect(fetchIds(order, " count='5' page='3'")).toEqual(["a11", "a12"]);
    expect(fetchRows(order, " count='5' page='2'").moreRecords).toBe(true);
    expect(fetchRows(order, " count='5' page='3'").moreRecords).toBe(false);
    expect(fetchRows(order, " top='2' returntotalrecordcount='true'").count).toBe(12);
  });

  it("pages with maxPageSize through nextLink like OData", () => {
    const xml =
      "<fetch><entity name='account'><attribute name='name'/><order attribute='revenue' descending='true'/></entity></fetch>";
    let options: string | undefined = `?fetchXml=${encodeURIComponent(xml)}`;
    const seen: string[] = [];
    while (options) {
      const r = evaluateQuery(parseQueryOptions(metadata, "account", options), accounts, resolveRelated, {
        maxPageSize: 5,
      });
      seen.push(...r.entities.map((e) => shortId(e.accountid)));
      options = r.nextLink;
    }
    expect(seen).toEqual(odataIds("$orderby=revenue desc"));
  });

  it("reads XML entities in unencoded FetchXML (an '&amp;' does not split the options)", () => {
    const rows = [...accounts, { accountid: accountId(50), name: "A & B" }];
    const plan = parseQueryOptions(
      metadata,
      "account",
      "?fetchXml=<fetch><entity name='account'><filter><condition attribute='name' operator='eq' value='a &amp; b'/></filter></entity></fetch>",
    );
    expect(evaluateQuery(plan, rows, resolveRelated).entities.map((e) => e.name)).toEqual(["A & B"]);
  });
});
