// Runs a benchmark entry in headless Chromium, on the browser's real IndexedDB (LevelDB on disk,
// strict durability): the entry is bundled with esbuild and served from loopback, so IndexedDB
// has a real origin. The entry sets `globalThis.benchDone` to a promise of its figures.
// The page can read its JS heap peak: `await benchHeapPeak()` returns the highest
// JSHeapUsedSize (CDP `Performance.getMetrics`, sampled every 20 ms by this runner) since the
// previous call, in MB, then collects garbage and starts the next interval; `benchMemoryPeak()`
// does the same for the heap and for the heap plus ArrayBuffer backing stores (Runtime.getHeapUsage).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { report } from "../../../scripts/bench-report.ts";
import { launchChromium } from "../src/chromium.ts";

export interface ChromiumBenchOptions {
  /** Query string of the page's address (`?rows=…`). */
  readonly search?: string;
  /**
   * Serves the page somewhere else than a loopback server of its own, e.g. from the emulator's
   * origin (it has no CORS): resolves with the address to open, which ends up at the page.
   */
  readonly serve?: (html: string) => Promise<{ readonly url: string; close(): Promise<void> | void }>;
}

export async function runChromiumBench(
  entryUrl: URL,
  suite: string,
  options: ChromiumBenchOptions = {},
): Promise<void> {
  const bundle = await build({
    entryPoints: [fileURLToPath(entryUrl)],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    minify: true,
    logLevel: "error",
  });
  const script = bundle.outputFiles[0]!.text;
  const html = `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">${script.replaceAll("</script", "<\\/script")}</script>`;
  const served = await (options.serve ?? serveOnLoopback)(html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => process.stderr.write(`page error: ${e.message}\n`));
    page.on("console", (m) => process.stderr.write(`page: ${m.text()}\n`));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    let peak = 0;
    // The JS heap plus ArrayBuffer backing stores (outside the heap: bytes read from a Blob land there).
    let peakWithBuffers = 0;
    const sample = async () => {
      const { metrics } = (await cdp.send("Performance.getMetrics")) as {
        metrics: { name: string; value: number }[];
      };
      const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0;
      if (used > peak) peak = used;
      const usage = (await cdp.send("Runtime.getHeapUsage")) as {
        usedSize: number;
        backingStorageSize?: number;
      };
      const all = usage.usedSize + (usage.backingStorageSize ?? 0);
      if (all > peakWithBuffers) peakWithBuffers = all;
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sample().catch(() => {});
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await page.exposeFunction("benchHeapPeak", async () => {
      await sample();
      const mb = peak / 1024 / 1024;
      await cdp.send("HeapProfiler.collectGarbage");
      peak = 0;
      await sample();
      return mb;
    });
    // Like benchHeapPeak, counting ArrayBuffer backing stores too: { heapMB, withBuffersMB }.
    await page.exposeFunction("benchMemoryPeak", async () => {
      await sample();
      const out = { heapMB: peak / 1024 / 1024, withBuffersMB: peakWithBuffers / 1024 / 1024 };
      await cdp.send("HeapProfiler.collectGarbage");
      peak = 0;
      peakWithBuffers = 0;
      await sample();
      return out;
    });
    await page.goto(`${served.url}${options.search ?? ""}`);
    const figures = (await page.evaluate(
      () => (globalThis as unknown as { benchDone: Promise<unknown> }).benchDone,
    )) as { name: string; value: number; unit: string; note?: string }[];
    sampling = false;
    await sampler;
    for (const f of figures) report({ suite, ...f });
  } finally {
    await browser.close();
    await served.close();
  }
}

async function serveOnLoopback(html: string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => void server.close() };
}
