// `pnpm bench [filter]`: runs every benchmark file of every package and app, each in its own
// process, prints one table, and rewrites the generated part of docs/benchmarks.md.
// Benchmarks never take part in the test command's pass/fail.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
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

const load = loadavg()[0]?.toFixed(1) ?? "?";
const bySuite = new Map<string, typeof results>();
for (const r of results) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
// Each suite says when, how and under what load it ran: a filtered run keeps the other suites,
// which may be days older and measured on a busier machine.
const sections = new Map<string, string>();
for (const [suite, rows] of bySuite) {
  let section = `### ${suite}\n\nRun ${date}, \`pnpm bench${filter ? ` ${filter}` : ""}\`, load average ${load}.\n\n| measure | value | unit | note | source |\n|---|---:|---|---|---|\n`;
  for (const r of rows)
    section += `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.note ?? ""} | \`${r.file}\` |\n`;
  sections.set(suite, section.trim());
}
console.log([...sections.values()].join("\n\n"));

// A full run rewrites the generated part; a filtered run replaces its own suites in place and
// keeps the others where they were.
const docPath = join(root, "docs", "benchmarks.md");
const BEGIN = "<!-- bench:begin -->";
const END = "<!-- bench:end -->";
const doc = existsSync(docPath) ? readFileSync(docPath, "utf8") : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
const [head, rest = ""] = doc.split(BEGIN);
const tail = rest.split(END)[1] ?? "\n";
if (results.length > 0) {
  const previous = filter ? (rest.split(END)[0] ?? "") : "";
  const parts = previous
    .split(/\n(?=### )/)
    .map((s) => s.trim())
    .filter((s) => s.startsWith("### "));
  const body: string[] = [];
  for (const part of parts) {
    const name = part.slice(4, part.indexOf("\n") < 0 ? undefined : part.indexOf("\n")).trim();
    body.push(sections.get(name) ?? part);
    sections.delete(name);
  }
  body.push(...sections.values());
  const header = `Machine: ${machine}. Each suite gives its own date, command and load.`;
  writeFileSync(docPath, `${head}${BEGIN}\n${header}\n\n${body.join("\n\n")}\n${END}${tail}`);
}
if (failed > 0) process.exitCode = 1;
