#!/usr/bin/env node
/**
 * `pnpm release:dry`, last step: what `pnpm publish` would upload for each package, without
 * uploading. pnpm 12's `publish --dry-run` only names the packages it skips; its `--json` report has
 * each tarball's files and sizes, summarised here (name@version, files, packed/unpacked size, and
 * the files outside dist/ plus the files its published exports and bin point at, which must be there).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const workspace = fileURLToPath(new URL("..", import.meta.url));
const execpath = process.env.npm_execpath;
const pnpm = execpath?.includes("pnpm")
  ? /\.[cm]?js$/.test(execpath)
    ? [process.execPath, execpath]
    : [execpath]
  : ["npx", "-y", "pnpm@12.4.2"];
const r = spawnSync(
  pnpm[0],
  [...pnpm.slice(1), "-r", "--filter", "./packages/*", "publish", "--dry-run", "--no-git-checks", "--json"],
  { cwd: workspace, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 },
);
if (r.status !== 0) process.exit(r.status ?? 1);
const reports = JSON.parse(r.stdout);

/** The files each package's published exports point at (publishConfig.exports), by package name. */
const exported = new Map();
for (const dir of readdirSync(join(workspace, "packages"))) {
  const pkg = JSON.parse(readFileSync(join(workspace, "packages", dir, "package.json"), "utf8"));
  const files = new Set();
  const walk = (v) => {
    if (typeof v === "string") files.add(v.replace(/^\.\//, ""));
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(pkg.publishConfig?.exports);
  walk(pkg.publishConfig?.bin ?? pkg.bin);
  exported.set(pkg.name, files);
}

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`\nWould publish ${reports.length} packages (dry run, nothing uploaded):\n`);
for (const p of reports.sort((a, b) => a.name.localeCompare(b.name))) {
  const paths = p.files.map((f) => f.path);
  const entries = exported.get(p.name) ?? new Set();
  const missing = [...entries].filter((f) => !f.includes("*") && !paths.includes(f));
  console.log(
    `${p.id}: ${paths.length} files, ${kB(p.size)} packed, ${kB(p.unpackedSize)} unpacked${missing.length ? ` — MISSING ${missing.join(", ")}` : ""}`,
  );
  const shown = paths.filter((f) => !f.startsWith("dist/") || entries.has(f));
  console.log(
    `  ${shown.join(", ")}${paths.length > shown.length ? `, and ${paths.length - shown.length} more in dist/` : ""}`,
  );
  if (missing.length) process.exitCode = 1;
}
