// `pnpm bench drain-chromium`: draining 10,000 queued writes in headless Chromium, on the
// browser's real IndexedDB, to the emulator over HTTP, next to one request per write
// (drain-chromium-entry.ts). The emulator has no CORS, so it serves the page itself, as a web
// resource behind its cookie session.
import { startEmulator } from "@xrm-offline/emulator";
import { runChromiumBench } from "./chromium-bench.ts";

await runChromiumBench(
  new URL("./drain-chromium-entry.ts", import.meta.url),
  "drain (headless chromium, real IndexedDB)",
  {
    search: process.env.DRAIN_WRITES ? `?writes=${process.env.DRAIN_WRITES}` : "",
    serve: async (html) => {
      const emulator = await startEmulator({
        session: { cookie: "drain-bench-session" },
        webResources: { "new_/drain.html": html },
      });
      return {
        url: `${emulator.origin}/login?returnUrl=/WebResources/new_/drain.html`,
        close: () => emulator.close(),
      };
    },
  },
);
