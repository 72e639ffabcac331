/**
 * What a page that imports our library costs: bundles an entry with esbuild as an app's bundler
 * would (browser, ESM, minified, tree-shaken, code splitting on: a dynamic `import()` becomes a
 * chunk of its own) and reads esbuild's metafile:
 *   - the initial chunks: the entry and every chunk it imports statically — what the page
 *     downloads before its code runs;
 *   - all chunks: plus those only reached through dynamic imports (the FetchXML reader, the sync
 *     engine and transport), downloaded when first used;
 *   - per package, the minified bytes in the initial chunks and in the lazy ones.
 * Gzip (level 9) is measured per chunk and summed, as a browser downloads them.
 */
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";

export interface PackageBytes {
  readonly name: string;
  /** Minified bytes in the initial chunks. */
  readonly initial: number;
  /** Minified bytes in chunks loaded later (dynamic imports). */
  readonly lazy: number;
}

export interface ChunkSize {
  readonly file: string;
  readonly minified: number;
  readonly gzip: number;
  readonly initial: boolean;
}

export interface BundleSize {
  /** Minified bytes of the initial chunks. */
  readonly minified: number;
  /** Minified + gzip (level 9) bytes of the initial chunks. */
  readonly gzip: number;
  /** The same for every chunk, lazy ones included. */
  readonly total: { readonly minified: number; readonly gzip: number };
  readonly chunks: readonly ChunkSize[];
  /** Minified bytes per package (`@xrm-offline/webapi`, `dexie`, …), largest initial share first. */
  readonly byPackage: readonly PackageBytes[];
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

/** The outputs the entry loads before running: itself and its static imports, transitively. */
export function initialOutputs(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((o) => outputs[o]?.entryPoint !== undefined);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  if (entry) visit(entry);
  return seen;
}

/**
 * Bundles `source` (module text, resolved from `resolveDir`) for the browser.
 * `conditions` picks package exports; `alias` maps package names to files (e.g. packed builds).
 */
export async function measureBundle(
  source: string,
  resolveDir: string,
  options: { readonly conditions?: readonly string[]; readonly alias?: Record<string, string> } = {},
): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    splitting: true,
    outdir: "/page",
    platform: "browser",
    target: "es2022",
    conditions: [...(options.conditions ?? [])],
    ...(options.alias ? { alias: options.alias } : {}),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const initial = initialOutputs(result.metafile);
  const chunks: ChunkSize[] = [];
  for (const file of result.outputFiles) {
    // Metafile keys are relative to the working directory, output paths absolute: match by name.
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    const key = Object.keys(result.metafile.outputs).find((o) => o.endsWith(`/${name}`) || o === name);
    if (!key?.endsWith(".js")) continue;
    chunks.push({
      file: key,
      minified: file.contents.byteLength,
      gzip: gzipSync(file.contents, { level: 9 }).byteLength,
      initial: initial.has(key),
    });
  }
  const byName = new Map<string, { initial: number; lazy: number }>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      const entry = byName.get(name) ?? { initial: 0, lazy: 0 };
      if (initial.has(file)) entry.initial += bytesInOutput;
      else entry.lazy += bytesInOutput;
      byName.set(name, entry);
    }
  }
  const sum = (list: ChunkSize[], k: "minified" | "gzip") => list.reduce((n, c) => n + c[k], 0);
  const first = chunks.filter((c) => c.initial);
  return {
    minified: sum(first, "minified"),
    gzip: sum(first, "gzip"),
    total: { minified: sum(chunks, "minified"), gzip: sum(chunks, "gzip") },
    chunks,
    byPackage: [...byName]
      .map(([name, b]) => ({ name, ...b }))
      .filter((p) => p.initial + p.lazy > 0)
      .sort((a, b) => b.initial - a.initial || b.lazy - a.lazy),
  };
}

/** A page's chunks as Vite (Rolldown) builds it for production: what a Vite app ships. */
export interface ViteBundleSize {
  /** The entry chunk and its static imports: minified and minified + gzip (level 9), summed. */
  readonly minified: number;
  readonly gzip: number;
  readonly total: { readonly minified: number; readonly gzip: number };
  readonly chunks: readonly ChunkSize[];
}

/**
 * Builds `source` as the only script of a page with Vite's production build (minified, code
 * splitting on), resolving packages from `root`. `alias` maps package names to files.
 */
export async function measureViteBundle(
  source: string,
  root: string,
  options: { readonly alias?: Record<string, string> } = {},
): Promise<ViteBundleSize> {
  const { build: viteBuild } = await import("vite");
  const ENTRY = "\0page.ts";
  const output = await viteBuild({
    root,
    configFile: false,
    logLevel: "silent",
    resolve: options.alias ? { alias: options.alias } : {},
    plugins: [
      {
        name: "page",
        resolveId: (id) => (id === "page.ts" ? ENTRY : undefined),
        load: (id) => (id === ENTRY ? source : undefined),
      },
    ],
    build: { write: false, target: "es2022", rollupOptions: { input: "page.ts" }, modulePreload: false },
  });
  const result = Array.isArray(output) ? output[0] : output;
  if (!result || !("output" in result)) throw new Error("vite produced no output");
  const js = result.output.filter((o) => o.type === "chunk");
  const byName = new Map(js.map((c) => [c.fileName, c]));
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const i of byName.get(name)?.imports ?? []) visit(i);
  };
  for (const c of js) if (c.isEntry) visit(c.fileName);
  const chunks = js.map((c) => ({
    file: c.fileName,
    minified: Buffer.byteLength(c.code),
    gzip: gzipSync(c.code, { level: 9 }).byteLength,
    initial: initial.has(c.fileName),
  }));
  const sum = (list: ChunkSize[], k: "minified" | "gzip") => list.reduce((n, c) => n + c[k], 0);
  const first = chunks.filter((c) => c.initial);
  return {
    minified: sum(first, "minified"),
    gzip: sum(first, "gzip"),
    total: { minified: sum(chunks, "minified"), gzip: sum(chunks, "gzip") },
    chunks,
  };
}
