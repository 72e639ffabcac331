import { describe, expect, it } from "vitest";
import {
  accountId,
  accounts,
  contactId,
  metadata,
  resolveRelated,
  shortId,
} from "../../test/query-fixture.ts";
import { evaluateQuery, projectRecord } from "./query-evaluate.ts";
import { parseQueryOptions } from "./query-options.ts";
import { relatedPathsOf } from "./query-related-paths.ts";

const parse = (options: string, entity = "account") => parseQueryOptions(metadata, entity, options);
const C01 = contactId(1);

describe("parseQueryOptions: the documented example", () => {
  it("parses $select, $filter, $orderby, $top and $expand into a QueryPlan", () => {
    const plan = parse(
      "?$select=name,revenue&$filter=revenue gt 100000 and contains(name,'sample')&$orderby=name desc&$top=3&$expand=primarycontactid($select=fullname,emailaddress1)",
    );
    expect(plan).toEqual({
      entity: "account",
      primaryKey: "accountid",
      source: "odata",
      select: ["name", "revenue"],
      filter: {
        kind: "and",
        children: [
          {
            kind: "compare",
            op: "gt",
            column: { property: "revenue", type: "number" },
            value: { type: "number", value: 100000 },
          },
          { kind: "function", fn: "contains", column: { property: "name", type: "string" }, value: "sample" },
        ],
      },
      orderBy: [{ property: "name", type: "string", descending: true }],
      top: 3,
      expand: [
        {
          navigation: "primarycontactid",
          lookupProperty: "_primarycontactid_value",
          targetEntity: "contact",
          targets: ["contact"],
          targetPrimaryKeys: { contact: "contactid" },
          select: ["fullname", "emailaddress1"],
          shape: "nested",
          required: false,
        },
      ],
      count: false,
      options:
        "$select=name,revenue&$filter=revenue%20gt%20100000%20and%20contains(name,'sample')&$orderby=name%20desc&$top=3&$expand=primarycontactid($select=fullname,emailaddress1)",
      fingerprint: plan.fingerprint,
    });
    expect(plan.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  it("reads the options the same with or without '?', percent-encoded, or form-encoded", () => {
    const raw = "$select=name&$filter=name eq 'O''Reilly Media' or contains(name,'50%')&$orderby=name desc";
    const plain = parse(raw);
    const encoded = `?${raw
      .split("&")
      .map((p) => {
        const [k, v] = p.split(/=(.*)/s);
        return `${k}=${encodeURIComponent(v!)}`;
      })
      .join("&")}`;
    expect(parse(`?${raw}`)).toEqual(plain);
    expect(parse(encoded).filter).toEqual(plain.filter);
    // Form encoding ('+' for a space) works outside literals; inside '…' a '+' is a plus sign.
    const spaced = "$filter=revenue gt 100000 and contains(name,'a+b')&$orderby=name desc";
    const { options: _a, ...fromForm } = parse(spaced.replace(/ /g, "+"));
    const { options: _b, ...fromSpaced } = parse(spaced);
    expect(fromForm).toEqual(fromSpaced);
    expect(parse(encoded).orderBy).toEqual(plain.orderBy);
    // '50%' unencoded stays 50%; a '+' inside a date offset stays part of the date.
    expect(JSON.stringify(plain.filter)).toContain('"value":"50%"');
    expect(parse("$filter=createdon gt 2024-03-02T10:00:00+02:00").filter).toMatchObject({
      value: { type: "datetime", value: "2024-03-02T10:00:00+02:00" },
    });
    // An unencoded '&' inside a string literal does not split the options.
    expect(parse("$filter=name eq 'A&B'&$top=1")).toMatchObject({
      filter: { value: { value: "A&B" } },
      top: 1,
    });
  });

  it("accepts an empty options string", () => {
    for (const o of ["", "?", undefined]) {
      const plan = parseQueryOptions(metadata, "account", o);
      expect(plan).toMatchObject({ select: "all", orderBy: [], expand: [], count: false, options: "" });
      expect(plan.filter).toBeUndefined();
    }
  });

  it("maps lookup names (navigation, lookup attribute, _x_value) to the _x_value column", () => {
    for (const name of ["primarycontactid", "_primarycontactid_value"]) {
      expect(parse(`$select=${name}`).select).toEqual(["_primarycontactid_value"]);
      expect(parse(`$orderby=${name}`).orderBy).toEqual([
        { property: "_primarycontactid_value", type: "guid", descending: false },
      ]);
    }
    for (const f of [
      `primarycontactid eq ${C01}`,
      `_primarycontactid_value eq ${C01}`,
      `primarycontactid/contactid eq ${C01}`,
    ]) {
      expect(parse(`$filter=${f}`).filter).toEqual({
        kind: "compare",
        op: "eq",
        column: { property: "_primarycontactid_value", type: "guid" },
        value: { type: "guid", value: C01 },
      });
    }
    expect(parse("$filter=parentcustomerid_account eq null", "contact").filter).toEqual({
      kind: "compare",
      op: "eq",
      column: { property: "_parentcustomerid_value", type: "guid", lookupTarget: "account" },
      value: { type: "null", value: null },
    });
    expect(parse("$select=ownerid,parentcustomerid", "contact").select).toEqual([
      "_ownerid_value",
      "_parentcustomerid_value",
    ]);
  });

  it("accepts $count, $select=* and option names in any case", () => {
    expect(parse("$count=true&$select=*")).toMatchObject({ count: true, select: "all" });
    expect(parse("$count=false").count).toBe(false);
    expect(parse("$SELECT=name&$OrderBy=name").select).toEqual(["name"]);
  });
});

describe("QueryPlan.indexHint", () => {
  it.each([
    [
      `$filter=accountid eq ${accountId(3)}`,
      { property: "accountid", value: accountId(3), caseInsensitive: false },
    ],
    [
      `$filter=name eq 'x' and primarycontactid eq ${C01} and revenue gt 5`,
      { property: "_primarycontactid_value", value: C01, caseInsensitive: false },
    ],
    [
      `$filter=statecode eq 0 and name eq 'Contoso Ltd' and accountid eq ${accountId(1)}`,
      { property: "accountid", value: accountId(1), caseInsensitive: false },
    ],
    ["$filter=name eq 'Contoso Ltd'", { property: "name", value: "Contoso Ltd", caseInsensitive: true }],
    ["$filter=statecode eq 1", { property: "statecode", value: 1, caseInsensitive: false }],
  ])("%s", (options, hint) => {
    expect(parse(options).indexHint).toEqual(hint);
  });

  it.each([
    "$filter=name eq 'a' or accountid eq aaaaaaaa-0000-4000-8000-000000000001",
    "$filter=not (statecode eq 0)",
    "$filter=revenue gt 5",
    "$filter=primarycontactid eq null",
    "$filter=createdon eq 2024-01-01",
    "$filter=primarycontactid/fullname eq 'x'",
    "",
  ])("none for %s", (options) => {
    expect(parse(options).indexHint).toBeUndefined();
  });

  it("narrowing by the hint and then filtering gives the same rows", () => {
    const plan = parse(`$filter=primarycontactid eq ${C01} and revenue gt 0`);
    const hint = plan.indexHint!;
    const narrowed = accounts.filter((a) => a[hint.property] === hint.value);
    const ids = (rows: typeof accounts) =>
      evaluateQuery(plan, rows, resolveRelated).entities.map((e) => shortId(e.accountid));
    expect(ids(narrowed)).toEqual(ids(accounts));
    expect(ids(narrowed)).toEqual(["a01", "a05"]);
  });
});

describe("relatedPathsOf", () => {
  it("lists the lookups an async store must preload", () => {
    const plan = parse(
      "$filter=primarycontactid/fullname eq 'x' or parentaccountid/name eq 'y'&$expand=primarycontactid($select=fullname)",
    );
    expect(relatedPathsOf(plan)).toEqual([
      {
        navigation: "primarycontactid",
        lookupProperty: "_primarycontactid_value",
        targetEntity: "contact",
        targets: ["contact"],
      },
      {
        navigation: "parentaccountid",
        lookupProperty: "_parentaccountid_value",
        targetEntity: "account",
        targets: ["account"],
      },
    ]);
    expect(relatedPathsOf(parse("$filter=name eq 'x'"))).toEqual([]);
  });
});

describe("retrieveRecord (target: record)", () => {
  it("shapes one row with $select and $expand", () => {
    const plan = parseQueryOptions(
      metadata,
      "account",
      "?$select=name&$expand=primarycontactid($select=contactid,fullname)",
      {
        target: "record",
      },
    );
    expect(projectRecord(plan, accounts[0]!, resolveRelated)).toEqual({
      "@odata.etag": 'W/"1001"',
      accountid: accountId(1),
      name: "Contoso Ltd",
      primarycontactid: { "@odata.etag": 'W/"2001"', contactid: C01, fullname: "Yvonne McKay" },
    });
  });
});
