// Browser entry of the Chromium first-sync benchmark: 200,000 rows in 4 tables written through
// the real pull path (createPuller → OfflineStore.applyServerRows, the code the engine runs),
// next to two floors, each Dexie `bulkPut` of a page at a time from JSON text (JSON.parse timed,
// as in the pull):
// - the same server rows and page size into plain tables keyed by id (no index at all);
// - exactly the rows the store wrote (read back afterwards, untimed), into a table with the
//   store's schema (`[_entity+_id]`, `*_ix`): what IndexedDB itself costs for rows
//   carrying the value index, without the store's code.
// The remote is in the page (no HTTP): the network is not what is measured here (`pnpm bench
// pull` measures the pull over HTTP).
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore, SCHEMA_VERSIONS } from "@xrm-offline/store";
import { createPuller, normalizeOfflineTables, type PullProgress, type PullRemote } from "@xrm-offline/sync";
import { Dexie } from "dexie";

const params = new URLSearchParams(location.search);
const PER_TABLE = Number(params.get("rows") ?? 50_000);
const PAGE = 2000;
/**
 * `plain`: 14 columns and no lookup values. `dataverse`: as Dataverse sends the same rows with
 * `odata.include-annotations="*"` — the audit and ownership lookups every row carries, one lookup
 * of the table's own, each with its logical-name and formatted-value annotations.
 */
const SHAPE = params.get("shape") === "dataverse" ? "dataverse" : "plain";
const TABLES = [
  { entity: "account", set: "accounts", id: "accountid", name: "name", own: ["primarycontactid", "contact"] },
  {
    entity: "contact",
    set: "contacts",
    id: "contactid",
    name: "fullname",
    own: ["parentcustomerid", "account"],
  },
  { entity: "lead", set: "leads", id: "leadid", name: "fullname", own: ["parentaccountid", "account"] },
  { entity: "task", set: "tasks", id: "activityid", name: "subject", own: ["regardingobjectid", "account"] },
] as const;
type Table = (typeof TABLES)[number];

const heapPeak = (): Promise<number> =>
  (globalThis as unknown as { benchHeapPeak(): Promise<number> }).benchHeapPeak();

/** One page of a table as the server would send it: JSON text, 14 columns a row. */
function pageText(table: Table, page: number): string {
  const start = page * PAGE;
  const count = Math.min(PAGE, PER_TABLE - start);
  const base = Date.UTC(2024, 0, 1);
  const value = Array.from({ length: count }, (_, k) => {
    const i = start + k;
    const hex = (TABLES.indexOf(table) + 1).toString(16);
    return {
      "@odata.etag": `W/"${1000 + i}"`,
      [table.id]: `${hex}0000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
      [table.name]: `${table.entity} ${i} ${(i * 7919) % 1000}`,
      statecode: i % 5 === 0 ? 1 : 0,
      "statecode@OData.Community.Display.V1.FormattedValue": i % 5 === 0 ? "Inactive" : "Active",
      statuscode: 1,
      modifiedon: new Date(base + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      createdon: new Date(base + i * 30_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      description: `Row ${i} of ${table.entity}, written by the first-sync benchmark.`,
      emailaddress1: `row${i}@example.com`,
      telephone1: `+1 555 ${String(i).padStart(7, "0")}`,
      address1_city: ["Lyon", "Graz", "Porto", "Turku"][i % 4],
      versionnumber: 100_000 + i,
      _ownerid_value: null,
      ...(SHAPE === "dataverse" ? dataverseLookups(table, i) : {}),
    };
  });
  return JSON.stringify({ "@odata.context": `$metadata#${table.set}`, value });
}

/** The lookup columns of a `dataverse`-shaped row: 5 users and teams, a currency, one own lookup. */
function dataverseLookups(table: Table, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const user = `5e000000-0000-4000-8000-${(i % 40).toString(16).padStart(12, "0")}`;
  const set = (attribute: string, target: string, id: string, label: string) => {
    out[`_${attribute}_value`] = id;
    out[`_${attribute}_value@Microsoft.Dynamics.CRM.lookuplogicalname`] = target;
    out[`_${attribute}_value@OData.Community.Display.V1.FormattedValue`] = label;
  };
  for (const a of ["createdby", "modifiedby", "owninguser", "ownerid"])
    set(a, "systemuser", user, `User ${i % 40}`);
  set("owningbusinessunit", "businessunit", "b0000000-0000-4000-8000-000000000001", "Contoso");
  if (table.entity !== "task")
    set("transactioncurrencyid", "transactioncurrency", "c1000000-0000-4000-8000-000000000001", "euro");
  const [attribute, target] = table.own;
  set(
    attribute,
    target,
    `a0000000-0000-4000-8000-${((i * 31) % PER_TABLE).toString(16).padStart(12, "0")}`,
    `${target} ${i}`,
  );
  return out;
}

const pages = Math.ceil(PER_TABLE / PAGE);

/** Answers the puller's count, rows and next-link requests from the generator. */
function fakeRemote(): PullRemote {
  const origin = "https://bench.invalid/api/data/v9.2/";
  return {
    async get(url) {
      const path = url.replace(origin, "").replace(/^\/api\/data\/v9\.2\//, "");
      const [set, query = ""] = path.split("?");
      // As Dataverse answers: $count stops at 5,000; the snapshot count has the rest.
      if (set?.startsWith("RetrieveTotalRecordCount")) {
        const entity = TABLES.find((t) => decodeURIComponent(query).includes(`'${t.entity}'`))?.entity;
        return { EntityRecordCountCollection: { Keys: [entity], Values: [PER_TABLE] } };
      }
      const table = TABLES.find((t) => t.set === set);
      if (!table) throw new Error(`unexpected request ${url}`);
      if (query.includes("$count=true")) {
        return {
          value: [],
          "@odata.count": Math.min(PER_TABLE, 5000),
          "@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded": PER_TABLE > 5000,
        };
      }
      // The delta that follows the download: nothing changed since.
      if (query.includes("$deltatoken=")) return { value: [], "@odata.deltaLink": url };
      const page = Number(/\$skiptoken=(\d+)/.exec(query)?.[1] ?? 0);
      const body = JSON.parse(pageText(table, page)) as Record<string, unknown>;
      if (page + 1 < pages) body["@odata.nextLink"] = `${origin}${set}?$skiptoken=${page + 1}`;
      else body["@odata.deltaLink"] = `${origin}${set}?$deltatoken=${PER_TABLE}`;
      return body;
    },
  };
}

async function floor(): Promise<number> {
  const db = new Dexie(`first-sync-floor-${Date.now()}`);
  db.version(1).stores(Object.fromEntries(TABLES.map((t) => [t.entity, t.id])));
  await db.open();
  const t = performance.now();
  for (const table of TABLES) {
    for (let p = 0; p < pages; p++) {
      const body = JSON.parse(pageText(table, p)) as { value: unknown[] };
      await db.table(table.entity).bulkPut(body.value);
    }
  }
  const ms = performance.now() - t;
  db.close();
  await Dexie.delete(db.name);
  return ms;
}

const storeName = `first-sync-store-${Date.now()}`;

async function storePath(progress: PullProgress[]): Promise<number> {
  const metadata = bundledMetadata();
  const name = storeName;
  const store = await OfflineStore.open({ name, metadata, indexedDB, IDBKeyRange });
  const puller = createPuller({
    store,
    remote: fakeRemote(),
    profile: normalizeOfflineTables(
      TABLES.map((t) => t.entity),
      metadata,
    ),
    pageSize: PAGE,
  });
  const t = performance.now();
  const report = await puller.pull(undefined, (p) => {
    if (p.done === 0 || p.done === p.total) progress.push(p);
  });
  const ms = performance.now() - t;
  for (const table of TABLES) {
    const n = await store.countRows(table.entity);
    if (n !== PER_TABLE) throw new Error(`${table.entity}: ${n} rows stored, expected ${PER_TABLE}`);
  }
  if (report.rows !== PER_TABLE * TABLES.length)
    throw new Error(`the pull wrote ${JSON.stringify(report)} rows`);
  await store.close();
  return ms;
}

/** The store's own rows, page by page in id order, bulkPut raw into the store's schema. */
async function indexedFloor(): Promise<number> {
  const source = new Dexie(storeName);
  await source.open(); // as it is (no schema given: Dexie reads it)
  const records = SCHEMA_VERSIONS.at(-1)!.stores.records!;
  const db = new Dexie(`first-sync-indexed-floor-${Date.now()}`);
  db.version(1).stores({ records });
  await db.open();
  let ms = 0;
  for (const table of TABLES) {
    let after = "";
    for (;;) {
      const rows = (await source
        .table("records")
        .where("[_entity+_id]")
        .between([table.entity, after], [table.entity, "\uffff"], false, true)
        .limit(PAGE)
        .toArray()) as { _id: string }[];
      if (rows.length === 0) break;
      after = rows.at(-1)!._id;
      const text = JSON.stringify(rows);
      const t = performance.now();
      await db.table("records").bulkPut(JSON.parse(text) as unknown[]);
      ms += performance.now() - t;
    }
  }
  source.close();
  db.close();
  await Dexie.delete(storeName);
  await Dexie.delete(db.name);
  return ms;
}

async function run() {
  const total = PER_TABLE * TABLES.length;
  const n = total.toLocaleString("en");
  await heapPeak();
  const floorMs = await floor();
  const floorHeap = await heapPeak();
  console.log(`floor: ${(floorMs / 1000).toFixed(1)} s`);
  const progress: PullProgress[] = [];
  const storeMs = await storePath(progress);
  const storeHeap = await heapPeak();
  console.log(`store: ${(storeMs / 1000).toFixed(1)} s`);
  const indexedMs = await indexedFloor();
  console.log(`indexed floor: ${(indexedMs / 1000).toFixed(1)} s`);
  const indexedRate = total / (indexedMs / 1000);
  const order = progress.filter((p) => p.done === 0).map((p) => `${p.table} (${p.total})`);
  const floorRate = total / (floorMs / 1000);
  const storeRate = total / (storeMs / 1000);
  return [
    {
      name: `first sync, ${n} rows in 4 tables (page ${PAGE}, ${SHAPE} rows): puller → applyServerRows`,
      value: storeRate,
      unit: "rows/s",
      note: `${(storeMs / 1000).toFixed(1)} s; progress per table: ${order.join(", ")}`,
    },
    {
      name: `floor: Dexie bulkPut of the same ${n} rows (${SHAPE}), same pages, plain tables keyed by id`,
      value: floorRate,
      unit: "rows/s",
      note: `${(floorMs / 1000).toFixed(1)} s`,
    },
    {
      name: `first sync vs raw bulkPut (${SHAPE} rows)`,
      value: storeRate / floorRate,
      unit: "×",
      note: "target ≥ 0.8×",
    },
    {
      name: `floor: Dexie bulkPut of the rows the store wrote (${SHAPE}; value index entries included), same pages, the store's schema`,
      value: indexedRate,
      unit: "rows/s",
      note: `${(indexedMs / 1000).toFixed(1)} s; what IndexedDB alone costs for the stored rows`,
    },
    {
      name: `first sync vs raw bulkPut of the stored rows with their index (${SHAPE} rows)`,
      value: storeRate / indexedRate,
      unit: "×",
      note: "the store's own overhead over IndexedDB",
    },
    {
      name: `first sync: JS heap peak (${SHAPE} rows)`,
      value: storeHeap,
      unit: "MB",
      note: `CDP Performance.getMetrics JSHeapUsedSize sampled every 20 ms; target ≤ 100 MB; the floor's peak ${floorHeap.toFixed(1)} MB`,
    },
  ];
}

(globalThis as unknown as { benchDone: Promise<unknown> }).benchDone = run();
