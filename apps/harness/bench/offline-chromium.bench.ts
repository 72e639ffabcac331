// The offline API benchmark (packages/webapi/bench/offline-bench-core.ts) in headless Chromium, on
// the browser's real IndexedDB.
import { runChromiumBench } from "./chromium-bench.ts";

await runChromiumBench(
  new URL("./offline-chromium-entry.ts", import.meta.url),
  "offline api (headless chromium, real IndexedDB)",
);
