import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentTypeOf, resolveStaticPath, serveStatic } from "../src/server/static-files.ts";

describe("resolveStaticPath", () => {
  const root = "/srv/app";
  it("maps URL paths under the root", () => {
    expect(resolveStaticPath(root, "/index.html")).toBe("/srv/app/index.html");
    expect(resolveStaticPath(root, "/assets/a%20b.js?v=1")).toBe("/srv/app/assets/a b.js");
  });
  it.each([
    "/../etc/passwd",
    "/assets/../../etc/passwd",
    "/%2e%2e/etc/passwd",
    "/..%2fetc%2fpasswd",
    "/a%00b",
    "/%E0%A4%A",
    "/..\\etc",
  ])("refuses %s", (p) => {
    expect(resolveStaticPath(root, p)).toBeUndefined();
  });
});

describe("contentTypeOf", () => {
  it("knows the files a PWA is made of", () => {
    expect(contentTypeOf("/x/manifest.webmanifest")).toBe("application/manifest+json");
    expect(contentTypeOf("/sw.js")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeOf("/a.PNG")).toBe("image/png");
    expect(contentTypeOf("/noext")).toBe("application/octet-stream");
  });
});

describe("serveStatic", () => {
  let dir: string;
  let outside: string;
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    outside = mkdtempSync(join(tmpdir(), "fs-outside-"));
    writeFileSync(join(outside, "secret.txt"), "not for the web");
    dir = mkdtempSync(join(tmpdir(), "fs-static-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>shell</title>");
    writeFileSync(join(dir, "assets", "app-abc.js"), "console.log(1)");
    writeFileSync(join(dir, "sw.js"), "self");
    // Links inside the build folder: one to a file outside it, one to a folder outside it, one
    // that stays inside (allowed).
    symlinkSync(join(outside, "secret.txt"), join(dir, "leak.txt"));
    symlinkSync(outside, join(dir, "assets", "elsewhere"));
    symlinkSync(join(dir, "sw.js"), join(dir, "alias.js"));
    server = createServer((req, res) => void serveStatic(dir, req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("serves / as index.html, not cached by HTTP", async () => {
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toBe("<!doctype html><title>shell</title>");
  });
  it("serves hashed assets as immutable and sw.js as no-cache", async () => {
    const asset = await fetch(`${origin}/assets/app-abc.js`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await asset.text()).toBe("console.log(1)");
    expect((await fetch(`${origin}/sw.js`)).headers.get("cache-control")).toBe("no-cache");
  });
  it("answers a deep link that asks for HTML with the shell, and a missing file with 404", async () => {
    const page = await fetch(`${origin}/some/route`, { headers: { Accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("shell");
    const missing = await fetch(`${origin}/assets/missing.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errorCode: "NotFound", message: expect.any(String) });
  });
  it("refuses writes with a JSON error", async () => {
    const res = await fetch(`${origin}/index.html`, { method: "POST", body: "x" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe("MethodNotAllowed");
  });
  it("answers a malformed path with 400 and a JSON error", async () => {
    const res = await fetch(`${origin}/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errorCode: string }).errorCode).toBe("BadPath");
  });
  it("never follows a symlink out of the build folder, even for a navigation", async () => {
    for (const path of ["/leak.txt", "/assets/elsewhere/secret.txt"]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("not for the web");
      const page = await fetch(`${origin}${path}`, { headers: { Accept: "text/html" } });
      expect(await page.text()).toBe("<!doctype html><title>shell</title>");
    }
    const inside = await fetch(`${origin}/alias.js`);
    expect(inside.status).toBe(200);
    expect(await inside.text()).toBe("self");
  });
});
