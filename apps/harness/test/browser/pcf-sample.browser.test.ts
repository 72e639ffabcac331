// The sample PCF control (apps/pcf-sample), built by Microsoft's pcf-scripts, hosted in real
// Chromium the way the platform hosts it: the bundle registers itself with
// ComponentFramework.registerControl, and the host calls init / updateView with a context. The page
// is served by the emulator's origin with a cookie session, as a model-driven app is.
import { readFileSync } from "node:fs";
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { buildControl } from "@xrm-offline/pcf-sample/build";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goOffline, goOnline, launchBrowser, until } from "./browser-fixture.ts";

const COOKIE = "pcf-session-77aa";
const USER = "0a1b2c3d-0000-4000-8000-00000000beef";
const EXISTING = "7e0bd9c4-0000-4000-8000-0000000000b2";

const HOST_PAGE = `<!doctype html><meta charset="utf-8"><title>PCF host</title>
<script>
  // The app page around a control: the platform's Xrm, and the registry bundles report to.
  window.Xrm = { Utility: { getGlobalContext: function () {
    return { getClientUrl: function () { return location.origin; } };
  } } };
  var registered = {};
  window.ComponentFramework = { registerControl: function (name, ctor) { registered[name] = ctor; } };
</script>
<script src="bundle.js"></script>
<div id="host"></div>
<script>
  var context = {
    parameters: { heading: { raw: "Accounts (offline-capable)" } },
    userSettings: { userId: "{${USER.toUpperCase()}}" },
    mode: { isControlDisabled: false, isVisible: true },
    updatedProperties: [],
  };
  var control = new registered["XrmOffline.OfflineAccounts"]();
  control.init(context, function () {}, {}, document.getElementById("host"));
</script>`;

describe("PCF sample control built with pcf-scripts (real Chromium)", { timeout: 600_000 }, () => {
  let emulator: Emulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // pcf-scripts validates, type-checks and bundles with webpack: the slow part of this file.
    const [built, b] = await Promise.all([buildControl({ reuseFresh: true }), launchBrowser()]);
    browser = b;
    emulator = await startEmulator({
      session: { cookie: COOKIE, userId: USER },
      webResources: {
        "cc_XrmOffline.OfflineAccounts/bundle.js": readFileSync(built.bundle, "utf8"),
        "cc_XrmOffline.OfflineAccounts/host.html": HOST_PAGE,
      },
    });
    emulator.seed("account", [{ accountid: EXISTING, name: "Adventure Works" }]);
    context = await browser.newContext();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
  });

  const items = () => page.locator("#host li").allTextContents();

  it("lists pulled accounts, creates one offline (listed at once, queued), and syncs it back", async () => {
    page = await context.newPage();
    page.on("pageerror", (e) => process.stderr.write(`[page error] ${e.message}\n`));
    await page.goto(`${emulator.origin}/WebResources/cc_XrmOffline.OfflineAccounts/host.html`);
    expect(await page.locator("#host h3").textContent()).toBe("Accounts (offline-capable)");
    // The first sync pulls the offline table; the list follows.
    await page.waitForFunction(() => document.querySelectorAll("#host li").length === 1);
    expect(await items()).toEqual(["Adventure Works"]);

    await goOffline(context, emulator);
    await page.fill("#host input[name=name]", "Created in the control");
    await page.click("#host button[type=submit]");
    await page.waitForFunction(() => document.querySelectorAll("#host li").length === 2);
    expect(await items()).toEqual(["Adventure Works", "Created in the control"]);
    await page.waitForFunction(() => document.querySelector("#host output")?.textContent === "1");
    const id =
      (await page.locator("#host li", { hasText: "Created in the control" }).getAttribute("data-id")) ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.row("account", id)).toBeUndefined();
    expect(await page.locator("#host [role=alert]").textContent()).toBe("");

    await goOnline(context, emulator);
    const row = await until("the account on the server", () => emulator.row("account", id));
    expect(row).toMatchObject({ name: "Created in the control" });
    await page.waitForFunction(() => document.querySelector("#host output")?.textContent === "0");
    // Same origin, the session cookie, no token.
    const posts = emulator.requestLog.entries((e) => e.method === "POST");
    expect(posts.length).toBeGreaterThan(0);
    expect(
      posts.every(
        (e) => e.headers.authorization === undefined && e.headers.cookie === `CrmOwinAuth=${COOKIE}`,
      ),
    ).toBe(true);
  });
});
