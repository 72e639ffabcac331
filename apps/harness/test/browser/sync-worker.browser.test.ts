import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  goOffline,
  goOnline,
  launchBrowser,
  openApp,
  type Stack,
  startStack,
  tid,
  until,
  waitForFirstSync,
  waitForPending,
  writeRequests,
} from "./browser-fixture.ts";

type XrmWindow = { Xrm: { WebApi: { createRecord(e: string, d: unknown): Promise<{ id: string }> } } };

describe("field-service with the sync engine in a dedicated worker (real Chromium)", {
  timeout: 120_000,
}, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    context = await browser.newContext();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the worker pulls and replays; the page only writes locally", async () => {
    const { emulator, demo } = stack;
    const page = await openApp(context, stack, "?sync=worker");
    expect(await page.locator("body").getAttribute("data-sync-mode")).toBe("worker");
    // Pulled by the worker's engine, read by the page from IndexedDB.
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 4, tid("case-item"));
    await waitForFirstSync(page);
    expect(page.workers().map((w) => w.url())).toEqual([
      expect.stringMatching(/\/assets\/sync-worker-[\w-]+\.js$/),
    ]);

    await goOffline(context, emulator);
    const seq0 = emulator.requestLog.total;
    const ids = await page.evaluate(async (account) => {
      const api = (globalThis as unknown as XrmWindow).Xrm.WebApi;
      const out: string[] = [];
      for (const subject of ["Worker task 1", "Worker task 2", "Worker task 3"]) {
        out.push(
          (
            await api.createRecord("task", {
              subject,
              "regardingobjectid_account_task@odata.bind": `/accounts(${account})`,
            })
          ).id,
        );
      }
      return out;
    }, demo.accountIds[2]!);
    // The count comes from the worker's engine: it saw the page's writes.
    await waitForPending(page, 3);

    await goOnline(context, emulator);
    await waitForPending(page, 0, 60_000);
    await until("the worker's replay", () => ids.every((id) => emulator.row("task", id)));
    expect(writeRequests(emulator, seq0).length).toBeGreaterThan(0);
    // None of those requests came from the page's own fetch.
    expect(await page.evaluate(() => window.fieldService!.tabWrites())).toBe(0);
    // Sync now goes through the worker too.
    await page.click(tid("sync-now"));
    await page.waitForSelector(`${tid("sync-message")}[data-pending="0"]`);
  });
});
