// `pnpm bench [filter]`: runs every benchmark file of every package and app, each in its own
// process, prints one table, and rewrites the generated part of docs/benchmarks.md.
// Benchmarks never take part in the test command's pass/fail.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchResult } from "./bench-report.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const filter = process.argv[2];
const files: string[] = [];
for (const group of ["packages", "apps"]) {
  for (const pkg of readdirSync(join(root, group))) {
    const dir = join(root, group, pkg, "bench");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".bench.ts")) files.push(join(dir, f));
    }
  }
}
const selected = files.filter((f) => !filter || f.includes(filter));
const results: (BenchResult & { file: string })[] = [];
let failed = 0;
for (const file of selected) {
  const rel = relative(root, file);
  process.stderr.write(`▶ ${rel}\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", file], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (const line of r.stdout.split("\n")) {
    if (line.startsWith("BENCH ")) results.push({ ...(JSON.parse(line.slice(6)) as BenchResult), file: rel });
  }
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`✗ ${rel} exited with ${r.status}\n`);
  } else {
    process.stderr.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
const cpu = cpus()[0]?.model ?? "unknown CPU";
const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
const date = new Date().toISOString().slice(0, 10);

const bySuite = new Map<string, typeof results>();
for (const r of results) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
let table = "";
for (const [suite, rows] of bySuite) {
  table += `\n### ${suite}\n\n| measure | value | unit | note | source |\n|---|---:|---|---|---|\n`;
  for (const r of rows)
    table += `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.note ?? ""} | \`${r.file}\` |\n`;
}
console.log(table);

// Only a full run rewrites the doc; a filtered run replaces just its suites.
const docPath = join(root, "docs", "benchmarks.md");
const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
const doc = existsSync(docPath) ? readFileSync(docPath, "utf8") : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
const [head, rest = ""] = doc.split(BEGIN);
const tail = rest.split(END)[1] ?? "\n";
const generated = `${BEGIN}\nLast run: ${date}, \`pnpm bench${filter ? ` ${filter}` : ""}\`, on ${machine}.\n${table}${END}`;
if (results.length > 0) {
  const previous = rest.split(END)[0] ?? "";
  let body = generated;
  if (filter && previous.includes("### ")) {
    // Keep the other suites from the previous full run.
    const kept = previous
      .split(/\n(?=### )/)
      .map((s) => s.trim())
      .filter((s) => s.startsWith("### ") && !bySuite.has(s.slice(4, s.indexOf("\n"))))
      .join("\n");
    body = `${BEGIN}\nLast run: ${date}, \`pnpm bench${filter ? ` ${filter}` : ""}\`, on ${machine}.\n${table}\n${kept.trim()}\n${END}`;
  }
  writeFileSync(docPath, `${head}${body}${tail}`);
}
if (failed > 0) process.exitCode = 1;
