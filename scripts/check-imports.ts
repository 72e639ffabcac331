// `tsx scripts/check-imports.ts`: fails when an import goes against the layering
// (docs/architecture.md): webapi → sync → {store, transport} → odata → metadata; nothing in
// packages/ imports an app; no app imports another app (the harness aside: HARNESS_STARTS); the
// emulator uses only metadata and odata (its error catalogue).
// Part of the root `test` script. Reads source text only: it is fast and needs no build.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** What each package's own code may import (besides itself and npm packages). */
const ALLOWED: Record<string, readonly string[]> = {
  metadata: [],
  odata: ["metadata"],
  store: ["odata", "metadata"],
  transport: ["odata", "metadata"],
  sync: ["store", "transport", "odata", "metadata"],
  webapi: ["sync", "store", "transport", "odata", "metadata"],
  // The browser bundle for Dataverse web resources: the facade, wrapped for plain scripts.
  "web-resource": ["webapi", "sync", "store", "transport", "odata", "metadata"],
  // The facade for PCF code components: on top of webapi too.
  pcf: ["webapi", "sync", "store", "transport", "odata", "metadata"],
  emulator: ["odata", "metadata"],
  // The test harness embeds the server and the facade: that is its whole point (dev/test only).
  testing: ["emulator", "webapi", "sync", "store", "transport", "odata", "metadata"],
};
/** Tests and benchmarks of a package may also start the emulator (a server to talk to). */
const TEST_EXTRA = ["emulator"];
/**
 * The only imports of one app by another: apps/harness builds and starts the apps it tests end to
 * end through what they export for that — field-service's build and server (`.` is
 * src/server/index.ts) and pcf-sample's build script (`./build`). Exact specifiers: a relative path
 * into an app, another of its entries or any other app importing an app fails.
 */
const HARNESS_STARTS: readonly string[] = ["@xrm-offline/field-service", "@xrm-offline/pcf-sample/build"];

const packages = readdirSync(join(root, "packages"));
const apps = readdirSync(join(root, "apps"));

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** "packages/store" → { group: "packages", name: "store" }, for a path inside the repository. */
function ownerOf(path: string): { group: string; name: string } | undefined {
  const [group, name] = relative(root, path).split(sep);
  return (group === "packages" || group === "apps") && name ? { group, name } : undefined;
}

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;

const problems: string[] = [];
for (const group of ["packages", "apps"]) {
  for (const name of group === "packages" ? packages : apps) {
    const dir = join(root, group, name);
    for (const file of files(dir)) {
      const isTest = /\.test\.ts$|[/\\](bench|test|testing)[/\\]/.test(relative(dir, file));
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec) continue;
        let target: { group: string; name: string } | undefined;
        if (spec.startsWith("@xrm-offline/")) {
          const pkg = spec.split("/")[1]!;
          target = { group: apps.includes(pkg) ? "apps" : "packages", name: pkg };
        } else if (spec.startsWith(".")) {
          target = ownerOf(resolve(dirname(file), spec));
          if (!target) continue; // the repository's scripts (bench report)
        } else {
          continue; // npm packages and node: built-ins
        }
        if (target.group === group && target.name === name) continue;
        const where = `${relative(root, file)}: imports ${spec}`;
        if (group === "apps") {
          // Apps may import packages; an app only as HARNESS_STARTS says.
          if (target.group === "apps" && !(name === "harness" && HARNESS_STARTS.includes(spec))) {
            problems.push(
              `${where} (an app imports another app; only apps/harness may, and only ${HARNESS_STARTS.join(", ")})`,
            );
          }
          continue;
        }
        if (target.group === "apps") {
          problems.push(`${where} (a package imports an app)`);
          continue;
        }
        if (spec.startsWith(".")) {
          problems.push(`${where} (reaches into another package by path; import it by name)`);
          continue;
        }
        const allowed = ALLOWED[name];
        if (!allowed) {
          problems.push(`${where} (package ${name} has no layering rule in scripts/check-imports.ts)`);
          continue;
        }
        if (!allowed.includes(target.name) && !(isTest && TEST_EXTRA.includes(target.name))) {
          problems.push(
            `${where} (against the layering: ${name} may import ${allowed.join(", ") || "nothing"})`,
          );
        }
      }
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`Import direction check failed:\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
  process.exit(1);
}
process.stdout.write("Import direction check passed.\n");
