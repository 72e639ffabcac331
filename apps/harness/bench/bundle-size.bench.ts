// `pnpm bench bundle`: what a page importing only `createWebApi` (no bundled metadata) ships — the
// first chunk (entry + its static imports) and all chunks, as Vite builds it and as esbuild does,
// and esbuild's per-package breakdown (minified bytes in the first chunk / in later chunks).
// Sizes, not timings: the same on every machine. The test guard is test/bundle-size.test.ts.
import { fileURLToPath } from "node:url";
import { report } from "../../../scripts/bench-report.ts";
import { measureBundle, measureViteBundle } from "../src/bundle-size.ts";

const here = fileURLToPath(new URL("../test/", import.meta.url));
const PAGE = `import { createWebApi } from "@xrm-offline/webapi"; (globalThis as { x?: unknown }).x = createWebApi;`;
const suite = "bundle size: page importing createWebApi (no bundled metadata)";

const vite = await measureViteBundle(PAGE, here);
report({
  suite,
  name: "Vite: first chunk, min+gzip",
  value: vite.gzip,
  unit: "B",
  note: "budget ≤ 75,000 B",
});
report({ suite, name: "Vite: first chunk, minified", value: vite.minified, unit: "B" });
report({ suite, name: "Vite: all chunks, min+gzip", value: vite.total.gzip, unit: "B" });
report({ suite, name: "Vite: all chunks, minified", value: vite.total.minified, unit: "B" });
for (const c of vite.chunks.filter((c) => !c.initial)) {
  report({
    suite,
    name: `Vite: later chunk ${c.file.replace(/^assets\//, "").replace(/-[\w-]{8}\.js$/, "")}, min+gzip`,
    value: c.gzip,
    unit: "B",
  });
}

const esbuild = await measureBundle(PAGE, here);
report({
  suite,
  name: "esbuild: first chunks, min+gzip",
  value: esbuild.gzip,
  unit: "B",
  note: "guard ≤ 81,000 B",
});
report({ suite, name: "esbuild: first chunks, minified", value: esbuild.minified, unit: "B" });
report({ suite, name: "esbuild: all chunks, min+gzip", value: esbuild.total.gzip, unit: "B" });
report({ suite, name: "esbuild: all chunks, minified", value: esbuild.total.minified, unit: "B" });
// Per package / dependency (esbuild metafile: minified bytes of each input in the output), with
// the figures of the one-bundle page before issue 13's work (docs/benchmarks.md, "Bundle size":
// 18:39 UTC main on 2026-12-04 — 386,522 B minified, 126,422 B min+gzip, the bundled metadata
// already on its own entry point). fast-xml-parser's own dependencies and tslib (rxjs's helpers)
// are summed with them, as that table did.
const GROUP: Record<string, string> = {
  "fast-xml-parser": "fast-xml-parser + its dependencies",
  "is-unsafe": "fast-xml-parser + its dependencies",
  "path-expression-matcher": "fast-xml-parser + its dependencies",
  "@nodable/entities": "fast-xml-parser + its dependencies",
  strnum: "fast-xml-parser + its dependencies",
  anynum: "fast-xml-parser + its dependencies",
  "xml-naming": "fast-xml-parser + its dependencies",
  rxjs: "rxjs + tslib",
  tslib: "rxjs + tslib",
};
const BEFORE: Record<string, number> = {
  dexie: 100_187,
  "@xrm-offline/odata": 75_899,
  "fast-xml-parser + its dependencies": 64_831,
  "@xrm-offline/sync": 37_470,
  "@xrm-offline/store": 36_330,
  "@xrm-offline/transport": 22_999,
  "rxjs + tslib": 22_100,
  "@xrm-offline/webapi": 19_030,
  "@xrm-offline/metadata": 6_286,
  uuid: 802,
};
const groups = new Map<string, { initial: number; lazy: number }>();
for (const p of esbuild.byPackage) {
  if (p.name === "@xrm-offline/harness" || p.name === "<stdin>") continue; // the page itself
  const name = GROUP[p.name] ?? p.name;
  const g = groups.get(name) ?? { initial: 0, lazy: 0 };
  groups.set(name, { initial: g.initial + p.initial, lazy: g.lazy + p.lazy });
}
for (const [name, g] of [...groups].sort((a, b) => b[1].initial - a[1].initial || b[1].lazy - a[1].lazy)) {
  const before = BEFORE[name];
  report({
    suite,
    name: `esbuild: ${name}, minified, first chunks`,
    value: g.initial,
    unit: "B",
    note: `+${g.lazy} B in later chunks${before === undefined ? "" : `; before: ${before} B, all in one bundle`}`,
  });
}
