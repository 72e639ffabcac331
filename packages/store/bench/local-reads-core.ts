/**
 * The local-read benchmark body: selective queries and keyset paging over one large table, each
 * next to its floor measured in the same run. Runs wherever there is an IDBFactory: Node with
 * fake-indexeddb (local-reads.bench.ts) or headless Chromium (apps/harness/bench). No Node APIs.
 *
 * Floors:
 * - a selective query is compared with a full scan of the same table answering the same query
 *   (every row read, then the evaluator: what every read cost before the index planner);
 * - paging through every row is compared with one read of the whole table (`getAll`).
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { evaluateQuery, parseQueryOptions } from "@xrm-offline/odata";
import { OfflineStore, retrieveLocalRecords } from "../src/index.ts";

export interface ReadsBenchEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  readonly rows: number;
  /** Timed runs of each selective query (p50 over them); the scan floor gets fewer. */
  readonly runs: number;
  readonly scanRuns: number;
  readonly log?: (line: string) => void;
}

export interface ReadsFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

const FIRST = [
  "Ana",
  "Ben",
  "Cara",
  "Dan",
  "Eva",
  "Finn",
  "Gia",
  "Hugo",
  "Ida",
  "Jon",
  "Kai",
  "Lea",
  "Max",
  "Nora",
];
const LAST = [
  "Adler",
  "Bauer",
  "Costa",
  "Dubois",
  "Evans",
  "Fischer",
  "García",
  "Horvat",
  "Ivanov",
  "Jensen",
];

/** A deterministic pseudo-random sequence (mulberry32), so every run reads the same table. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const guid = (n: number, prefix: string) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

function contactRows(count: number, accounts: number): Record<string, unknown>[] {
  const rnd = random(16);
  const start = Date.UTC(2023, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[Math.floor(rnd() * FIRST.length)]!;
    const last = LAST[Math.floor(rnd() * LAST.length)]!;
    const parent = Math.floor(rnd() * accounts);
    return {
      contactid: guid(i, "c0000000"),
      fullname: `${first} ${last} ${i}`,
      firstname: first,
      lastname: `${last} ${i}`,
      emailaddress1: `${first.toLowerCase()}.${i}@example.com`,
      telephone1: `+1 555 ${String(i).padStart(7, "0")}`,
      statecode: rnd() < 0.7 ? 0 : 1,
      statuscode: 1,
      modifiedon: new Date(start + Math.floor(rnd() * 365 * 86_400_000))
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
      "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account",
      _parentcustomerid_value: guid(parent, "a0000000"),
    };
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runReadsBench(env: ReadsBenchEnvironment): Promise<ReadsFigure[]> {
  const log = env.log ?? (() => {});
  const metadata = bundledMetadata();
  const store = await OfflineStore.open({
    name: `reads-bench-${Date.now()}`,
    metadata,
    indexedDB: env.indexedDB,
    IDBKeyRange: env.IDBKeyRange,
    // As the field-service app: contact pickers search the last name too.
    indexColumns: { contact: ["lastname"] },
  });
  const figures: ReadsFigure[] = [];
  const accounts = Math.max(1, Math.floor(env.rows / 20));
  const rows = contactRows(env.rows, accounts);
  let t = performance.now();
  for (let i = 0; i < rows.length; i += 2000) {
    await store.applyServerRows("contact", rows.slice(i, i + 2000));
  }
  log(`seeded ${env.rows} contacts in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const n = env.rows.toLocaleString("en");

  const picker = (typed: string) =>
    `?$select=fullname&$filter=startswith(fullname,'${typed}') or startswith(lastname,'${typed}')&$orderby=fullname&$top=20`;
  const queries: { name: string; options: (k: number) => string }[] = [
    {
      name: "startswith(fullname,…) $top 20",
      options: (k) =>
        `?$select=fullname&$filter=startswith(fullname,'${FIRST[k % FIRST.length]} ${LAST[(k * 7) % LAST.length]!.slice(0, 3)}')&$top=20`,
    },
    {
      name: "_parentcustomerid_value eq …",
      options: (k) =>
        `?$select=fullname&$filter=_parentcustomerid_value eq ${guid((k * 7919) % accounts, "a0000000")}`,
    },
    {
      name: "statecode eq 0 $orderby modifiedon desc $top 50",
      options: () => "?$select=fullname,modifiedon&$filter=statecode eq 0&$orderby=modifiedon desc&$top=50",
    },
    {
      // A list by name (the field-service work list and an empty picker), from its start.
      name: "$orderby fullname $top 50",
      options: () => "?$select=fullname&$orderby=fullname&$top=50",
    },
    {
      // The contact picker (one query in name order), typed a first name: the full names match.
      name: "startswith(fullname) or startswith(lastname) $orderby fullname $top 20, a first name typed",
      options: (k) => picker(FIRST[k % FIRST.length]!),
    },
    {
      // …typed a last name's start: only last names match (1 row in 10, not in full-name order).
      name: "startswith(fullname) or startswith(lastname) $orderby fullname $top 20, a last name typed",
      options: (k) => picker(LAST[k % LAST.length]!.slice(0, 3)),
    },
  ];
  for (const q of queries) {
    // Warm-up, then timed runs; each run checks the index plan against the scan once.
    await retrieveLocalRecords(store, "contact", q.options(0));
    const times: number[] = [];
    for (let k = 0; k < env.runs; k++) {
      t = performance.now();
      await retrieveLocalRecords(store, "contact", q.options(k));
      times.push(performance.now() - t);
    }
    const scans: number[] = [];
    for (let k = 0; k < env.scanRuns; k++) {
      t = performance.now();
      const all = await store.queryRows("contact");
      const scanned = evaluateQuery(parseQueryOptions(metadata, "contact", q.options(k)), all, undefined);
      scans.push(performance.now() - t);
      const planned = await retrieveLocalRecords(store, "contact", q.options(k));
      if (JSON.stringify(planned) !== JSON.stringify(scanned))
        throw new Error(`${q.name}: index plan ≠ scan`);
    }
    const p50 = median(times);
    const scan = median(scans);
    figures.push({
      name: `${q.name}, ${n} rows: p50`,
      value: p50,
      unit: "ms",
      note: `target ≤ 20 ms; ${env.runs} runs`,
    });
    figures.push({
      name: `${q.name}: full scan of the same table (floor)`,
      value: scan,
      unit: "ms",
      note: `p50 of ${env.scanRuns}; every row read, then the evaluator`,
    });
    figures.push({
      name: `${q.name}: speed-up over the scan`,
      value: scan / p50,
      unit: "×",
      note: "target ≥ 20×",
    });
  }

  // Paging through every row, 500 per page, against one read of the whole table.
  t = performance.now();
  const all = await store.queryRows("contact");
  const fullRead = performance.now() - t;
  if (all.length !== env.rows) throw new Error(`read ${all.length} rows, expected ${env.rows}`);
  t = performance.now();
  let options: string | undefined = "?$select=fullname";
  let seen = 0;
  let pages = 0;
  while (options !== undefined) {
    const page = await retrieveLocalRecords(store, "contact", options, 500);
    seen += page.entities.length;
    pages++;
    options = page.nextLink;
  }
  const paging = performance.now() - t;
  if (seen !== env.rows) throw new Error(`paged ${seen} rows, expected ${env.rows}`);
  figures.push({
    name: `page through ${n} rows, 500 per page`,
    value: paging,
    unit: "ms",
    note: `${pages} pages`,
  });
  figures.push({ name: `one read of all ${n} rows (floor)`, value: fullRead, unit: "ms" });
  figures.push({ name: "paging ÷ one full read", value: paging / fullRead, unit: "×", note: "target ≤ 2×" });
  await store.close();
  return figures;
}
