import { describe, expect, it } from "vitest";
import { accountId, accounts, metadata, resolveRelated, shortId } from "../../test/query-fixture.ts";
import type { XrmError } from "../errors/xrm-error.ts";
import type { Row } from "./filter-compile.ts";
import { evaluateQuery } from "./query-evaluate.ts";
import { parseQueryOptions } from "./query-options.ts";

/** Reads every page the way an Xrm caller does: the nextLink's query part is the next options. */
function readAll(options: string, maxPageSize: number, rows: () => Row[] = () => accounts) {
  const pages: string[][] = [];
  let next: string | undefined = options;
  while (next !== undefined) {
    const plan = parseQueryOptions(metadata, "account", next);
    const r = evaluateQuery(plan, rows(), resolveRelated, { maxPageSize });
    pages.push(r.entities.map((e) => shortId(e.accountid)));
    next = r.nextLink;
    if (pages.length > 50) throw new Error("paging does not end");
  }
  return pages;
}

describe("paging by skip token", () => {
  it("returns every row exactly once, in order, 3 per page", () => {
    const all = evaluateQuery(
      parseQueryOptions(metadata, "account", "?$orderby=revenue desc,name"),
      accounts,
      resolveRelated,
    );
    const pages = readAll("?$orderby=revenue desc,name", 3);
    expect(pages).toEqual([
      ["a09", "a03", "a12"],
      ["a01", "a08", "a02"],
      ["a05", "a06", "a11"],
      ["a04", "a10", "a07"],
    ]);
    expect(pages.flat()).toEqual(all.entities.map((e) => shortId(e.accountid)));
  });

  it("pages through ties and nulls (sort key + primary key cursor)", () => {
    for (const options of [
      "$orderby=address1_city",
      "$orderby=donotemail desc",
      "$filter=revenue ge 100000",
      "",
    ]) {
      const full = evaluateQuery(parseQueryOptions(metadata, "account", options), accounts, resolveRelated);
      for (const size of [1, 2, 3, 5, 12, 13]) {
        const flat = readAll(options, size).flat();
        expect(flat).toEqual(full.entities.map((e) => shortId(e.accountid)));
        expect(new Set(flat).size).toBe(flat.length);
      }
    }
  });

  it("stops at $top across pages", () => {
    expect(readAll("$orderby=name&$top=5", 2)).toEqual([["a03", "a10"], ["a09", "a04"], ["a01"]]);
    expect(readAll("$orderby=name&$top=4", 2)).toEqual([
      ["a03", "a10"],
      ["a09", "a04"],
    ]);
  });

  it("stays consistent when rows change between pages", () => {
    let rows = [...accounts];
    const pages: string[][] = [];
    let next: string | undefined = "$select=name&$orderby=name";
    while (next !== undefined) {
      const r = evaluateQuery(parseQueryOptions(metadata, "account", next), rows, resolveRelated, {
        maxPageSize: 4,
      });
      pages.push(r.entities.map((e) => String(e.name)));
      next = r.nextLink;
      if (pages.length === 1) {
        // After page 1: remove a row already returned and one not yet returned, add one before the
        // cursor and one after it.
        rows = rows.filter((a) => a.name !== "Adventure Works" && a.name !== "Northwind Traders");
        rows.push({ accountid: accountId(90), name: "Aardvark" }, { accountid: accountId(91), name: "Zeta" });
      }
    }
    expect(pages).toEqual([
      ["Adventure Works", "alpine ski house", "Blue Yonder Airlines", "Café Olé"],
      ["Contoso Ltd", "Fabrikam Inc", "O'Reilly Media", "sample account one"],
      ["Sample Account Two", "Tailspin Toys", "Wide World Importers", "Zeta"],
    ]);
  });

  it("puts the options and the token in nextLink, after nextLinkBase", () => {
    const plan = parseQueryOptions(
      metadata,
      "account",
      "?$select=name&$filter=revenue gt 100000&$orderby=name",
    );
    const r = evaluateQuery(plan, accounts, resolveRelated, {
      maxPageSize: 2,
      nextLinkBase: "https://org.crm.dynamics.com/api/data/v9.2/accounts",
    });
    expect(r.moreRecords).toBe(true);
    expect(r.nextLink).toBe(
      `https://org.crm.dynamics.com/api/data/v9.2/accounts?$select=name&$filter=revenue%20gt%20100000&$orderby=name&$skiptoken=${r.skipToken}`,
    );
    const query = r.nextLink!.slice(r.nextLink!.indexOf("?"));
    const page2 = evaluateQuery(parseQueryOptions(metadata, "account", query), accounts, resolveRelated, {
      maxPageSize: 2,
    });
    expect(page2.entities.map((e) => e.name)).toEqual(["Contoso Ltd", "Fabrikam Inc"]);
  });

  it("has no nextLink when everything fits, and caps the page size at 5000", () => {
    const r = evaluateQuery(parseQueryOptions(metadata, "account", ""), accounts, resolveRelated, {
      maxPageSize: 100_000,
    });
    expect(r.entities).toHaveLength(12);
    expect(r.nextLink).toBeUndefined();
    expect(r.moreRecords).toBe(false);
  });

  it("rejects a token from another query, a tampered one, or garbage (0x0)", () => {
    const first = evaluateQuery(
      parseQueryOptions(metadata, "account", "$orderby=name"),
      accounts,
      resolveRelated,
      {
        maxPageSize: 2,
      },
    );
    const token = first.skipToken!;
    const other = parseQueryOptions(metadata, "account", `$orderby=revenue&$skiptoken=${token}`);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as XrmError).code;
      }
      return "no error";
    };
    expect(codeOf(() => evaluateQuery(other, accounts, resolveRelated))).toBe("0x00000000");
    const plan = parseQueryOptions(metadata, "account", "$orderby=name");
    for (const bad of ["x", "!!!", `${token}x`, token.slice(0, -3), btoa("[1]"), "a".repeat(9000)]) {
      expect(codeOf(() => evaluateQuery(plan, accounts, resolveRelated, { skipToken: bad }))).toBe(
        "0x00000000",
      );
    }
    expect(codeOf(() => evaluateQuery(plan, accounts, resolveRelated, { maxPageSize: 0 }))).toBe(
      "0x80040203",
    );
    expect(codeOf(() => evaluateQuery(plan, accounts, resolveRelated, { maxPageSize: 2.5 }))).toBe(
      "0x80040203",
    );
  });
});
