// A full disk in real Chromium (issue 17): the origin's quota is cut with the DevTools protocol's
// Storage.overrideQuotaForOrigin, which IndexedDB enforces; the page's storage port can't estimate,
// so every write reaches its transaction and meets QuotaExceededError there. A file or a note that doesn't fit is refused with 0x80070070 and leaves
// nothing behind — no Blob without its record or upload entry, no record or outbox entry without
// its Blob; the file it would have replaced stays. (Chromium keeps counting an aborted write's
// bytes against the quota for a while, so writes right after a refusal may be refused too.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWebResource } from "@xrm-offline/web-resource/build";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./browser-fixture.ts";

const DEVICE_STORAGE_FULL = 0x80070070;
const QUOTA = 4 * 1024 * 1024;

const PAGE = `<!doctype html><meta charset="utf-8"><title>Quota</title>
<script src="xrm-offline.min.js"></script>
<script>
  window.api = XrmOffline.createWebApi({
    serverUrl: null,
    databaseName: "quota",
    fileColumns: { incident: { new_report: {} } },
    maxUploadFileSize: 10485760,
    // A browser that can't estimate: nothing is refused before the write, so what is tested here
    // is the transaction meeting the quota (the check before the write has its own tests).
    storage: location.search === "?estimate"
      ? undefined
      : { estimate: function () { return Promise.resolve({}); } },
  });
  window.bytes = function (n, seed) {
    var b = new Uint8Array(n);
    for (var i = 0; i < n; i++) b[i] = (i * 13 + seed) % 251;
    return b;
  };
  window.base64 = function (n, seed) {
    var b = window.bytes(n, seed), s = "";
    for (var i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  };
  // What is really in the database, read with plain IndexedDB (another connection).
  window.counts = function () {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("quota");
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var db = open.result, names = ["records", "outbox", "blobs", "uploads"], out = {};
        var tx = db.transaction(names, "readonly");
        names.forEach(function (n) {
          var r = tx.objectStore(n).count();
          r.onsuccess = function () { out[n] = r.result; };
        });
        tx.oncomplete = function () { db.close(); resolve(out); };
      };
    });
  };
</script>`;

interface QuotaWindow {
  api: {
    storage: {
      estimate(): Promise<{ quota: number | null; free: number | null }>;
      persist(): Promise<boolean>;
    };
    createRecord(e: string, d: unknown): Promise<{ id: string }>;
    files: {
      set(e: string, id: string, c: string, b: Blob, o: { fileName: string }): Promise<void>;
      uploads(): Promise<{ fileName: string; size: number }[]>;
    };
  };
  bytes(n: number, seed: number): Uint8Array<ArrayBuffer>;
  base64(n: number, seed: number): string;
  counts(): Promise<Record<string, number>>;
}

describe("a full disk in real Chromium (quota cut over CDP)", { timeout: 120_000 }, () => {
  let server: Server;
  let origin: string;
  let outDir: string;
  let browser: Browser;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "quota-"));
    const built = await buildWebResource(outDir);
    const script = readFileSync(built.file);
    server = createServer((req, res) => {
      const js = req.url === "/xrm-offline.min.js";
      res.setHeader("Content-Type", js ? "text/javascript" : "text/html");
      res.end(js ? script : PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(outDir, { recursive: true, force: true });
  });

  async function open(query = ""): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Before the page opens its database: the quota holds for every connection from then on.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: QUOTA });
    await page.goto(`${origin}/${query}`);
    await page.waitForFunction(() => "api" in globalThis);
    return page;
  }

  it("refuses a file and a note that don't fit, whole, keeping what was there", async () => {
    const page = await open();
    const result = await page.evaluate(async () => {
      const w = globalThis as unknown as QuotaWindow;
      const code = (e: unknown) => (e as { errorCode?: number }).errorCode;
      const { id } = await w.api.createRecord("incident", { title: "Pump" });
      // What fits goes in.
      await w.api.files.set("incident", id, "new_report", new Blob([w.bytes(100_000, 3)]), {
        fileName: "small.pdf",
      });
      await w.api.createRecord("annotation", { subject: "Signature", documentbody: w.base64(50_000, 4) });
      const before = await w.counts();
      // A 6 MB file against a 4 MB quota: the transaction that writes its Blob and upload aborts
      // (and the earlier file stays).
      const file = await w.api.files
        .set("incident", id, "new_report", new Blob([w.bytes(6 * 1024 * 1024, 1)]), { fileName: "scan.pdf" })
        .then(() => "stored", code);
      const afterFile = await w.counts();
      // A 5 MB note body: the record, its outbox entry and its Blob go together or not at all.
      const note = await w.api
        .createRecord("annotation", {
          subject: "Site photo",
          filename: "site.jpg",
          documentbody: w.base64(5 * 1024 * 1024, 2),
          "objectid_incident@odata.bind": `/incidents(${id})`,
        })
        .then(() => "stored", code);
      return {
        file,
        note,
        before,
        afterFile,
        afterNote: await w.counts(),
        uploads: (await w.api.files.uploads()).map((u) => [u.fileName, u.size]),
      };
    });
    expect(result.file).toBe(DEVICE_STORAGE_FULL);
    expect(result.note).toBe(DEVICE_STORAGE_FULL);
    expect(result.before).toEqual({ records: 2, outbox: 2, blobs: 2, uploads: 1 });
    expect(result.afterFile).toEqual(result.before);
    expect(result.afterNote).toEqual(result.before);
    expect(result.uploads).toEqual([["small.pdf", 100_000]]);
  });

  it("api.storage reads navigator.storage and asks it for persistence", async () => {
    // Storage.overrideQuotaForOrigin is enforced by IndexedDB but not shown by estimate(), so the
    // check before a write is tested with a stand-in port (webapi device-storage.test.ts); here,
    // that the default port is the browser's.
    const page = await open("?estimate");
    const result = await page.evaluate(async () => {
      const w = globalThis as unknown as QuotaWindow;
      await w.api.createRecord("incident", { title: "Pump" });
      const ours = await w.api.storage.estimate();
      const browsers = await navigator.storage.estimate();
      const granted = await w.api.storage.persist();
      return { ours, browsers, granted, persisted: await navigator.storage.persisted() };
    });
    expect(result.ours.quota).toBe(result.browsers.quota);
    expect(result.ours.free).toBe(result.browsers.quota! - result.browsers.usage!);
    expect(result.granted).toBe(result.persisted);
  });
});
