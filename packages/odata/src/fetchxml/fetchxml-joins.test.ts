// FetchXML one-to-many link-entities (parent → children), evaluated locally like the server's join.
import { describe, expect, it } from "vitest";
import {
  accountId,
  accounts,
  metadata,
  resolveChildren,
  resolveRelated,
  shortId,
} from "../../test/query-fixture.ts";
import { type EvaluateOptions, evaluateQuery } from "../query/query-evaluate.ts";
import { parseQueryOptions } from "../query/query-options.ts";

function run(inner: string, attrs = "", options: EvaluateOptions = {}) {
  const plan = parseQueryOptions(
    metadata,
    "account",
    `?fetchXml=<fetch${attrs}><entity name='account'>${inner}</entity></fetch>`,
  );
  return evaluateQuery(plan, accounts, resolveRelated, { resolveChildren, ...options });
}
/** `a01:c01` per row: the account and its joined child (`-` for an outer row without one). */
function pairs(inner: string, childKey: string, attrs = "", options: EvaluateOptions = {}): string[] {
  return run(inner, attrs, options).entities.map(
    (e) => `${shortId(e.accountid)}:${e[childKey] === undefined ? "-" : String(e[childKey])}`,
  );
}

const CONTACTS = (linkType: string, body = "<attribute name='lastname'/>") =>
  `<attribute name='name'/><order attribute='name'/><link-entity name='contact' from='parentcustomerid' to='accountid' alias='c' link-type='${linkType}'>${body}</link-entity>`;

describe("one-to-many link-entity", () => {
  it("inner: one row per account and contact whose parentcustomerid is that account", () => {
    // c06's parentcustomerid points at contact c01, not at an account: no row for it.
    expect(pairs(CONTACTS("inner"), "c.lastname")).toEqual([
      "a03:Anderson",
      "a04:Campbell",
      "a01:McKay",
      "a02:Stubberod",
      "a05:Higa",
    ]);
  });

  it("a parent with several children comes back once per child, children in id order", () => {
    const rows = run(
      "<attribute name='name'/><link-entity name='account' from='parentaccountid' to='accountid' alias='child'><attribute name='name'/><attribute name='revenue'/></link-entity>",
    ).entities;
    expect(rows).toEqual([
      {
        "@odata.etag": 'W/"1001"',
        accountid: accountId(1),
        name: "Contoso Ltd",
        "child.name": "sample account one",
        "child.revenue": 100000,
        "child.revenue@OData.Community.Display.V1.FormattedValue": "$100,000",
      },
      {
        "@odata.etag": 'W/"1001"',
        accountid: accountId(1),
        name: "Contoso Ltd",
        "child.name": "Sample Account Two",
        "child.revenue": 100000,
        "child.revenue@OData.Community.Display.V1.FormattedValue": "$100,000",
      },
    ]);
  });

  it("outer: every account, once per contact or once without child columns", () => {
    const got = pairs(CONTACTS("outer"), "c.lastname");
    expect(got).toHaveLength(12);
    expect(got.filter((p) => !p.endsWith(":-"))).toEqual([
      "a03:Anderson",
      "a04:Campbell",
      "a01:McKay",
      "a02:Stubberod",
      "a05:Higa",
    ]);
  });

  it("filters inside the link-entity apply to the children", () => {
    const inner = CONTACTS(
      "inner",
      "<attribute name='lastname'/><filter type='or'><condition attribute='lastname' operator='eq' value='anderson'/><condition attribute='lastname' operator='begins-with' value='H'/></filter>",
    );
    expect(pairs(inner, "c.lastname")).toEqual(["a03:Anderson", "a05:Higa"]);
    // Outer: the filter narrows the children, the parents all stay.
    const outer = pairs(
      CONTACTS(
        "outer",
        "<attribute name='lastname'/><filter><condition attribute='lastname' operator='eq' value='Anderson'/></filter>",
      ),
      "c.lastname",
    );
    expect(outer).toHaveLength(12);
    expect(outer.filter((p) => !p.endsWith(":-"))).toEqual(["a03:Anderson"]);
  });

  it("outer + a null condition on the link (entityname) finds parents without children", () => {
    const inner = `${CONTACTS("outer")}<filter><condition entityname='c' attribute='contactid' operator='null'/></filter>`;
    expect(run(inner).entities.map((e) => shortId(e.accountid))).toEqual([
      "a10",
      "a09",
      "a07",
      "a08",
      "a06",
      "a11",
      "a12",
    ]);
  });

  it("conditions on the parent and on the children (entityname) combine per joined row", () => {
    const inner = `${CONTACTS("inner")}<filter><condition attribute='address1_city' operator='eq' value='Seattle'/><condition entityname='c' attribute='lastname' operator='ne' value='McKay'/></filter>`;
    expect(pairs(inner, "c.lastname")).toEqual(["a03:Anderson", "a05:Higa"]);
  });

  it("counts joined rows and pages through them without losing or repeating one", () => {
    const xml = CONTACTS("outer");
    const all = pairs(xml, "c.lastname");
    expect(run(xml, " returntotalrecordcount='true'").count).toBe(12);
    const seen: string[] = [];
    let skipToken: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = run(xml, "", { maxPageSize: 5, ...(skipToken ? { skipToken } : {}) });
      seen.push(...page.entities.map((e) => `${shortId(e.accountid)}:${String(e["c.lastname"] ?? "-")}`));
      skipToken = page.skipToken;
      if (!skipToken) break;
    }
    expect(seen).toEqual(all);
    // FetchXML count/page paging over joined rows.
    expect(pairs(xml, "c.lastname", " count='4' page='3'")).toEqual(all.slice(8, 12));
  });

  it("distinct: a link with no columns of its own filters without repeating its parent", () => {
    const link =
      "<attribute name='name'/><order attribute='name'/><link-entity name='account' from='parentaccountid' to='accountid' alias='child'><filter><condition attribute='revenue' operator='eq' value='100000'/></filter></link-entity>";
    expect(run(link).entities.map((e) => shortId(e.accountid))).toEqual(["a01", "a01"]);
    expect(run(link, " distinct='true'").entities.map((e) => shortId(e.accountid))).toEqual(["a01"]);
    // With the children's columns the rows differ, and both stay.
    const withColumns = link.replace("alias='child'>", "alias='child'><attribute name='name'/>");
    expect(run(withColumns, " distinct='true'").entities).toHaveLength(2);
  });

  it("gives no rows for an inner join when the store offers no children", () => {
    const plan = parseQueryOptions(
      metadata,
      "account",
      `?fetchXml=<fetch><entity name='account'>${CONTACTS("inner")}</entity></fetch>`,
    );
    expect(evaluateQuery(plan, accounts, resolveRelated).entities).toEqual([]);
  });
});
