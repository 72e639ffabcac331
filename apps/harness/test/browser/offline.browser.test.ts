import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docScreenshot,
  goOffline,
  goOnline,
  idsOf,
  launchBrowser,
  openApp,
  pick,
  type Stack,
  startStack,
  textOf,
  tid,
  until,
  waitForFirstSync,
  waitForPending,
  waitForServiceWorker,
  writeRequests,
} from "./browser-fixture.ts";

describe("field-service offline (real Chromium, real IndexedDB, service worker)", {
  timeout: 120_000,
}, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("asks the browser to keep its data (navigator.storage.persist) as it starts", async () => {
    // A spy on StorageManager.persist, installed before any of the app's scripts run: the count
    // stays 0 if main.ts stops asking (an unpersisted origin's outbox can be evicted).
    const spied = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    try {
      await spied.addInitScript(() => {
        const w = window as unknown as { persistCalls: number };
        w.persistCalls = 0;
        const persist = StorageManager.prototype.persist;
        StorageManager.prototype.persist = function (this: StorageManager) {
          w.persistCalls++;
          return persist.call(this);
        };
      });
      const first = await openApp(spied, stack);
      expect(await first.evaluate(() => (window as unknown as { persistCalls: number }).persistCalls)).toBe(
        1,
      );
    } finally {
      await spied.close();
    }
  });

  it("creates and updates offline with both lookup forms, survives an offline reload, and replays exactly once", async () => {
    const { emulator, demo } = stack;
    page = await openApp(context, stack);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 4, tid("case-item"));
    await waitForFirstSync(page);
    await waitForServiceWorker(page);
    const seq0 = emulator.requestLog.total;

    await goOffline(context, emulator);
    await page.waitForSelector(`${tid("connectivity")}[data-state="offline"]`);

    // 1. A new case: customer with @odata.bind, contact with the lookup object.
    const fabrikam = demo.accountIds[1]!;
    const marco = demo.contactIds[1]!;
    await page.click(tid("new-case"));
    await page.fill(tid("new-case-title"), "Offline: walk-in freezer alarm");
    await pick(page, "new-case-customer", fabrikam, String(emulator.row("account", fabrikam)!.name));
    await pick(page, "new-case-contact", marco, String(emulator.row("contact", marco)!.fullname));
    await page.click(tid("new-case-save"));
    await page.waitForSelector(tid("case-form"));
    const newCaseId = (await page.locator(tid("case-form")).getAttribute("data-id"))!;
    await waitForPending(page, 1);

    // 2. A task regarding it, set with @odata.bind.
    await page.fill(tid("task-subject"), "Check the alarm wiring");
    await page.click(tid("task-add"));
    await page.waitForSelector(`${tid("task-add-result")}[data-id]`);
    const taskId = (await page.locator(tid("task-add-result")).getAttribute("data-id"))!;
    await waitForPending(page, 2);

    // 3. An update of a pulled case: new title, contact set with the lookup object.
    const existing = demo.incidentIds[2]!;
    const aiko = demo.contactIds[2]!;
    const sam = demo.contactIds[3]!;
    await page.evaluate((hash) => (location.hash = hash), `#/case/${existing}`);
    await page.waitForSelector(`${tid("case-form")}[data-id="${existing}"]`);
    expect(await page.getAttribute(tid("case-contact"), "data-value")).toBe(aiko);
    await page.fill(tid("case-title"), "Proofing cabinet humidity sensor replaced");
    await pick(page, "case-contact", sam, String(emulator.row("contact", sam)!.fullname));
    await page.click(tid("case-save"));
    await page.waitForSelector(`${tid("case-save-result")}.ok`);
    await waitForPending(page, 3);

    // The main screen with changes waiting: the picture in docs/.
    await page.evaluate(() => (location.hash = "#/"));
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 5, tid("case-item"));
    await docScreenshot(page, "field-service.png");

    // 5. Reload with no network at all: the service worker serves the app; the changes are still there.
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await page.waitForSelector("body[data-ready='true']");
    await waitForPending(page, 3);
    expect(await idsOf(page, "case-item")).toContain(newCaseId);
    expect(await textOf(page, "connectivity")).toBe("Offline");
    expect(writeRequests(emulator, seq0)).toHaveLength(0);

    // 6. Back online: everything is sent, once, and the count goes to 0.
    await goOnline(context, emulator);
    await waitForPending(page, 0, 60_000);
    const created = await until("the new case on the emulator", () => emulator.row("incident", newCaseId));
    expect(created.title).toBe("Offline: walk-in freezer alarm");
    expect(created._customerid_value).toBe(fabrikam);
    expect(created["_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("account");
    expect(created._primarycontactid_value).toBe(marco);
    const task = emulator.row("task", taskId)!;
    expect(task.subject).toBe("Check the alarm wiring");
    expect(task._regardingobjectid_value).toBe(newCaseId);
    expect(task["_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"]).toBe("incident");
    const updated = emulator.row("incident", existing)!;
    expect(updated.title).toBe("Proofing cabinet humidity sensor replaced");
    expect(updated._primarycontactid_value).toBe(sam);
    // Exactly the changes: one more case, one more task, nothing else.
    expect(emulator.count("incident")).toBe(5);
    expect(emulator.count("task")).toBe(6);
    expect(emulator.count("account")).toBe(4);
    expect(await textOf(page, "failed-count")).toBe("0");
  });
});
