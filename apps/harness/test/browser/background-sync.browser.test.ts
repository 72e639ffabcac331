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
  waitForServiceWorker,
} from "./browser-fixture.ts";

type XrmWindow = { Xrm: { WebApi: { createRecord(e: string, d: unknown): Promise<{ id: string }> } } };

describe("field-service Background Sync (real Chromium)", { timeout: 120_000 }, () => {
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

  it("the service worker replays the outbox after the tab was closed", async () => {
    const { emulator, demo } = stack;
    const page = await openApp(context, stack);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 4, tid("case-item"));
    await waitForFirstSync(page);
    await waitForServiceWorker(page);
    expect(await page.evaluate(() => "SyncManager" in globalThis)).toBe(true);

    await goOffline(context, emulator);
    const ids = await page.evaluate(async (account) => {
      const api = (globalThis as unknown as XrmWindow).Xrm.WebApi;
      const out: string[] = [];
      for (const subject of ["Closed-tab task 1", "Closed-tab task 2", "Closed-tab task 3"]) {
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
    }, demo.accountIds[0]!);
    await waitForPending(page, 3);
    // The page asked the browser for a sync; offline, it waits.
    const tags = await page.evaluate(async () => {
      const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
        sync: { getTags(): Promise<string[]> };
      };
      return reg.sync.getTags();
    });
    expect(tags).toContain("xrm-offline-outbox");

    await page.close();
    expect(context.pages()).toHaveLength(0);
    await goOnline(context, emulator);
    // No tab is open: only the service worker can send these.
    await until(
      "the closed tab's changes on the emulator",
      () => ids.every((id) => emulator.row("task", id)),
      90_000,
    );
    expect(ids.map((id) => emulator.row("task", id)?.subject)).toEqual([
      "Closed-tab task 1",
      "Closed-tab task 2",
      "Closed-tab task 3",
    ]);
    expect(context.pages()).toHaveLength(0);

    // Opening the app again: nothing left to send.
    const back = await openApp(context, stack);
    await waitForPending(back, 0);
  });
});
