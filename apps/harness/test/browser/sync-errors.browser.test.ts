import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docScreenshot,
  expectAccessible,
  goOffline,
  goOnline,
  launchBrowser,
  openApp,
  type Stack,
  smallTouchTargets,
  startStack,
  textOf,
  tid,
  unreachableByTab,
  until,
  VIEWPORTS,
  waitForFirstSync,
  waitForPending,
} from "./browser-fixture.ts";

describe("field-service sync errors (real Chromium)", { timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("lists a failed change with action, record and error; retry sends it again, discard drops it", async () => {
    const { emulator, demo } = stack;
    const page = await openApp(context, stack);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 4, tid("case-item"));
    await waitForFirstSync(page);
    const [first, second] = [demo.incidentIds[0]!, demo.incidentIds[1]!];
    const saved = emulator.row("incident", first)!;

    await goOffline(context, emulator);
    for (const [id, title] of [
      [first, "Cold room 2: compressor replaced"],
      [second, "Freezer door seal: fitted"],
    ] as const) {
      await page.evaluate((hash) => (location.hash = hash), `#/case/${id}`);
      await page.waitForSelector(`${tid("case-form")}[data-id="${id}"]`);
      await page.fill(tid("case-title"), title);
      await page.click(tid("case-save"));
      await page.waitForSelector(`${tid("case-save-result")}.ok`);
    }
    await waitForPending(page, 2);
    // Meanwhile, someone deletes both cases on the server.
    for (const id of [first, second]) {
      expect(emulator.handle({ method: "DELETE", path: `incidents(${id})` }).status).toBe(204);
    }

    await goOnline(context, emulator);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === "2",
      tid("failed-count"),
    );
    await waitForPending(page, 0);
    await page.click(tid("failed-link"));
    await page.waitForSelector(tid("failure-row"));
    const rows = page.locator(tid("failure-row"));
    expect(await rows.count()).toBe(2);
    const firstRow = page.locator(`${tid("failure-row")}[data-record-id="${first}"]`);
    expect(await firstRow.getAttribute("data-action")).toBe("Update");
    // Words for people: the record's title and what happened; the code only under "Details".
    expect(await firstRow.locator(tid("failure-record")).textContent()).toBe(
      "Cold room 2: compressor replaced",
    );
    expect(await firstRow.locator(tid("failure-what")).textContent()).toBe(
      "This case was deleted in the office. Your changes can't be saved.",
    );
    expect(await firstRow.locator(tid("failure-buttons-help")).locator("li").count()).toBe(2);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is asserted (a closed <details> hides the code)
    expect(await firstRow.innerText()).not.toContain("0x80040217");
    expect(await firstRow.locator(tid("failure-details")).getAttribute("open")).toBeNull();
    expect(Number(await firstRow.locator(tid("failure-error")).getAttribute("data-error-code"))).toBe(
      toErrorCode(ERRORS.ObjectDoesNotExist.code),
    );
    // From the keyboard: Details opens with Enter.
    await firstRow.locator(`${tid("failure-details")} summary`).focus();
    await page.keyboard.press("Enter");
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is asserted (the opened <details> shows it)
    expect(await firstRow.innerText()).toContain("0x80040217");
    await expectAccessible(page, "sync errors (desktop)");
    // Retry, Discard and both Details (one open, one closed) are big enough for a finger, and Tab
    // reaches each of them.
    expect(await smallTouchTargets(page), "sync errors (desktop)").toEqual([]);
    expect(await unreachableByTab(page), "sync errors (Tab)").toEqual([]);
    await docScreenshot(page, "field-service-errors-desktop.png");
    await page.setViewportSize(VIEWPORTS.phone);
    await expectAccessible(page, "sync errors (phone)");
    expect(await smallTouchTargets(page), "sync errors (phone)").toEqual([]);
    await docScreenshot(page, "field-service-errors-phone.png");
    await page.setViewportSize(VIEWPORTS.desktop);

    // The diagnostics page with these failures: their codes, and where each table's download
    // stands (its checkpoint) with the rows on the device.
    await page.evaluate(() => (location.hash = "#/diagnostics"));
    await page.waitForSelector(`main[data-loading="false"] ${tid("diagnostics")}`);
    expect(await textOf(page, "diag-failure-count")).toBe("2");
    expect(
      await page
        .locator(tid("diag-failures-row"))
        .evaluateAll((rows) =>
          rows
            .map((r) => [
              r.querySelector("[data-testid=diag-failure-record]")?.textContent,
              r.querySelector("[data-testid=diag-failure-code]")?.getAttribute("data-error-code"),
              r.querySelector("[data-testid=diag-failure-code]")?.textContent,
            ])
            .sort(),
        ),
    ).toEqual(
      [first, second]
        .sort()
        .map((id) => [id, String(toErrorCode(ERRORS.ObjectDoesNotExist.code)), "0x80040217"]),
    );
    const checkpoints = await page
      .locator(tid("diag-table-checkpoint"))
      .evaluateAll((els) => els.map((e) => [e.getAttribute("data-table"), e.getAttribute("data-phase")]));
    expect(checkpoints).toEqual(
      ["incident", "task", "contact", "account", "annotation"].map((t) => [t, "delta"]),
    );
    for (const saved of await page
      .locator(tid("diag-table-saved"))
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-value") ?? ""))) {
      expect(Number.isNaN(Date.parse(saved)), saved).toBe(false);
    }
    const rowsOn = async (table: string) =>
      Number(await page.locator(`${tid("diag-table-rows")}[data-table="${table}"]`).textContent());
    for (const table of ["task", "contact", "account", "annotation"]) {
      expect(await rowsOn(table), table).toBe(emulator.count(table));
    }
    // The two deleted cases stay on the device while their changes are failures.
    expect(await rowsOn("incident")).toBe(emulator.count("incident") + 2);
    await expectAccessible(page, "diagnostics with failures (desktop)");
    await page.evaluate(() => (location.hash = "#/errors"));
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, tid("failure-row"));

    // The record comes back on the server: retry sends the change again.
    emulator.seed("incident", [{ incidentid: first, title: saved.title }]);
    await firstRow.locator(tid("failure-retry")).focus();
    await page.keyboard.press("Enter");
    await until("the retried update on the emulator", () =>
      emulator.row("incident", first)?.title === "Cold room 2: compressor replaced" ? true : undefined,
    );
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === "1",
      tid("failed-count"),
    );

    // The other is discarded: the list empties, nothing is left to send.
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, tid("failure-row"));
    await page.locator(`${tid("failure-row")}[data-record-id="${second}"] ${tid("failure-discard")}`).focus();
    await page.keyboard.press(" ");
    await page.waitForSelector(tid("failures-empty"));
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === "0",
      tid("failed-count"),
      {
        timeout: 10_000,
      },
    );
    expect(await textOf(page, "pending-count")).toBe("0");
    expect(emulator.row("incident", second)).toBeUndefined();
  });
});
