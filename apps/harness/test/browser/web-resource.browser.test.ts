// xrm-offline.min.js as a Dataverse web resource: pages served by the emulator's own origin, signed
// in with a session cookie, no token anywhere — an HTML web resource (GetGlobalContext from
// ClientGlobalContext.js.aspx) and a form library (the form's Xrm) work offline and sync back.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { buildWebResource } from "@xrm-offline/web-resource/build";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { goOffline, goOnline, launchBrowser, until } from "./browser-fixture.ts";

const COOKIE = "emulated-session-4f1c";
const USER = "0a1b2c3d-0000-4000-8000-00000000abcd";
const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
const ACCOUNT = "7e0bd9c4-0000-4000-8000-0000000000a1";
const examples = (name: string) =>
  readFileSync(new URL(import.meta.resolve(`@xrm-offline/web-resource/examples/${name}`)), "utf8");

/** A model-driven form around a form library: the host's own Xrm, and an execution context. */
const FORM_PAGE = `<!doctype html><meta charset="utf-8"><title>Account form</title>
<script>
  var notifications = {};
  var formContext = {
    data: { entity: { getId: function () { return "{${ACCOUNT.toUpperCase()}}"; } } },
    ui: {
      setFormNotification: function (message, level, id) { notifications[id] = message; return true; },
      clearFormNotification: function (id) { delete notifications[id]; return true; },
    },
  };
  var executionContext = { getFormContext: function () { return formContext; } };
  var formWebApi = { owner: "the form" };
  window.Xrm = {
    WebApi: formWebApi,
    Utility: { getGlobalContext: function () {
      return { getClientUrl: function () { return location.origin; }, userSettings: { userId: "{${USER.toUpperCase()}}" } };
    } },
  };
</script>
<script src="xrm-offline.min.js"></script>
<script src="scripts/offline-form.js"></script>`;

interface FormWindow {
  Contoso: {
    OfflineForm: {
      onLoad(context: unknown): Promise<number>;
      logVisit(formContext: unknown): Promise<string>;
    };
  };
  executionContext: unknown;
  formContext: unknown;
  notifications: Record<string, string>;
  Xrm: { WebApi: { owner?: string } };
}

describe("xrm-offline.min.js in web resources (real Chromium, cookie session, same origin)", {
  timeout: 120_000,
}, () => {
  let emulator: Emulator;
  let browser: Browser;
  let context: BrowserContext;
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), "web-resource-"));
    const [built, b] = await Promise.all([buildWebResource(outDir), launchBrowser()]);
    browser = b;
    emulator = await startEmulator({
      session: { cookie: COOKIE, userId: USER },
      webResources: {
        "new_/xrm-offline.min.js": readFileSync(built.file, "utf8"),
        "new_/offline-page.html": examples("offline-page.html"),
        "new_/scripts/offline-form.js": examples("offline-form.js"),
        "new_/account-form.html": FORM_PAGE,
      },
    });
    emulator.seed("contact", [{ contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" }]);
    emulator.seed("account", [{ accountid: ACCOUNT, name: "Adventure Works" }]);
    context = await browser.newContext();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function open(name: string): Promise<Page> {
    const page = await context.newPage();
    page.on("pageerror", (e) => process.stderr.write(`[page error] ${e.message}\n`));
    // Not signed in yet: the web resource sends the browser to /login, which comes back with the cookie.
    await page.goto(`${emulator.origin}/WebResources/${name}`);
    expect(new URL(page.url()).pathname).toBe(`/WebResources/${name}`);
    return page;
  }

  it("HTML web resource: pulls, creates offline, syncs back — over the session cookie, no Authorization", async () => {
    const page = await open("new_/offline-page.html");
    // The first sync pulled the offline tables.
    await page.waitForFunction(() => (window as unknown as { api: { sync: unknown } }).api !== undefined);
    const pulled = await page.evaluate(async () => {
      const api = (window as unknown as { api: import("@xrm-offline/webapi").OfflineWebApi }).api;
      // syncNow while the engine still believes it is offline (its first probe not answered yet)
      // pulls nothing: wait for the engine to see the server first.
      await new Promise<void>((resolve) => {
        const sub = api.sync.status$.subscribe((s) => {
          if (s.connectivity !== "online") return;
          resolve();
          queueMicrotask(() => sub.unsubscribe());
        });
      });
      await api.sync.syncNow();
      await (window as unknown as { showAccounts(): Promise<void> }).showAccounts();
      const contacts = await api.offline.retrieveMultipleRecords("contact", "?$select=fullname");
      return {
        contacts: contacts.entities.map((c) => c.fullname),
        list: [...document.querySelectorAll("#accounts li")].map((li) => li.textContent),
      };
    });
    expect(pulled).toEqual({ contacts: ["Yvonne McKay"], list: ["Adventure Works"] });

    await goOffline(context, emulator);
    const id = await page.evaluate(async (contact) => {
      const api = (window as unknown as { api: import("@xrm-offline/webapi").OfflineWebApi }).api;
      const created = await api.createRecord("account", {
        name: "Created in a web resource",
        "primarycontactid@odata.bind": `/contacts(${contact})`,
      });
      await (window as unknown as { showAccounts(): Promise<void> }).showAccounts();
      return created.id;
    }, CONTACT);
    await page.waitForFunction(() => document.getElementById("pending")?.textContent === "1");
    expect(await page.locator("#accounts li").allTextContents()).toEqual([
      "Adventure Works",
      "Created in a web resource",
    ]);
    expect(emulator.row("account", id)).toBeUndefined();

    const since = emulator.requestLog.total;
    await goOnline(context, emulator);
    // Back online the engine syncs by itself.
    const row = await until("the account on the server", () => emulator.row("account", id));
    expect(row).toMatchObject({ name: "Created in a web resource", _primarycontactid_value: CONTACT });
    await page.waitForFunction(() => document.getElementById("pending")?.textContent === "0");

    const writes = emulator.requestLog.entries((e) => e.seq > since && e.method === "POST");
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      expect(w.headers.authorization).toBeUndefined();
      expect(w.headers.cookie).toBe(`CrmOwinAuth=${COOKIE}`);
      expect(w.status).toBeLessThan(300);
    }
    // One database per org and user.
    const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    expect(names).toContain(`xrm-offline:${new URL(emulator.origin).host}:${USER}`);
    await page.close();
  });

  it("form library: OnLoad and a command use their own XrmOffline API; the form's Xrm.WebApi stays the form's", async () => {
    const page = await open("new_/account-form.html");
    const onLoad = () =>
      page.evaluate(() => {
        const w = window as unknown as FormWindow;
        return w.Contoso.OfflineForm.onLoad(w.executionContext);
      });
    const notifications = () => page.evaluate(() => (window as unknown as FormWindow).notifications);
    expect(await onLoad()).toBe(0);

    await goOffline(context, emulator);
    const taskId = await page.evaluate(() => {
      const w = window as unknown as FormWindow;
      return w.Contoso.OfflineForm.logVisit(w.formContext);
    });
    expect(await notifications()).toEqual({ "xrm-offline": "1 change(s) waiting to sync." });
    expect(emulator.row("task", taskId)).toBeUndefined();
    // The form's own Xrm.WebApi was not replaced.
    expect(await page.evaluate(() => (window as unknown as FormWindow).Xrm.WebApi.owner)).toBe("the form");

    await goOnline(context, emulator);
    const task = await until("the task on the server", () => emulator.row("task", taskId));
    expect(task).toMatchObject({ _regardingobjectid_value: ACCOUNT });
    // The device hears the acknowledgement just after the server stored it: OnLoad shows 0 then.
    await page.waitForFunction(() => {
      const w = window as unknown as FormWindow;
      return w.Contoso.OfflineForm.onLoad(w.executionContext).then((pending) => pending === 0);
    });
    expect(await notifications()).toEqual({});
    await page.close();
  });
});
