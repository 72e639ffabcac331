// When the PCF sample's browser test may reuse a bundle built earlier: only when the bundle's inputs
// have the same content (apps/pcf-sample/scripts/build-control.mts, digestFiles), whatever the dates.
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestFiles } from "@xrm-offline/pcf-sample/build";
import { afterEach, beforeEach, expect, it } from "vitest";

let dir: string;
let digest: () => string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pcf-inputs-"));
  mkdirSync(join(dir, "control", "generated"), { recursive: true });
  mkdirSync(join(dir, "packages", "odata", "src"), { recursive: true });
  mkdirSync(join(dir, "control", "node_modules"), { recursive: true });
  writeFileSync(join(dir, "control", "index.ts"), "export const a = 1;\n");
  writeFileSync(join(dir, "packages", "odata", "src", "errors.ts"), "export const code = 1;\n");
  writeFileSync(join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  digest = () =>
    digestFiles(
      [join(dir, "control"), join(dir, "packages", "odata", "src"), join(dir, "pnpm-lock.yaml")],
      dir,
    );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("is the same for the same content, even with other dates", () => {
  const before = digest();
  expect(before).toMatch(/^[0-9a-f]{64}$/);
  utimesSync(join(dir, "control", "index.ts"), new Date(2030, 0, 1), new Date(2030, 0, 1));
  expect(digest()).toBe(before);
});

it("changes when an input changes although its date goes back (a checkout, a copy)", () => {
  const before = digest();
  const file = join(dir, "packages", "odata", "src", "errors.ts");
  writeFileSync(file, "export const code = 2;\n");
  utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1));
  expect(digest()).not.toBe(before);
});

it("changes when an input is deleted, added or renamed, or the lockfile changes", () => {
  const base = digest();
  rmSync(join(dir, "control", "index.ts"));
  const deleted = digest();
  expect(deleted).not.toBe(base);
  writeFileSync(join(dir, "control", "index.ts"), "export const a = 1;\n");
  expect(digest()).toBe(base);
  renameSync(join(dir, "control", "index.ts"), join(dir, "control", "main.ts"));
  expect(digest()).not.toBe(base);
  renameSync(join(dir, "control", "main.ts"), join(dir, "control", "index.ts"));
  writeFileSync(join(dir, "control", "extra.ts"), "");
  expect(digest()).not.toBe(base);
  rmSync(join(dir, "control", "extra.ts"));
  writeFileSync(join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.1'\n");
  expect(digest()).not.toBe(base);
});

it("ignores derived folders: generated/, node_modules/", () => {
  const before = digest();
  writeFileSync(join(dir, "control", "generated", "ManifestTypes.d.ts"), "export {};\n");
  writeFileSync(join(dir, "control", "node_modules", "x.js"), "1");
  expect(digest()).toBe(before);
});
