// The offline API benchmark (packages/webapi/bench/offline-bench-core.ts) in headless Chromium, on
// the browser's real IndexedDB (LevelDB on disk, strict durability). The core is bundled with
// esbuild and served from loopback, so IndexedDB has a real origin.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { report } from "../../../scripts/bench-report.ts";
import { launchChromium } from "../src/chromium.ts";

const entry = fileURLToPath(new URL("./offline-chromium-entry.ts", import.meta.url));
const bundle = await build({
  entryPoints: [entry],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  minify: true,
  logLevel: "error",
});
const script = bundle.outputFiles[0]!.text;
const html = `<!doctype html><meta charset="utf-8"><title>offline bench</title><script type="module">${script.replaceAll("</script", "<\\/script")}</script>`;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(html);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as AddressInfo;

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(`http://127.0.0.1:${port}/`);
  const figures = (await page.evaluate(
    () => (globalThis as unknown as { benchDone: Promise<unknown> }).benchDone,
  )) as { name: string; value: number; unit: string; note?: string }[];
  const suite = "offline api (headless chromium, real IndexedDB)";
  for (const f of figures) report({ suite, ...f });
} finally {
  await browser.close();
  server.close();
}
