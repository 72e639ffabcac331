/**
 * Builds `dist/index.cjs`: @xrm-offline/testing as CommonJS, for Jest's default set-up (ts-jest or
 * babel-jest emitting `require`, no `--experimental-vm-modules`). Jest runs modules in its own
 * registry and does not use Node's `require(esm)`, so everything ESM-only must be inside the file:
 * the @xrm-offline packages (ES modules) and uuid (ESM-only since v12) are bundled; dependencies
 * that ship CommonJS (rxjs, dexie, fake-indexeddb, fast-xml-parser, better-sqlite3) stay
 * `require`d, so a test shares them with the rest of the project.
 *
 *   tsx packages/testing/scripts/build-cjs.ts [outDir]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CJS_EXTERNALS = ["rxjs", "dexie", "fake-indexeddb", "fast-xml-parser", "better-sqlite3"];

export async function buildTestingCjs(outDir = join(PACKAGE_ROOT, "dist")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "index.cjs");
  await build({
    entryPoints: [join(PACKAGE_ROOT, "src", "index.ts")],
    outfile,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: CJS_EXTERNALS,
    sourcemap: "linked",
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await buildTestingCjs(process.argv[2])}\n`);
}
