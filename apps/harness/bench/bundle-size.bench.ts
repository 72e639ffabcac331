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
  note: "guard ≤ 82,000 B",
});
report({ suite, name: "esbuild: first chunks, minified", value: esbuild.minified, unit: "B" });
report({ suite, name: "esbuild: all chunks, min+gzip", value: esbuild.total.gzip, unit: "B" });
report({ suite, name: "esbuild: all chunks, minified", value: esbuild.total.minified, unit: "B" });
for (const p of esbuild.byPackage) {
  if (p.name === "@xrm-offline/harness" || p.name === "<stdin>") continue; // the page itself
  report({
    suite,
    name: `esbuild: ${p.name}, minified`,
    value: p.initial,
    unit: "B",
    note: `first chunks; +${p.lazy} B later`,
  });
}
