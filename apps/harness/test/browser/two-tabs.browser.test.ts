import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  goOffline,
  goOnline,
  idsOf,
  launchBrowser,
  occurrences,
  openApp,
  type Stack,
  startStack,
  tid,
  waitForPending,
  writeRequests,
} from "./browser-fixture.ts";

type XrmWindow = { Xrm: { WebApi: { createRecord(e: string, d: unknown): Promise<{ id: string }> } } };

async function createTasks(page: Page, prefix: string, accountId: string, n: number): Promise<string[]> {
  return page.evaluate(
    async ([p, account, count]) => {
      const api = (globalThis as unknown as XrmWindow).Xrm.WebApi;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const r = await api.createRecord("task", {
          subject: `${p} ${i}`,
          "regardingobjectid_account_task@odata.bind": `/accounts(${account})`,
        });
        ids.push(r.id);
      }
      return ids;
    },
    [prefix, accountId, n] as const,
  );
}

describe("field-service in two tabs (real Chromium)", { timeout: 120_000 }, () => {
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

  it("both tabs write offline; back online only one replays and both show the same state", async () => {
    const { emulator, demo } = stack;
    const tabA = await openApp(context, stack);
    await tabA.waitForFunction((sel) => document.querySelectorAll(sel).length === 5, tid("task-item"));
    const tabB = await openApp(context, stack);
    await tabB.waitForFunction((sel) => document.querySelectorAll(sel).length === 5, tid("task-item"));

    await goOffline(context, emulator);
    const seq0 = emulator.requestLog.total;
    const fromA = await createTasks(tabA, "Tab A task", demo.accountIds[0]!, 4);
    const fromB = await createTasks(tabB, "Tab B task", demo.accountIds[1]!, 4);
    // One database: each tab sees all eight changes waiting.
    await waitForPending(tabA, 8);
    await waitForPending(tabB, 8);

    await goOnline(context, emulator);
    await waitForPending(tabA, 0, 60_000);
    await waitForPending(tabB, 0, 60_000);

    // Each change reached the server once, in the requests of one tab.
    const all = [...fromA, ...fromB];
    for (const id of all) expect(emulator.row("task", id)).toBeDefined();
    const sent = occurrences(
      emulator,
      all.map((id) => `"activityid":"${id}"`),
      seq0,
    );
    expect([...sent.values()]).toEqual(all.map(() => 1));
    const writesA = await tabA.evaluate(() => window.fieldService!.tabWrites());
    const writesB = await tabB.evaluate(() => window.fieldService!.tabWrites());
    expect(Math.min(writesA, writesB)).toBe(0);
    expect(writesA + writesB).toBe(writeRequests(emulator, seq0).length);
    expect(writesA + writesB).toBeGreaterThan(0);

    // Same final state in both tabs.
    for (const tab of [tabA, tabB]) {
      await tab.evaluate(() => (location.hash = "#/errors"));
      await tab.waitForSelector(tid("failures-empty"));
      await tab.evaluate(() => (location.hash = "#/"));
      await tab.waitForFunction((sel) => document.querySelectorAll(sel).length === 13, tid("task-item"));
    }
    expect(await idsOf(tabA, "task-item")).toEqual(await idsOf(tabB, "task-item"));
    expect(await idsOf(tabA, "task-item")).toEqual(expect.arrayContaining(all));
    expect(emulator.count("task")).toBe(13);
  });
});
