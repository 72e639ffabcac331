// `pnpm bench upload-chromium`: memory while the engine's uploader sends a 50 MB file from the
// browser's real IndexedDB (a Blob stored by api.files' store) to the emulator over HTTP, in
// headless Chromium, next to the floor of reading the same Blob whole and sending it in one PATCH
// (upload-chromium-entry.ts). The page is served by the emulator (same origin, cookie session).
import { startEmulator } from "@xrm-offline/emulator";
import { runChromiumBench } from "./chromium-bench.ts";

await runChromiumBench(
  new URL("./upload-chromium-entry.ts", import.meta.url),
  "file upload (headless chromium, real IndexedDB)",
  {
    search: process.env.UPLOAD_MB ? `?mb=${process.env.UPLOAD_MB}` : "",
    serve: async (html) => {
      const emulator = await startEmulator({
        session: { cookie: "upload-bench-session" },
        webResources: { "new_/upload.html": html },
        fileColumns: { incident: { new_report: { maxSizeInKB: 200_000 } } },
        maxBodyBytes: 128 * 1024 * 1024,
      });
      return {
        url: `${emulator.origin}/login?returnUrl=/WebResources/new_/upload.html`,
        close: () => emulator.close(),
      };
    },
  },
);
