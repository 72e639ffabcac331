/**
 * What a page that imports our library costs: bundles an entry with esbuild (browser, ESM,
 * minified, tree-shaken, as an app's bundler would) and splits the minified output by package
 * from esbuild's metafile. Gzip is measured on the whole file (per-package gzip sizes don't add
 * up, so the breakdown gives each package's share of the minified bytes).
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export interface BundleSize {
  /** Minified bytes. */
  readonly minified: number;
  /** Minified + gzip (level 9) bytes. */
  readonly gzip: number;
  /** Minified bytes per package (`@xrm-offline/webapi`, `dexie`, …), largest first. */
  readonly byPackage: readonly { readonly name: string; readonly bytes: number }[];
}

/** Which package an input path of the metafile belongs to. */
export function packageOf(input: string): string {
  const nm = input.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = input.slice(nm + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
  }
  const own = /(?:^|\/)(?:packages|apps)\/([^/]+)\//.exec(input);
  return own ? `@xrm-offline/${own[1]}` : input;
}

/**
 * Bundles `source` (module text, resolved from `resolveDir`) for the browser.
 * `conditions` picks package exports (e.g. the workspace's source or the packed build).
 */
export async function measureBundle(
  source: string,
  resolveDir: string,
  conditions: readonly string[] = [],
): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: [...conditions],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output");
  const byName = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byName.set(name, (byName.get(name) ?? 0) + bytesInOutput);
    }
  }
  return {
    minified: file.contents.byteLength,
    gzip: gzipSync(file.contents, { level: 9 }).byteLength,
    byPackage: [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
  };
}
