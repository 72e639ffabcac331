/**
 * Builds the sample control with Microsoft's pcf-scripts (`pcf-scripts build`), the same tool
 * `npm run build` of a `pac pcf init` project runs, and returns where the bundle is.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SAMPLE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CONTROL_OUT = join(SAMPLE_ROOT, "out", "controls", "OfflineAccounts");

const WORKSPACE = join(SAMPLE_ROOT, "..", "..");

/** Newest modification time of the files the bundle is made from (the control and the packages). */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name === "dist") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(SAMPLE_ROOT, "OfflineAccounts"));
  for (const pkg of readdirSync(join(WORKSPACE, "packages"))) {
    const src = join(WORKSPACE, "packages", pkg, "src");
    if (existsSync(src)) walk(src);
  }
  return newest;
}

/**
 * Builds the control unless `reuseFresh` and a bundle newer than every source file exists (the
 * webpack build takes minutes on a busy 2-core machine; a fresh clone always builds).
 */
export function buildControl(
  options: { reuseFresh?: boolean } = {},
): Promise<{ bundle: string; manifest: string }> {
  const bundle = join(CONTROL_OUT, "bundle.js");
  const manifest = join(CONTROL_OUT, "ControlManifest.xml");
  if (
    options.reuseFresh &&
    existsSync(bundle) &&
    existsSync(manifest) &&
    statSync(bundle).mtimeMs > newestSource()
  ) {
    return Promise.resolve({ bundle, manifest });
  }
  const pcfScripts = join(
    dirname(createRequire(join(SAMPLE_ROOT, "package.json")).resolve("pcf-scripts/package.json")),
    "bin",
    "pcf-scripts.js",
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pcfScripts, "build", "--buildMode", "production"], {
      cwd: SAMPLE_ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      // pcf-scripts reports failures in its output; its exit code is not always non-zero.
      if (code !== 0 || !/\[build\] Succeeded/.test(output)) {
        reject(new Error(`pcf-scripts build failed (exit ${code}):\n${output}`));
      } else {
        resolve({
          bundle: join(CONTROL_OUT, "bundle.js"),
          manifest: join(CONTROL_OUT, "ControlManifest.xml"),
        });
      }
    });
  });
}
