/**
 * What the upload crash tests share: an HTML web resource using xrm-offline.min.js (built once per
 * test file), served by the emulator's own origin behind a cookie session as Dataverse serves its
 * pages, and the byte pattern the uploads carry, made alike in the page and in Node.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_SESSION_COOKIE,
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from "@xrm-offline/emulator";
import { buildWebResource } from "@xrm-offline/web-resource/build";
import type { Page } from "playwright-core";
import type { KillableBrowser } from "./browser-fixture.ts";

/**
 * `patternBytes(n)` in the page: put it in the page's script (before the code that uses it). The
 * same values as the Node `patternBytes` below, so the test knows what the server must end with.
 */
export const PATTERN_BYTES_SCRIPT = `window.patternBytes = function (n) {
  var b = new Uint8Array(n);
  for (var i = 0; i < n; i++) b[i] = (i * 7 + 3) % 251;
  return b;
};`;

export function patternBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) % 251;
  return b;
}

export interface WebResourceStack {
  readonly emulator: Emulator;
  /** A new tab of `chrome` on the page, once signed in and once the page's `window.api` exists. */
  open(chrome: KillableBrowser): Promise<Page>;
  /** A Web API request from the test (Node), with the session cookie. */
  serverFetch(path: string): Promise<Response>;
  close(): Promise<void>;
}

/** The web resource `new_/<name>` holding `html`, with `new_/xrm-offline.min.js` next to it. */
export async function startWebResourceStack(options: {
  readonly name: string;
  readonly html: string;
  readonly emulator?: Omit<EmulatorOptions, "session" | "webResources">;
}): Promise<WebResourceStack> {
  const cookie = "upload-session-91ab";
  const outDir = mkdtempSync(join(tmpdir(), "web-resource-"));
  try {
    const built = await buildWebResource(outDir);
    const emulator = await startEmulator({
      ...options.emulator,
      session: { cookie },
      webResources: {
        "new_/xrm-offline.min.js": readFileSync(built.file, "utf8"),
        [`new_/${options.name}`]: options.html,
      },
    });
    return {
      emulator,
      open: async (chrome) => {
        const page = await chrome.context.newPage();
        await page.goto(`${emulator.origin}/login?returnUrl=/WebResources/new_/${options.name}`);
        await page.waitForFunction(() => "api" in globalThis);
        return page;
      },
      serverFetch: (path) =>
        fetch(`${emulator.url}/${path}`, {
          headers: { Cookie: `${DEFAULT_SESSION_COOKIE}=${cookie}` },
        }),
      close: () => emulator.close(),
    };
  } finally {
    // The script is read into the emulator: the build folder is not needed any more.
    rmSync(outDir, { recursive: true, force: true });
  }
}
