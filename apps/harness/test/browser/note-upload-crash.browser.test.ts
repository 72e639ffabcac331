// A note's block upload killed mid-way (SIGKILL of the whole browser, profile on disk) resumes
// after the restart with the session and the blocks the client saved (store meta
// `note-blocks:<id>`): blocks the server acknowledged are not sent again, the commit happens once,
// and the note ends with the exact bytes (issue 17). The note is created offline and goes when the
// page is back online; the page is a web resource using xrm-offline.min.js.
import type { RequestLogEntry } from "@xrm-offline/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goOffline, goOnline, launchKillableChromium, tempProfile, until } from "./browser-fixture.ts";
import {
  PATTERN_BYTES_SCRIPT,
  patternBytes,
  startWebResourceStack,
  type WebResourceStack,
} from "./web-resource-stack.ts";

/** A small block (the configured `sync.uploadChunkBytes`) so that a few hundred KB make many blocks. */
const BLOCK = 16 * 1024;
const BLOCKS = 13;
const SIZE = (BLOCKS - 1) * BLOCK + 777;

const PAGE = `<!doctype html><meta charset="utf-8"><title>Note</title>
<script src="xrm-offline.min.js"></script>
<script>
  window.api = XrmOffline.createWebApi({
    serverUrl: location.origin + "/api/data/v9.2",
    databaseName: "note-upload-crash",
    sync: { debounceMs: 1, uploadChunkBytes: ${BLOCK}, retry: { baseMs: 10, capMs: 50 } },
  });
  ${PATTERN_BYTES_SCRIPT}
  window.patternBase64 = function (n) {
    var b = window.patternBytes(n), s = "";
    for (var i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  };
</script>`;

interface NoteWindow {
  api: {
    createRecord(e: string, d: unknown): Promise<{ id: string }>;
    sync: { pendingCount(): Promise<number>; failures(): Promise<unknown[]> };
  };
  patternBase64(n: number): string;
}

/** Which block an `UploadBlock` carried: its id is Base64 of `xrm-offline-block-<8 digits>`. */
function blockNumber(e: RequestLogEntry): number {
  const { BlockId } = JSON.parse(e.body) as { BlockId: string };
  return Number(/^xrm-offline-block-(\d{8})$/.exec(atob(BlockId))![1]);
}

describe("note block upload killed mid-way (real Chromium, persistent profile, SIGKILL)", {
  timeout: 180_000,
}, () => {
  let stack: WebResourceStack;
  const profile = tempProfile();

  beforeAll(async () => {
    stack = await startWebResourceStack({ name: "note.html", html: PAGE });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    profile.remove();
  });

  const requests = (path: string, since = 0) =>
    stack.emulator.requestLog.entries((e) => e.seq > since && e.method === "POST" && e.path === path);
  const blocks = (since = 0) =>
    requests("UploadBlock", since).map((e) => ({ n: blockNumber(e), status: e.status }));
  const acknowledged = (since = 0) => blocks(since).filter((b) => b.status === 204);

  it("resumes after the restart without resending acknowledged blocks, and commits once", async () => {
    const { emulator } = stack;
    let chrome = await launchKillableChromium(profile.dir);
    let page = await stack.open(chrome);
    const start = emulator.requestLog.total;

    await goOffline(chrome.context, emulator);
    const id = await page.evaluate(async (size) => {
      const w = globalThis as unknown as NoteWindow;
      const { id } = await w.api.createRecord("annotation", {
        subject: "Signature",
        filename: "signature.bin",
        mimetype: "application/octet-stream",
        documentbody: w.patternBase64(size),
      });
      return id;
    }, SIZE);
    expect(await page.evaluate(() => (globalThis as unknown as NoteWindow).api.sync.pendingCount())).toBe(1);

    // Slow blocks down so the kill lands in the middle of the upload; back online, the engine
    // (autoStart) sends the note by itself.
    emulator.faults.set({
      appliesTo: (r) => r.method === "POST" && r.path === "UploadBlock",
      latencyMs: 150,
    });
    await goOnline(chrome.context, emulator);
    await until("four blocks acknowledged", () => acknowledged(start).length >= 4, 90_000);
    // What the server had answered when the browser died (the block in flight may be stored after).
    const atKill = acknowledged(start).map((b) => b.n);
    await chrome.kill();
    expect(atKill).toEqual(Array.from({ length: atKill.length }, (_, n) => n));
    expect(atKill.length).toBeLessThan(BLOCKS);
    expect(requests("CommitAnnotationBlocksUpload", start)).toEqual([]);

    emulator.faults.clear();
    const restart = emulator.requestLog.total;
    chrome = await launchKillableChromium(profile.dir);
    try {
      page = await stack.open(chrome);
      // The engine starts with the page and resumes the upload by itself.
      await until("the commit", () => requests("CommitAnnotationBlocksUpload", restart).length > 0, 90_000);
      await page.waitForFunction(async () => {
        const { sync } = (globalThis as unknown as NoteWindow).api;
        return (await sync.pendingCount()) === 0;
      });
      expect(await page.evaluate(() => (globalThis as unknown as NoteWindow).api.sync.failures())).toEqual(
        [],
      );
    } finally {
      await chrome.kill();
    }

    const after = blocks(restart);
    process.stdout.write(
      `[note upload crash] ${atKill.length}/${BLOCKS} blocks acknowledged at the kill; sent after the restart: ${after.map((b) => b.n).join(",")}\n`,
    );
    // Same session (no new InitializeAnnotationBlocksUpload), from the first block the client had
    // not seen acknowledged: at most the last one acknowledged at the kill goes again (its answer
    // may not have been saved yet), then each later block once.
    expect(requests("InitializeAnnotationBlocksUpload", start).map((e) => e.status)).toEqual([200]);
    const first = after[0]!.n;
    expect(first).toBeGreaterThanOrEqual(atKill.length - 1);
    expect(first).toBeLessThanOrEqual(atKill.length);
    expect(after).toEqual(Array.from({ length: BLOCKS - first }, (_, k) => ({ n: first + k, status: 204 })));
    // The commit: once, over both runs.
    expect(requests("CommitAnnotationBlocksUpload", start).map((e) => e.status)).toEqual([200]);
    const note = emulator.row("annotation", id)!;
    expect(note).toMatchObject({ subject: "Signature", filename: "signature.bin", filesize: SIZE });
    expect(new Uint8Array(Buffer.from(String(note.documentbody), "base64"))).toEqual(patternBytes(SIZE));
  });
});
