import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { precacheManifest } from "../src/server/precache-list.ts";

describe("precacheManifest", () => {
  const dirs: string[] = [];
  const app = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "fs-precache-"));
    dirs.push(dir);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("lists the shell first and every file but the worker and source maps", async () => {
    const dir = app({
      "index.html": "h",
      "assets/b.js": "b",
      "assets/b.js.map": "{}",
      "assets/a.css": "a",
      "manifest.webmanifest": "{}",
      "sw.js": "w",
    });
    const m = await precacheManifest(dir);
    expect(m.files).toEqual(["/", "/assets/a.css", "/assets/b.js", "/manifest.webmanifest", "/index.html"]);
    expect(m.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it("changes version when any listed file changes, not when the worker does", async () => {
    const base = { "index.html": "h", "assets/b.js": "b" };
    const v1 = (await precacheManifest(app(base))).version;
    expect((await precacheManifest(app({ ...base, "sw.js": "other" }))).version).toBe(v1);
    expect((await precacheManifest(app({ ...base, "assets/b.js": "b2" }))).version).not.toBe(v1);
  });

  it("refuses a folder that is not a built app", async () => {
    await expect(precacheManifest(app({ "assets/x.js": "x" }))).rejects.toThrow(/no index\.html/);
  });
});
