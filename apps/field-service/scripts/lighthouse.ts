/**
 * Lighthouse (12.2.3, run with Node 20) against the built app and Debian's Chromium: the
 * accessibility and best-practices categories on three pages, mobile and desktop presets.
 * Lighthouse 12 has no PWA category and no installability audit any more (both dropped in 12.0);
 * Chromium's own installability check runs in technician.browser.test.ts. Too slow for the test
 * command: run it by hand against the running demo (app + emulator with demo data) and record the
 * result in docs/field-service.md. A run that fails is printed with Lighthouse's error and the
 * others still run. (Started against an app server of its own with no emulator behind it,
 * Lighthouse's first navigation hung until Chromium closed the target, 9 minutes.)
 *
 *   node scripts/xrm.mjs demo -- --port 4190 &
 *   npm i -E --prefix /tmp/lh lighthouse@12.2.3
 *   LIGHTHOUSE=/tmp/lh/node_modules/.bin/lighthouse npx tsx apps/field-service/scripts/lighthouse.ts http://127.0.0.1:4190/
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Audit {
  readonly id: string;
  readonly title: string;
  readonly score: number | null;
  readonly scoreDisplayMode: string;
}
interface Report {
  readonly lighthouseVersion: string;
  readonly categories: Record<
    string,
    { readonly title: string; readonly score: number | null; readonly auditRefs: { id: string }[] }
  >;
  readonly audits: Record<string, Audit>;
}

const bin = process.env.LIGHTHOUSE ?? "lighthouse";
const chrome = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "field-service-lh-"));
const base = new URL(process.argv[2] ?? "http://127.0.0.1:4173/").href;
const out = join(dir, "report.json");
const pages = [
  ["work list", base],
  ["new case", `${base}#/new`],
  ["sync errors", `${base}#/errors`],
  ["diagnostics", `${base}#/diagnostics`],
] as const;
try {
  for (const [name, url] of pages) {
    for (const preset of ["mobile", "desktop"] as const) {
      rmSync(out, { force: true });
      const started = Date.now();
      try {
        execFileSync(
          bin,
          [
            url,
            "--quiet",
            "--output=json",
            `--output-path=${out}`,
            "--only-categories=accessibility,best-practices",
            // /dev/shm is small in containers: Chromium's renderer dies there under load.
            `--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage`,
            ...(preset === "desktop" ? ["--preset=desktop"] : []),
          ],
          {
            env: { ...process.env, CHROME_PATH: chrome },
            stdio: ["ignore", "ignore", "pipe"],
            encoding: "utf8",
          },
        );
      } catch (e) {
        const stderr = String((e as { stderr?: unknown }).stderr ?? e);
        const line = stderr.trim().split("\n").filter(Boolean).at(-1) ?? "no output";
        process.stdout.write(`FAILED · ${name} (${preset}) after ${Date.now() - started} ms: ${line}\n`);
        continue;
      }
      const report = JSON.parse(readFileSync(out, "utf8")) as Report;
      const scores = Object.values(report.categories)
        .map((c) => `${c.title} ${c.score === null ? "n/a" : Math.round(c.score * 100)}`)
        .join(", ");
      const failing = Object.values(report.categories)
        .flatMap((c) => c.auditRefs.map((r) => report.audits[r.id]!))
        .filter((a) => a.scoreDisplayMode === "binary" && a.score === 0)
        .map((a) => a.id);
      process.stdout.write(
        `Lighthouse ${report.lighthouseVersion} · ${name} (${preset}) in ${Date.now() - started} ms: ${scores}; failing: ${failing.join(", ") || "none"}\n`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
