// Cookie sessions and web resources: the emulator as the org's own site (src/http/session.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../src/index.ts";

const COOKIE = "s3ss10n-abc";
const USER = "0a1b2c3d-0000-4000-8000-00000000abcd";
const PAGE = "<!doctype html><title>page</title>";

describe("cookie session", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      session: { cookie: COOKIE, userId: USER },
      accessToken: "bearer-token-1",
      webResources: { "new_/page.html": PAGE, "new_/lib.js": "var x = 1;" },
    });
  });
  afterAll(() => emu.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${emu.origin}${path}`, { headers, redirect: "manual" });

  it("/login sets the session cookie and sends the browser back to a same-origin page only", async () => {
    const res = await get("/login?returnUrl=%2FWebResources%2Fnew_%2Fpage.html");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/WebResources/new_/page.html");
    expect(res.headers.get("set-cookie")).toBe(`CrmOwinAuth=${COOKIE}; Path=/; HttpOnly; SameSite=Lax`);
    for (const elsewhere of ["https://evil.example/", "//evil.example/x", "/\\evil.example", ""]) {
      const r = await get(`/login?returnUrl=${encodeURIComponent(elsewhere)}`);
      expect(r.headers.get("location")).toBe("/");
    }
    const out = await get("/logout");
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  it("Web API: the session cookie or the bearer token; anything else 401 and nothing written", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${emu.url}/accounts`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ name: "via session" }),
      });
    const refused: Record<string, string>[] = [
      {},
      { Cookie: "CrmOwinAuth=wrong" },
      { Cookie: `Other=${COOKIE}` },
    ];
    for (const headers of refused) {
      expect((await post(headers)).status).toBe(401);
    }
    expect(emu.count("account")).toBe(0);
    expect((await post({ Cookie: `a=1; CrmOwinAuth=${COOKIE}; b=2` })).status).toBe(204);
    expect((await post({ Authorization: "Bearer bearer-token-1" })).status).toBe(204);
    expect(emu.count("account")).toBe(2);
  });

  it("web resources need the session (302 to /login), are served with their content type, unknown → 404", async () => {
    const anonymous = await get("/WebResources/new_/page.html?v=1");
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe(
      `/login?returnUrl=${encodeURIComponent("/WebResources/new_/page.html?v=1")}`,
    );
    const cookie = { Cookie: `CrmOwinAuth=${COOKIE}` };
    const page = await get("/WebResources/new_/page.html", cookie);
    expect([page.status, page.headers.get("content-type"), await page.text()]).toEqual([
      200,
      "text/html; charset=utf-8",
      PAGE,
    ]);
    const js = await get("/WebResources/new_/lib.js", cookie);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await get("/WebResources/new_/missing.js", cookie)).status).toBe(404);
    expect((await get("/WebResources/%E0%A4%A", cookie)).status).toBe(400);
    expect(
      (await fetch(`${emu.origin}/WebResources/new_/page.html`, { method: "POST", headers: cookie })).status,
    ).toBe(405);
    expect((await get("/elsewhere", cookie)).status).toBe(404);
  });

  it("ClientGlobalContext.js.aspx gives GetGlobalContext() with the org URL and the user", async () => {
    const res = await get("/WebResources/ClientGlobalContext.js.aspx", { Cookie: `CrmOwinAuth=${COOKIE}` });
    expect(res.status).toBe(200);
    const scope: { GetGlobalContext?: () => { getClientUrl(): string; userSettings: { userId: string } } } =
      {};
    new Function("window", await res.text())(scope);
    const context = scope.GetGlobalContext?.();
    expect([context?.getClientUrl(), context?.userSettings.userId]).toEqual([
      emu.origin,
      `{${USER.toUpperCase()}}`,
    ]);
  });
});

describe("session options", () => {
  it("refuses a cookie value or name that could not be sent, and a user id that is not a GUID", async () => {
    for (const session of [
      { cookie: "" },
      { cookie: "a b" },
      { cookie: "a;b" },
      { cookie: "ok", cookieName: "bad name" },
      { cookie: "ok", userId: "me" },
    ]) {
      await expect(startEmulator({ session })).rejects.toBeInstanceOf(TypeError);
    }
  });

  it("without a session, /login is not a route and the Web API stays open", async () => {
    const emu = await startEmulator();
    try {
      expect((await fetch(`${emu.origin}/login`, { redirect: "manual" })).status).toBe(404);
      expect((await fetch(`${emu.url}/accounts`)).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
