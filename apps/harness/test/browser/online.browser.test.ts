import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  openApp,
  pick,
  type Stack,
  startStack,
  textOf,
  tid,
  until,
  waitForPending,
} from "./browser-fixture.ts";

describe("field-service online (real Chromium)", { timeout: 60_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("loads, pulls the demo data and shows it", async () => {
    const page = await openApp(context, stack);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 4, tid("case-item"));
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 5, tid("task-item"));
    expect(await textOf(page, "connectivity")).toBe("Online");
    const titles = await page.locator(tid("case-item-title")).allTextContents();
    expect(titles).toEqual([
      "Cold room 2 not holding temperature",
      "Compressor noise in the workshop",
      "Freezer door seal torn",
      "Proofing cabinet humidity sensor fault",
    ]);
    // Cases and tasks come down first; customers once the first sync is over.
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.startsWith("Last synced"),
      tid("last-synced"),
    );
    // The app exposes the library as Xrm.WebApi: form scripts call it unchanged.
    const fromXrm = await page.evaluate(async () => {
      const xrm = (
        globalThis as unknown as {
          Xrm: {
            WebApi: { retrieveMultipleRecords(e: string, o: string): Promise<{ entities: unknown[] }> };
          };
        }
      ).Xrm;
      return (await xrm.WebApi.retrieveMultipleRecords("account", "?$select=name")).entities.length;
    });
    expect(fromXrm).toBe(4);
    await page.close();
  });

  it("creates a case in the UI and the emulator gets it, lookups included", async () => {
    const page = await openApp(context, stack, "#/new");
    const fabrikam = stack.demo.accountIds[1]!;
    const marco = stack.demo.contactIds[1]!;
    await page.fill(tid("new-case-title"), "Online: ice machine leaking");
    await pick(page, "new-case-customer", fabrikam, String(stack.emulator.row("account", fabrikam)!.name));
    await pick(page, "new-case-contact", marco, String(stack.emulator.row("contact", marco)!.fullname));
    await page.click(tid("new-case-save"));
    await page.waitForSelector(tid("case-form"));
    const id = (await page.locator(tid("case-form")).getAttribute("data-id"))!;
    const row = await until("the case on the emulator", () => stack.emulator.row("incident", id));
    expect(row.title).toBe("Online: ice machine leaking");
    expect(row._customerid_value).toBe(fabrikam);
    expect(row._primarycontactid_value).toBe(marco);
    await waitForPending(page, 0);
    await page.close();
  });

  it("serves an installable manifest and a service worker", async () => {
    const page = await openApp(context, stack);
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>("link[rel=manifest]")!.href;
      return (await fetch(href)).json() as Promise<{
        start_url: string;
        display: string;
        icons: { sizes: string }[];
      }>;
    });
    expect(manifest.start_url).toBe("/");
    expect(manifest.display).toBe("standalone");
    expect(manifest.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(stack.app.url);
    await page.close();
  });
});
