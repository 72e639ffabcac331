/**
 * Builds `dist/index.cjs`: @xrm-offline/testing as CommonJS, for Jest's default set-up (ts-jest or
 * babel-jest emitting `require`, no `--experimental-vm-modules`). Jest runs modules in its own
 * registry and does not use Node's `require(esm)`, so everything ESM-only must be inside the file:
 * the @xrm-offline packages (ES modules) and uuid (ESM-only since v12) are bundled; dependencies
 * that ship CommonJS (rxjs, dexie, fake-indexeddb, fast-xml-parser, better-sqlite3) stay
 * `require`d, so a test shares them with the rest of the project.
 *
 * Its types, `dist/index.d.cts`, are tsdown's `dist/index.d.ts` (so `pnpm build` runs tsdown first)
 * with each import of an @xrm-offline package marked `resolution-mode: "import"`: those packages
 * are ESM-only, and a CommonJS declaration file may only refer to their types that way (TypeScript
 * reports the plain import under `module: node16`/`nodenext`). The types are the same; at run time
 * the CommonJS file carries its own copies of our classes (docs/testing.md: the `instanceof` caveat).
 *
 *   tsx packages/testing/scripts/build-cjs.ts [outDir]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
  const dts = join(outDir, "index.d.ts");
  if (existsSync(dts)) writeFileSync(join(outDir, "index.d.cts"), cjsDeclarations(readFileSync(dts, "utf8")));
  return outfile;
}

/** index.d.ts → index.d.cts: imports of our ESM-only packages get `resolution-mode: "import"`. */
export function cjsDeclarations(dts: string): string {
  return dts
    .replace(
      /^import \{([^}]*)\} from "(@xrm-offline\/[^"]+)";$/gm,
      (_, names: string, from: string) =>
        `import type {${names}} from "${from}" with { "resolution-mode": "import" };`,
    )
    .replace(/^\/\/# sourceMappingURL=.*$/m, "");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await buildTestingCjs(process.argv[2])}\n`);
}
