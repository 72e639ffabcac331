// A file upload killed mid-way (SIGKILL of the whole browser, profile on disk) resumes after the
// restart at the first chunk the client had not seen acknowledged: finished chunks are not sent
// again, and the server ends with the exact bytes (issue 17). The page is a web resource using
// xrm-offline.min.js, served by the emulator's own origin.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchKillableChromium, tempProfile, until } from "./browser-fixture.ts";
import {
  PATTERN_BYTES_SCRIPT,
  patternBytes,
  startWebResourceStack,
  type WebResourceStack,
} from "./web-resource-stack.ts";

const CHUNK = 64 * 1024;
const SIZE = 16 * CHUNK + 1234;

const PAGE = `<!doctype html><meta charset="utf-8"><title>Upload</title>
<script src="xrm-offline.min.js"></script>
<script>
  window.api = XrmOffline.createWebApi({
    serverUrl: location.origin + "/api/data/v9.2",
    databaseName: "upload-crash",
    fileColumns: { incident: { new_report: {} } },
    sync: { debounceMs: 1, uploadChunkBytes: ${CHUNK}, retry: { baseMs: 10, capMs: 50 } },
  });
  ${PATTERN_BYTES_SCRIPT}
</script>`;

interface UploadWindow {
  api: {
    createRecord(e: string, d: unknown): Promise<{ id: string }>;
    sync: { syncNow(): Promise<unknown> };
    files: {
      set(e: string, id: string, c: string, b: Blob, o: { fileName: string }): Promise<void>;
      uploads(): Promise<{ state: string; progress?: { sentBytes: number } }[]>;
    };
  };
  patternBytes(n: number): Uint8Array<ArrayBuffer>;
}

describe("file upload killed mid-way (real Chromium, persistent profile, SIGKILL)", {
  timeout: 180_000,
}, () => {
  let stack: WebResourceStack;
  const profile = tempProfile();

  beforeAll(async () => {
    stack = await startWebResourceStack({
      name: "upload.html",
      html: PAGE,
      emulator: { fileColumns: { incident: { new_report: {} } } },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    profile.remove();
  });

  const chunkRanges = (since: number) =>
    stack.emulator.requestLog
      .entries((e) => e.seq > since && e.method === "PATCH" && e.headers["content-range"] !== undefined)
      .map((e) => ({
        start: Number(/bytes (\d+)-/.exec(e.headers["content-range"]!)![1]),
        status: e.status,
      }));

  it("resumes after the restart without resending acknowledged chunks", async () => {
    const { emulator } = stack;
    let chrome = await launchKillableChromium(profile.dir);
    let page = await stack.open(chrome);
    // Slow chunks down so the kill lands in the middle of the upload.
    emulator.faults.set({
      appliesTo: (r) => r.method === "PATCH" && r.path.includes("new_report"),
      latencyMs: 150,
    });
    const before = emulator.requestLog.total;
    // The engine runs on its own (autoStart): the create goes, then the file, chunk by chunk.
    const id = await page.evaluate(async (size) => {
      const w = globalThis as unknown as UploadWindow;
      const { id } = await w.api.createRecord("incident", { title: "Upload across a crash" });
      await w.api.files.set("incident", id, "new_report", new Blob([w.patternBytes(size)]), {
        fileName: "survey.bin",
      });
      return id;
    }, SIZE);
    await until(
      "four chunks acknowledged",
      () => chunkRanges(before).filter((c) => c.status === 206).length >= 4,
      90_000,
    );
    await chrome.kill();
    const acknowledged = chunkRanges(before).filter((c) => c.status === 206).length;
    expect(acknowledged).toBeLessThan(17);

    emulator.faults.clear();
    const restart = emulator.requestLog.total;
    chrome = await launchKillableChromium(profile.dir);
    try {
      page = await stack.open(chrome);
      // The engine starts with the page and resumes the upload by itself.
      await until("the last chunk", () => chunkRanges(restart).some((c) => c.status === 204), 90_000);
      await page.waitForFunction(async () => {
        const uploads = await (globalThis as unknown as UploadWindow).api.files.uploads();
        return uploads[0]?.state === "uploaded";
      });
    } finally {
      await chrome.kill();
    }
    const after = chunkRanges(restart);
    // It picks up where the client had seen the server acknowledge (at most the chunk in flight at
    // the kill goes again), never from byte 0.
    expect(after[0]!.start).toBeGreaterThanOrEqual((acknowledged - 1) * CHUNK);
    expect(after.some((c) => c.start < (acknowledged - 1) * CHUNK)).toBe(false);
    const res = await stack.serverFetch(`incidents(${id})/new_report/$value`);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(patternBytes(SIZE));
  });
});
