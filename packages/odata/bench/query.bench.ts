// Local reads: parse + evaluate queries over 10,000 in-memory account rows (no I/O).
import { report } from "../../../scripts/bench-report.ts";
import type { Row } from "../src/query/filter-compile.ts";
import { loadFetchXmlReader } from "../src/query/plan-query.ts";
import { evaluateQuery } from "../src/query/query-evaluate.ts";
import { parseQueryOptions } from "../src/query/query-options.ts";
import { contactId, contacts, metadata, resolveRelated } from "../test/query-fixture.ts";

// FetchXML is read by a reader loaded on first use (planQuery); load it up front for the timed loop.
await loadFetchXmlReader();

const N = 10_000;
const CITIES = ["Seattle", "Redmond", "Paris", "London", "Denver", null];
const WORDS = [
  "Contoso",
  "Fabrikam",
  "Sample",
  "Northwind",
  "Adventure",
  "Café",
  "Blue",
  "Alpine",
  "Tailspin",
];
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const rows: Row[] = Array.from({ length: N }, (_, i) => {
  const c = 1 + Math.floor(rand() * 8);
  return {
    "@odata.etag": `W/"${i}"`,
    accountid: `bbbbbbbb-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i}`,
    revenue: i % 17 === 0 ? null : Math.round(rand() * 2_000_000) / 100,
    numberofemployees: Math.floor(rand() * 5000),
    address1_city: CITIES[i % CITIES.length],
    createdon: new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 1500) * 86_400_000).toISOString(),
    _primarycontactid_value: contactId(c),
    "_primarycontactid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
  };
});

function time(label: string, runs: number, f: () => unknown, note?: string): void {
  f(); // warm-up
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  report({
    suite: "odata query",
    name: label,
    value: times[Math.floor(runs / 2)]!,
    unit: "ms",
    ...(note ? { note } : {}),
  });
}

const ODATA =
  "?$select=name,revenue&$filter=revenue gt 1000 and contains(name,'sample')&$orderby=name desc&$top=3&$expand=primarycontactid($select=fullname)";
const FETCH = `?fetchXml=<fetch top='3'><entity name='account'><attribute name='name'/><attribute name='revenue'/><order attribute='name' descending='true'/><filter><condition attribute='revenue' operator='gt' value='1000'/><condition attribute='name' operator='like' value='%sample%'/></filter></entity></fetch>`;

const first = evaluateQuery(parseQueryOptions(metadata, "account", ODATA), rows, resolveRelated);
if (first.entities.length !== 3 || contacts.length !== 8)
  throw new Error("bench query returned an unexpected result");

time(`parse + evaluate filter (gt, contains) + orderby + top 3 + expand, ${N} rows (median of 30)`, 30, () =>
  evaluateQuery(parseQueryOptions(metadata, "account", ODATA), rows, resolveRelated),
);
time(`same query as FetchXML, ${N} rows (median of 30)`, 30, () =>
  evaluateQuery(parseQueryOptions(metadata, "account", FETCH), rows, resolveRelated),
);
time(`parse only (OData options above, median of 200)`, 200, () =>
  parseQueryOptions(metadata, "account", ODATA),
);
time(`filter eq on city + orderby createdon, all ${N} rows scanned, page of 50 (median of 30)`, 30, () =>
  evaluateQuery(
    parseQueryOptions(metadata, "account", "$filter=address1_city eq 'seattle'&$orderby=createdon desc"),
    rows,
    resolveRelated,
    { maxPageSize: 50 },
  ),
);
time(
  `read all ${N} rows in pages of 500 via nextLink, orderby revenue (median of 5)`,
  5,
  () => {
    let options: string | undefined = "$select=name,revenue&$orderby=revenue desc";
    let n = 0;
    while (options) {
      const r = evaluateQuery(parseQueryOptions(metadata, "account", options), rows, resolveRelated, {
        maxPageSize: 500,
      });
      n += r.entities.length;
      options = r.nextLink;
    }
    if (n !== N) throw new Error(`paging returned ${n} rows`);
  },
  "20 pages, each re-filters and re-sorts",
);

/** Inputs built to be slow to refuse (long literals, deep nesting, long runs of spaces, many pieces). */
const HOSTILE = [
  `$filter=name eq '${"x".repeat(40_000)}'`,
  `$filter=${"(".repeat(100)}name eq 'a'${")".repeat(100)}`,
  `$filter=${"not ".repeat(100)}donotemail`,
  `$filter=${Array.from({ length: 2100 }, () => "donotemail").join(" or ")}`,
  `$select=name,${" ".repeat(30_000)}x`,
  `$orderby=name ${" ".repeat(30_000)}sideways`,
  "&a".repeat(16_000),
];
time(
  `hostile input: ${HOSTILE.length} huge or deeply nested option strings refused (median of 20)`,
  20,
  () => {
    for (const options of HOSTILE) {
      try {
        parseQueryOptions(metadata, "account", options);
      } catch {
        continue; // refused, as it must be
      }
      throw new Error(`accepted: ${options.slice(0, 40)}`);
    }
  },
  "all of them together; query-errors.test.ts checks their codes (its 1 s limit moved here)",
);
