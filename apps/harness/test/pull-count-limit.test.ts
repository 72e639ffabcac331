// First-sync totals past Dataverse's $count cap, over HTTP against the emulator: `@odata.count`
// stops at 5,000 (`totalrecordcountlimitexceeded: true`), so a whole table's total comes from
// RetrieveTotalRecordCount — a snapshot, so an estimate that the progress never lets done pass.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { SyncProgress } from "@xrm-offline/odata";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getsOf, guid, type PullFixture, pullFixture } from "./pull-fixture.ts";

const ROWS = 5003;
/** Created on the server after the snapshot count was taken. */
const LATE = 7;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:" });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clear();
  emulator.requestLog.clear();
  emulator.seed(
    "accounts",
    Array.from({ length: ROWS }, (_, i) => ({ accountid: guid(i + 1, "aaaaaaaa"), name: `Account ${i}` })),
  );
});

describe("first-sync totals beyond 5,000 rows", () => {
  let api: OfflineWebApi | undefined;
  let fx: PullFixture | undefined;
  afterEach(async () => {
    await api?.close();
    await fx?.close();
    api = undefined;
    fx = undefined;
  });

  it("takes a whole table's total from RetrieveTotalRecordCount, an estimate done never passes", async () => {
    // The snapshot is older than the rows: 7 accounts are created right after it was read.
    const fetchAndAddLate: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).includes("RetrieveTotalRecordCount")) {
        emulator.seed(
          "accounts",
          Array.from({ length: LATE }, (_, i) => ({ accountid: guid(i + 1, "bbbbbbbb"), name: `Late ${i}` })),
        );
      }
      return res;
    };
    api = createWebApi({
      metadata: bundledMetadata(),
      serverUrl: emulator.url,
      databaseName: "count-limit",
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      connectivity: new BehaviorSubject(true),
      fetch: fetchAndAddLate,
      offlineTables: ["account"],
      sync: { autoStart: false, pageSize: 2000 },
    });
    const seen: SyncProgress[] = [];
    const sub = api.sync.status$.subscribe((s) => {
      if (s.progress?.table === "account") seen.push(s.progress);
    });
    await api.sync.syncNow();
    sub.unsubscribe();

    // The count is capped (and says so); the snapshot gives 5,003; 5,010 come down.
    const count = await fetch(`${emulator.url}/accounts?$select=accountid&$count=true`, {
      headers: {
        Prefer: 'odata.include-annotations="*",odata.maxpagesize=1',
      },
    }).then((r) => r.json());
    expect(count["@odata.count"]).toBe(5000);
    expect(count["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"]).toBe(true);
    expect(seen).toEqual([
      { table: "account", done: 0, total: ROWS },
      { table: "account", done: 2000, total: ROWS },
      { table: "account", done: 4000, total: ROWS },
      { table: "account", done: ROWS + LATE, total: ROWS + LATE },
    ]);
    const asked = emulator.requestLog
      .entries((e) => e.method === "GET" && e.path.startsWith("RetrieveTotalRecordCount"))
      .map((e) =>
        decodeURIComponent(e.url).replace(/^.*\/RetrieveTotalRecordCount/, "RetrieveTotalRecordCount"),
      );
    expect(asked).toEqual(["RetrieveTotalRecordCount(EntityNames=@p1)?@p1=['account']"]);
  });

  it("leaves a filtered table's total unknown past the cap (the snapshot counts the whole table)", async () => {
    fx = await pullFixture(emulator, { account: { filter: "name ne 'none'" } }, 2000);
    const report = await fx.pull();
    expect(report.tables.map((t) => [t.table, t.rows, t.error])).toEqual([["account", ROWS, undefined]]);
    expect(fx.progress.map((p) => [p.done, p.total])).toEqual([
      [0, null],
      [2000, null],
      [4000, null],
      [ROWS, null],
    ]);
    const counts = getsOf(emulator, "accounts").filter((g) => g.url.includes("$count=true"));
    expect(counts.map((g) => g.prefer)).toEqual([
      'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded",odata.maxpagesize=1',
    ]);
    expect(emulator.requestLog.entries((e) => e.path.startsWith("RetrieveTotalRecordCount"))).toEqual([]);
  });
});
