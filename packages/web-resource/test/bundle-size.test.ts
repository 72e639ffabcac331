// The single file's weight: a form library or HTML web resource loads all of xrm-offline.min.js
// before the page runs, so growth should be a decision, not an accident. Built from the sources into
// a temporary folder (esbuild, a few seconds), gzip level 9 (Node's zlib).
// Measured 2026-12-05: 515,653 B minified, 148,140 B min+gzip; the budget is ~10% above that.
// Raise it only with the new figure in docs/model-driven-apps.md ("It is … bytes minified").
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { buildWebResource } from "../scripts/build-web-resource.ts";

const MIN_GZIP_BUDGET = 163_000;
const outDir = mkdtempSync(join(tmpdir(), "xrm-offline-web-resource-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it(`xrm-offline.min.js stays within ${MIN_GZIP_BUDGET} B min+gzip`, { timeout: 60_000 }, async () => {
  const { file, bytes } = await buildWebResource(outDir);
  const code = readFileSync(file);
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  expect(bytes).toBe(code.byteLength);
  expect(gzip).toBeLessThanOrEqual(MIN_GZIP_BUDGET);
});
