#!/usr/bin/env node
// The README's entry point: `node scripts/xrm.mjs <demo|test|bench|…>`.
// It needs nothing but Node.js: it installs the workspace with the pinned pnpm (through npx),
// then runs the named root script. Native modules (better-sqlite3) build against the local
// Node headers, because node-gyp cannot download them on a machine without internet access.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeHeadersDir } from "./node-headers.mjs";

const PNPM = "pnpm@12.4.2";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [task = "test", ...args] = process.argv.slice(2);
// `node scripts/xrm.mjs demo -- --port 4000`: pnpm run passes a literal "--" on to the script.
const rest = args[0] === "--" ? args.slice(1) : args;

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
const nodedir = nodeHeadersDir();
if (nodedir) env.npm_config_nodedir = nodedir;

const windows = process.platform === "win32";

function pnpm(args) {
  // On Windows npx is a .cmd file, which Node starts only through a shell.
  const r = spawnSync(windows ? "npx.cmd" : "npx", ["-y", PNPM, ...args], {
    stdio: "inherit",
    env,
    cwd: ROOT,
    shell: windows,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/**
 * Servers started without pnpm's script shell: the package scripts `exec` node (so Ctrl+C ends
 * cleanly under sh), which cmd.exe and PowerShell don't have. Node itself works everywhere.
 */
const NODE_TASKS = {
  demo: "apps/field-service/scripts/start.ts",
  emulator: "packages/emulator/src/cli.ts",
};

/**
 * The browser tests drive Debian's Chromium (Playwright's own browser download cannot work on a
 * machine without internet access). Install it when it is missing and we may (root + apt-get).
 */
function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  if (candidates.some((p) => p && existsSync(p))) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt =
    process.platform === "linux"
      ? (spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).stdout ?? "").trim()
      : "";
  if (!isRoot || !apt) {
    console.error("Chromium is missing: install Debian's chromium package (or set CHROMIUM_PATH).");
    return;
  }
  console.error("Installing Debian's chromium for the browser tests…");
  const opts = { stdio: "inherit", env: { ...env, DEBIAN_FRONTEND: "noninteractive" } };
  spawnSync("apt-get", ["update", "-qq"], opts);
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], opts);
  if (r.status !== 0) console.error("apt-get could not install chromium; the browser tests will fail.");
}

// Only the browser tests need Chromium; the demo is opened in the user's own browser.
if (task === "test") ensureChromium();
// Ctrl+C reaches pnpm and the script too; they end cleanly, and so do we, with their exit code.
process.on("SIGINT", () => {});
pnpm(["install", "--frozen-lockfile"]);
const script = Object.hasOwn(NODE_TASKS, task) ? NODE_TASKS[task] : undefined;
if (script) {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...rest], {
    stdio: "inherit",
    env,
    cwd: ROOT,
  });
  process.exit(r.status ?? 1);
}
pnpm(["run", task, ...rest]);
