/**
 * The build every library package shares (each package's tsdown.config.ts names its entries).
 *
 * Why tsdown: it runs on Node 20, bundles each entry point into ESM with source maps, and writes one
 * bundled `.d.ts` per entry with Oxc's isolated-declarations emitter. TypeScript 7 (our `tsc`) has
 * no JavaScript compiler API, so declaration bundlers that drive `typescript` (tsup's dts, api-
 * extractor, rolldown-plugin-dts's tsc mode) cannot run here; isolated declarations need no type
 * checker, only explicit types on exported values, which the build enforces (it fails otherwise).
 * Dependencies and peer dependencies stay external; the workspace's own packages are dependencies,
 * so each package ships only its own code.
 */
import { defineConfig, type UserConfig } from "tsdown";

export function libraryConfig(
  entry: Record<string, string>,
  options: {
    readonly platform?: "node" | "neutral";
    readonly clean?: boolean;
    readonly unbundle?: boolean;
  } = {},
): UserConfig {
  return defineConfig({
    entry,
    format: "esm",
    // One output file per source module (index.js re-exports them), as in the workspace: a bundler
    // that tree-shakes and code-splits an app works per module, so a module of ours that a page
    // doesn't use — the CSDL reader and its fast-xml-parser import, say — is dropped whole, and a
    // dynamically imported one (the FetchXML reader, the sync engine) stays out of the first chunk.
    // One bundled file per package would put every static import of it in the page's first chunk.
    unbundle: options.unbundle ?? true,
    platform: options.platform ?? "neutral",
    target: "es2022",
    sourcemap: true,
    dts: { oxc: true, sourcemap: true },
    // .js/.d.ts for every platform: the packages are "type": "module".
    fixedExtension: false,
    clean: options.clean ?? true,
    outDir: "dist",
    // The package.json in the workspace points at src/; the packed one (publishConfig) at dist/.
    exports: false,
    publint: false,
    logLevel: "warn",
  });
}
