// The index planner against the scan: for random tables and random queries of the forms the
// planner serves (and some it must leave to the scan), every page — rows, order, nextLink,
// count, moreRecords — equals what evaluateQuery returns over every live row of the table.
// Names include text the index keys can't order (kept apart as "odd" rows), ordered walks by
// name, and `or`s whose branches are each index-answerable (or not).
import { evaluateQuery, parseQueryOptions, type QueryResult } from "@xrm-offline/odata";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retrieveLocalRecords } from "./local-query.ts";
import { metadata, openTestStore, remove } from "./testing/test-store.ts";

const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const parents = [ids[1]!, ids[2]!, ids[3]!];
/** Names whose text keys order as the collator does, and awkward ones kept apart (ß, æ, other scripts, symbols, marks). */
const names = [
  "Ab",
  "ab",
  "Äb",
  "abc",
  "ABD",
  "b",
  "Straße",
  "strasse",
  "",
  "10",
  "Zz",
  "äbc",
  "a-b",
  "a b",
  "O'Brien",
  "(sample) Ab",
  "Æther",
  "aether",
  "Øst",
  "ost",
  "Жук",
  "中文",
  "ab\u00adc",
  "a\u0363b",
  "Ａb",
  "a–b",
  "~z",
  "Zz 2",
];
const dates = [
  "2024-01-01T00:00:00Z",
  "2024-01-02T00:00:00Z",
  "2024-01-02T12:00:00Z",
  "2024-01-05T00:00:00Z",
];

const rowArb = fc.record({
  name: fc.option(fc.constantFrom(...names), { nil: null }),
  statecode: fc.option(fc.constantFrom(0, 1), { nil: null }),
  modifiedon: fc.option(fc.constantFrom(...dates), { nil: null }),
  parent: fc.option(fc.constantFrom(...parents), { nil: null }),
  revenue: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  deleted: fc.boolean().map((b) => b && Math.random() < 0.2),
});
const tableArb = fc
  .uniqueArray(fc.integer({ min: 0, max: ids.length - 1 }), { maxLength: 30 })
  .chain((idx) =>
    fc.tuple(fc.constant(idx), fc.array(rowArb, { minLength: idx.length, maxLength: idx.length })),
  );

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const conjunctArb = fc.oneof(
  fc
    .tuple(fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), fc.constantFrom("0", "1", "null"))
    .map(([op, v]) => `statecode ${op} ${v}`),
  fc
    .tuple(fc.constantFrom("eq", "gt", "ge", "lt", "le"), fc.constantFrom(...dates, "null"))
    .map(([op, v]) => `modifiedon ${op} ${v}`),
  fc.constantFrom(...parents, "null").map((v) => `_parentaccountid_value eq ${v}`),
  fc
    .constantFrom("", "a", "AB", "äb", "str", "stra", "straß", "1", "z", "a-", "a b", "æ", "ж", "(", "Ａ")
    .map((p) => `startswith(name,${quote(p)})`),
  fc.constantFrom(...names).map((n) => `name eq ${quote(n)}`),
  fc.integer({ min: 0, max: 5 }).map((n) => `revenue gt ${n}`),
  fc
    .tuple(fc.constantFrom("eq", "gt", "lt"), fc.constantFrom(...ids.slice(0, 12)))
    .map(([op, id]) => `accountid ${op} ${id}`),
  fc.constantFrom(...dates).map((d) => `(modifiedon eq ${d} or statecode eq 1)`),
);
/** Branches of an `or`: index-answerable ones (leaves, `and`s) and a few that are not. */
const branchArb = fc.oneof(
  { arbitrary: conjunctArb, weight: 4 },
  { arbitrary: fc.tuple(conjunctArb, conjunctArb).map(([a, b]) => `(${a} and ${b})`), weight: 1 },
  { arbitrary: fc.constantFrom("revenue eq 3", "contains(name,'b')", "name ne 'ab'"), weight: 1 },
);
/** A filter: conjuncts, or a top-level `or` of branches. */
const filterArb = fc.oneof(
  { arbitrary: fc.array(conjunctArb, { maxLength: 3 }).map((c) => c.join(" and ")), weight: 3 },
  {
    arbitrary: fc.array(branchArb, { minLength: 2, maxLength: 3 }).map((b) => b.join(" or ")),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(conjunctArb, fc.array(branchArb, { minLength: 2, maxLength: 3 }))
      .map(([c, b]) => `${c} and (${b.join(" or ")})`),
    weight: 1,
  },
);
const orderArb = fc.constantFrom(
  undefined,
  "modifiedon",
  "modifiedon desc",
  "statecode desc",
  "statecode,modifiedon desc",
  "name",
  "name desc",
  "name,modifiedon desc",
  "name desc,accountid",
  "revenue desc",
  "accountid desc",
  "_parentaccountid_value",
);
const fetchArb = fc
  .record({
    parents: fc.subarray(parents, { minLength: 1 }),
    order: fc.constantFrom(
      "",
      '<order attribute="modifiedon" descending="true"/>',
      '<order attribute="statecode"/>',
    ),
    count: fc.integer({ min: 1, max: 4 }),
    page: fc.integer({ min: 1, max: 4 }),
  })
  .map(
    (f) =>
      `?fetchXml=${encodeURIComponent(
        `<fetch count="${f.count}" page="${f.page}"><entity name="account"><attribute name="name"/>${f.order}` +
          `<filter><condition attribute="parentaccountid" operator="in">${f.parents.map((p) => `<value>${p}</value>`).join("")}</condition></filter></entity></fetch>`,
      )}`,
  );

const queryArb = fc.record({
  filter: filterArb,
  orderby: orderArb,
  top: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
  count: fc.boolean().map((b) => b && Math.random() < 0.3),
  pageSize: fc.integer({ min: 1, max: 7 }),
  // Tiny batches reach every path of the planner with a table of 30 rows.
  narrowLimit: fc.constantFrom(0, 2, 5, 2000),
  firstChunk: fc.constantFrom(1, 2, 3, 64),
  walkFirstFactor: fc.constantFrom(0, 1, 4),
  keyedLimit: fc.constantFrom(0, 3, 20_000),
  // One query in six is FetchXML (`freq` of fc.option is the odds of nil, not of a value).
  fetch: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: fetchArb, weight: 1 }),
});

type Query = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

function optionsOf(q: Query) {
  if (q.fetch) return q.fetch;
  const parts = ["$select=name,statecode,modifiedon,_parentaccountid_value,revenue"];
  if (q.filter) parts.push(`$filter=${encodeURIComponent(q.filter)}`);
  if (q.orderby) parts.push(`$orderby=${q.orderby}`);
  if (q.top !== undefined) parts.push(`$top=${q.top}`);
  if (q.count) parts.push("$count=true");
  return `?${parts.join("&")}`;
}

describe("index planner", () => {
  it("returns exactly what the scan returns, page by page", async () => {
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        fc.array(queryArb, { minLength: 1, maxLength: 4 }),
        async ([idx, rows], queries) => {
          const { store } = await openTestStore();
          try {
            await store.applyServerRows(
              "account",
              idx.map((i, k) => {
                const r = rows[k]!;
                return {
                  accountid: ids[i],
                  name: r.name,
                  statecode: r.statecode,
                  modifiedon: r.modifiedon,
                  _parentaccountid_value: r.parent,
                  revenue: r.revenue,
                };
              }),
            );
            for (const [k, i] of idx.entries())
              if (rows[k]!.deleted) await store.write(remove("account", ids[i]!));
            const all = await store.queryRows("account");
            for (const q of queries) {
              let options: string | undefined = optionsOf(q);
              for (let page = 0; options !== undefined && page < 40; page++) {
                const plan = parseQueryOptions(metadata, "account", options);
                const scanned = evaluateQuery(plan, all, undefined, { maxPageSize: q.pageSize });
                const tuning = {
                  narrowLimit: q.narrowLimit,
                  firstChunk: q.firstChunk,
                  walkFirstFactor: q.walkFirstFactor,
                  keyedLimit: q.keyedLimit,
                };
                const candidates = await store.queryCandidates(plan, { maxPageSize: q.pageSize, tuning });
                expect(
                  evaluateQuery(plan, candidates, undefined, { maxPageSize: q.pageSize }),
                  options,
                ).toEqual(scanned);
                // Nothing read whole and no walk of rows first: every narrowing goes to the
                // keys-only walk (plan-rows.ts) when the query walks an indexed column.
                const keyed = await store.queryCandidates(plan, {
                  maxPageSize: q.pageSize,
                  tuning: {
                    narrowLimit: 0,
                    walkFirstFactor: 0,
                    firstChunk: q.firstChunk,
                    keyedLimit: 20_000,
                  },
                });
                expect(evaluateQuery(plan, keyed, undefined, { maxPageSize: q.pageSize }), options).toEqual(
                  scanned,
                );
                // The read the API makes (default batch sizes) agrees too.
                const planned: QueryResult = await retrieveLocalRecords(
                  store,
                  "account",
                  options,
                  q.pageSize,
                );
                expect(planned, options).toEqual(scanned);
                options = scanned.nextLink;
              }
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: Number(process.env.PLANNER_RUNS ?? 60) },
    );
  }, 120_000);
});
