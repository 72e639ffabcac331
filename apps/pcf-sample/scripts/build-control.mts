/**
 * Builds the sample control with Microsoft's pcf-scripts (`pcf-scripts build`), the same tool
 * `npm run build` of a `pac pcf init` project runs, and returns where the bundle is.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const SAMPLE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CONTROL_OUT = join(SAMPLE_ROOT, "out", "controls", "OfflineAccounts");
/** The digest of the inputs the bundle in CONTROL_OUT was built from (written after a build). */
const INPUTS_DIGEST = join(SAMPLE_ROOT, "out", "inputs.sha256");

const WORKSPACE = join(SAMPLE_ROOT, "..", "..");
/** Folders whose content is derived, not an input (pcf-scripts regenerates `generated/`). */
const SKIP = new Set(["node_modules", "generated", "dist", "out"]);

/**
 * SHA-256 over every file under `roots` (files or folders, SKIP aside): each file's path relative
 * to `base` and its bytes, in path order. Content, not dates: a checkout, a copy or a stash can
 * give an older input a newer date or a changed input an older one, and a deleted file leaves no
 * date at all.
 */
export function digestFiles(roots: readonly string[], base: string): string {
  const files: string[] = [];
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    if (!statSync(path).isDirectory()) {
      files.push(path);
      return;
    }
    for (const entry of readdirSync(path)) if (!SKIP.has(entry)) walk(join(path, entry));
  };
  for (const root of roots) walk(root);
  const hash = createHash("sha256");
  for (const file of files.map((f) => relative(base, f).split(sep).join("/")).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(base, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * What the bundle is made from: the control and its build settings (this script included), every
 * package's sources and package.json (`exports` decide what webpack picks), and the lockfile (the
 * third-party versions, pcf-scripts' own among them).
 */
function inputsDigest(): string {
  const packages = readdirSync(join(WORKSPACE, "packages")).flatMap((pkg) => [
    join(WORKSPACE, "packages", pkg, "src"),
    join(WORKSPACE, "packages", pkg, "package.json"),
  ]);
  return digestFiles(
    [SAMPLE_ROOT, ...packages, join(WORKSPACE, "pnpm-lock.yaml"), join(WORKSPACE, "pnpm-workspace.yaml")],
    WORKSPACE,
  );
}

/**
 * Builds the control unless `reuseFresh` and the bundle was built from inputs with the same digest
 * (the webpack build takes minutes on a busy 2-core machine; hashing the inputs, well under a second).
 * A fresh clone, or any change to an input, builds.
 */
export function buildControl(
  options: { reuseFresh?: boolean } = {},
): Promise<{ bundle: string; manifest: string }> {
  const bundle = join(CONTROL_OUT, "bundle.js");
  const manifest = join(CONTROL_OUT, "ControlManifest.xml");
  const digest = inputsDigest();
  if (
    options.reuseFresh &&
    existsSync(bundle) &&
    existsSync(manifest) &&
    existsSync(INPUTS_DIGEST) &&
    readFileSync(INPUTS_DIGEST, "utf8") === digest
  ) {
    return Promise.resolve({ bundle, manifest });
  }
  // A build that fails half-way must not leave the old digest next to a changed bundle.
  rmSync(INPUTS_DIGEST, { force: true });
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
        writeFileSync(INPUTS_DIGEST, digest);
        resolve({
          bundle: join(CONTROL_OUT, "bundle.js"),
          manifest: join(CONTROL_OUT, "ControlManifest.xml"),
        });
      }
    });
  });
}
