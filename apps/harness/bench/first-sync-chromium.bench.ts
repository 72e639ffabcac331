// `pnpm bench first-sync`: a first sync of 200,000 rows in 4 tables in headless Chromium, on the
// browser's real IndexedDB, next to raw Dexie bulkPut of the same rows (first-sync-chromium-entry.ts).
import { runChromiumBench } from "./chromium-bench.ts";

await runChromiumBench(
  new URL("./first-sync-chromium-entry.ts", import.meta.url),
  `first sync (headless chromium, real IndexedDB${process.env.FIRST_SYNC_SHAPE === "dataverse" ? ", rows with lookups" : ""})`,
  {
    // FIRST_SYNC_ROWS: rows per table (50,000); FIRST_SYNC_SHAPE=dataverse: rows with lookups.
    search: `?${new URLSearchParams({
      ...(process.env.FIRST_SYNC_ROWS ? { rows: process.env.FIRST_SYNC_ROWS } : {}),
      ...(process.env.FIRST_SYNC_SHAPE ? { shape: process.env.FIRST_SYNC_SHAPE } : {}),
    })}`,
  },
);
