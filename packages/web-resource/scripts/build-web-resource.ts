/**
 * Builds `dist/xrm-offline.min.js`: every package a page needs in one classic script (an IIFE that
 * sets `window.XrmOffline`), which is what a Dataverse JavaScript web resource can be — form
 * libraries and `<script src>` in an HTML web resource load scripts, not ES modules.
 *
 *   tsx packages/web-resource/scripts/build-web-resource.ts [outDir]
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE_NAME = "xrm-offline.min.js";

export interface WebResourceBuild {
  /** Absolute path of the written file. */
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

export async function buildWebResource(outDir = join(PACKAGE_ROOT, "dist")): Promise<WebResourceBuild> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, BUNDLE_NAME);
  const result = await build({
    entryPoints: [join(PACKAGE_ROOT, "src", "global.ts")],
    outfile: file,
    bundle: true,
    format: "iife",
    globalName: "XrmOffline",
    platform: "browser",
    // The browsers model-driven apps support (current Edge, Chrome, Firefox, Safari).
    target: ["es2022", "chrome109", "edge109", "firefox115", "safari16"],
    minify: true,
    sourcemap: "linked",
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
  });
  const bytes =
    result.metafile.outputs[Object.keys(result.metafile.outputs).find((o) => o.endsWith(".js")) ?? ""]?.bytes;
  writeFileSync(join(outDir, "meta.json"), JSON.stringify(result.metafile));
  // Its types: the global's declaration, next to the file (see xrm-offline.d.ts).
  copyFileSync(join(PACKAGE_ROOT, "xrm-offline.d.ts"), join(outDir, "xrm-offline.d.ts"));
  return { file, bytes: bytes ?? 0, metafile: result.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildWebResource(process.argv[2]);
  process.stdout.write(`${out.file} ${out.bytes} bytes\n`);
}
