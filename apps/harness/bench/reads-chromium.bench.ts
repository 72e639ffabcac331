// The local-read benchmark (packages/store/bench/local-reads-core.ts) in headless Chromium, on
// the browser's real IndexedDB: selective queries and paging over 100,000 contacts.
import { runChromiumBench } from "./chromium-bench.ts";

await runChromiumBench(
  new URL("./reads-chromium-entry.ts", import.meta.url),
  "local reads (headless chromium, real IndexedDB)",
);
