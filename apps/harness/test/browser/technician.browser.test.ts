/**
 * The field-service app as a technician uses it, on a phone and on a desktop, in real Chromium:
 * the first download, finding one customer among thousands, honest status, photos and a signature
 * offline, the diagnostics screen, keyboard use, axe-core and touch-target checks on every screen.
 * One browser and one emulator for the whole file.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docScreenshot,
  expectAccessible,
  goOffline,
  goOnline,
  launchBrowser,
  openApp,
  pick,
  type Stack,
  smallTouchTargets,
  startStack,
  textOf,
  tid,
  unreachableByTab,
  until,
  VIEWPORTS,
  waitForPending,
  waitForServiceWorker,
  writeRequests,
} from "./browser-fixture.ts";

/** With the demo's 4: 20,004 customers (the old dropdown stopped at 5,000). */
const EXTRA_ACCOUNTS = 20_000;
const EXTRA_CASES = 120;
/**
 * What a picker asks the local store: an index-backed `startswith` (or nothing; for contacts on the
 * full or the last name) in name order, a page at a time (field-service-reads counts the rows read).
 */
const ACCOUNT_QUERY = /^\?\$select=name(&\$filter=startswith\(name,'[^']*'\))?&\$orderby=name$/;
const CONTACT_QUERY =
  /^\?\$select=fullname,firstname,lastname(&\$filter=startswith\(fullname,'([^']*)'\) or startswith\(lastname,'\2'\))?&\$orderby=fullname$/;

type Query = [entity: string, options: string, pageSize: number | null];

/**
 * Record every query the page's screens send to the local store (entity, options, page size); while
 * `window.failQueriesOf` names a table, its queries fail (as a broken store would).
 */
async function recordQueries(page: Page): Promise<void> {
  await page.evaluate(() => {
    const api = window.fieldService!.api;
    const w = window as unknown as { queries?: Query[]; failQueriesOf?: string };
    if (w.queries) return;
    const queries: Query[] = [];
    w.queries = queries;
    const original = api.retrieveMultipleRecords.bind(api);
    (api as { retrieveMultipleRecords: typeof original }).retrieveMultipleRecords = (
      entity,
      options,
      max,
    ) => {
      queries.push([String(entity), String(options ?? ""), max ?? null]);
      if (w.failQueriesOf === entity) return Promise.reject(new Error("the store broke")) as never;
      return original(entity, options, max);
    };
  });
}

/** The recorded queries of some tables, and forget them. */
async function takeQueries(page: Page, tables: readonly string[]): Promise<Query[]> {
  return page.evaluate((t) => {
    const w = window as unknown as { queries: Query[] };
    const out = w.queries.filter(([e]) => t.includes(e));
    w.queries.length = 0;
    return out;
  }, tables);
}

/** Width and height of a baseline/progressive JPEG, from its SOF segment. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1]!;
    const length = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2)
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  throw new Error("no SOF segment");
}

/** Each note on the case: its type, send state and what the technician reads (by type). */
async function noteStates(page: Page): Promise<string[][]> {
  const rows = await page
    .locator(tid("note-item"))
    .evaluateAll((items) =>
      items.map((li) => [
        li.getAttribute("data-mimetype") ?? "",
        li.getAttribute("data-send-state") ?? "",
        li.querySelector("[data-testid=note-send-state]")?.textContent ?? "",
      ]),
    );
  return rows.sort((a, b) => a.join().localeCompare(b.join()));
}

async function countOf(page: Page, testId: string): Promise<number> {
  return page.locator(tid(testId)).count();
}

async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForSelector(`main[data-view][data-loading="false"] ${ready}`);
}

describe("field-service for a technician (real Chromium, phone and desktop)", { timeout: 180_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let phone: BrowserContext;
  let page: Page;
  let zephyr: string;
  let newCaseId: string;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    const names = Array.from({ length: EXTRA_ACCOUNTS - 1 }, (_, i) => ({
      name: `Customer ${String(i + 1).padStart(5, "0")}`,
    }));
    stack.emulator.seed("account", names);
    [zephyr] = stack.emulator.seed("account", [{ name: "Zephyr Refrigeration" }]) as [string];
    stack.emulator.seed(
      "incident",
      Array.from({ length: EXTRA_CASES }, (_, i) => ({
        title: `Routine check ${String(i + 1).padStart(3, "0")}`,
      })),
    );
    phone = await browser.newContext({ viewport: VIEWPORTS.phone, hasTouch: true, isMobile: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("first sync: names each table with its count, and cases are usable before customers arrive", async () => {
    const { emulator } = stack;
    // Customers come slowly (a big reference table on a slow network).
    emulator.faults.set({
      latencyMs: 1500,
      appliesTo: (r) => r.method === "GET" && r.path.startsWith("accounts"),
    });
    page = await openApp(phone, stack);
    await page.waitForSelector(tid("first-sync"));
    // Every count the Customers line shows, in order, until the card goes away.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { accountCounts: string[] }).accountCounts = seen;
      new MutationObserver(() => {
        const text =
          document.querySelector(
            "[data-testid=first-sync-table][data-table=account] [data-testid=first-sync-count]",
          )?.textContent ?? "";
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.waitForSelector(`${tid("first-sync-table")}[data-table="incident"][data-state="done"]`);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 50, tid("case-item"));
    // Cases are on screen while customers are still coming.
    expect(
      await page.locator(`${tid("first-sync-table")}[data-table="account"]`).getAttribute("data-state"),
    ).not.toBe("done");
    const labels = await page.locator(`${tid("first-sync-table")} .title`).allTextContents();
    expect(labels).toEqual(["Cases", "Tasks", "Contacts", "Customers", "Notes and photos"]);
    expect(
      await page
        .locator(`${tid("first-sync-table")}[data-table="incident"] ${tid("first-sync-count")}`)
        .textContent(),
    ).toMatch(new RegExp(`^${4 + EXTRA_CASES}( of ${4 + EXTRA_CASES})?$`));
    // Checked while the customers are still held back (the card is on screen), on both sizes.
    await expectAccessible(page, "first sync (phone)");
    await page.setViewportSize(VIEWPORTS.desktop);
    await expectAccessible(page, "first sync (desktop)");
    expect(await smallTouchTargets(page), "first sync (desktop)").toEqual([]);
    await page.setViewportSize(VIEWPORTS.phone);
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      // The pictures in the docs: customers on their way ("2000 of 20004").
      await page.waitForSelector(
        `${tid("first-sync-table")}[data-table="account"][data-state="downloading"] progress`,
      );
      await docScreenshot(page, "field-service-first-sync-phone.png");
      await page.setViewportSize(VIEWPORTS.desktop);
      await docScreenshot(page, "field-service-first-sync-desktop.png");
      await page.setViewportSize(VIEWPORTS.phone);
    }
    expect(
      await page.locator(`${tid("first-sync-table")}[data-table="account"]`).getAttribute("data-state"),
    ).not.toBe("done");
    emulator.faults.set({});
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.startsWith("Last synced"),
      tid("last-synced"),
      { timeout: 120_000 },
    );
    await page.waitForSelector(tid("first-sync"), { state: "detached" });
    // Customers counted against the server's total of 20,004, growing to all of them.
    const accountCounts = await page.evaluate(
      () => (window as unknown as { accountCounts: string[] }).accountCounts,
    );
    const done = accountCounts.map((t) => {
      const m = /^(\d+) of (\d+)$/.exec(t);
      expect(m?.[2], t).toBe(String(4 + EXTRA_ACCOUNTS));
      return Number(m![1]);
    });
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(accountCounts.at(-1)).toBe(`${4 + EXTRA_ACCOUNTS} of ${4 + EXTRA_ACCOUNTS}`);
    // Installable: Chromium's own check (what decides the install prompt) finds nothing missing.
    await waitForServiceWorker(page);
    const cdp = await phone.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as {
      installabilityErrors: { errorId: string }[];
    };
    // Test contexts are off-the-record profiles, where Chromium never offers to install; nothing
    // else (manifest, icons, service worker, start URL) may be missing.
    expect(installabilityErrors.map((e) => e.errorId)).toEqual(["in-incognito"]);
    await cdp.detach();
  });

  it("lists page through the store, and any customer is found by typing", async () => {
    await go(page, "#/", tid("case-list"));
    expect(await countOf(page, "case-item")).toBe(50);
    await page.click(tid("case-list-more"));
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 100, tid("case-item"));

    // Opening New case asks the store for no customers or contacts at all.
    await recordQueries(page);
    await go(page, "#/new", tid("new-case-form"));
    expect(await page.locator("form select").count()).toBe(1); // priority only: no dropdown of customers
    expect(await takeQueries(page, ["account", "contact"])).toEqual([]);
    // No developer counters in the status bar ("Sent from this tab: N", "Sent 0, 0 waiting"),
    // also once Sync now has reported its cycle; the tab's writes are on the diagnostics page.
    await page.click(tid("sync-now"));
    await page.waitForSelector(`${tid("sync-message")}[data-pending="0"]`);
    expect(await page.locator(`${tid("status-bar")} ${tid("tab-writes-sent")}`).count()).toBe(0);
    // biome-ignore lint/performance/useDomNodeTextContent: what the technician sees is asserted
    expect(await page.locator(tid("status-bar")).innerText()).not.toMatch(
      /sent from this tab|sent \d+, \d+ waiting/i,
    );
    // No deep-insert panel on the technician's form (it showed @odata.bind and error codes).
    expect(await page.locator('[data-testid^="deep-insert"]').count()).toBe(0);
    // biome-ignore lint/performance/useDomNodeTextContent: what the technician sees is asserted
    const formText = await page.locator(tid("view")).innerText();
    expect(formText).not.toMatch(/deep insert|@odata\.bind|0x8004/i);
    // A search the store fails is shown as failed, not as "no customer starts with…".
    await page.evaluate(() => {
      (window as unknown as { failQueriesOf?: string }).failQueriesOf = "account";
    });
    await page.fill(tid("new-case-customer"), "Zep");
    await page.waitForSelector(`${tid("new-case-customer-options")}[data-query="Zep"]`);
    expect(await page.getAttribute(tid("new-case-customer-hint"), "data-outcome")).toBe("error");
    expect(await countOf(page, "new-case-customer-option")).toBe(0);
    await page.evaluate(() => {
      delete (window as unknown as { failQueriesOf?: string }).failQueriesOf;
    });
    await page.fill(tid("new-case-customer"), "Customer 0");
    await page.waitForSelector(`${tid("new-case-customer-options")}[data-query="Customer 0"]`);
    expect(await countOf(page, "new-case-customer-option")).toBe(20);
    expect(await page.locator(tid("new-case-customer")).getAttribute("aria-expanded")).toBe("true");
    const shown = await page.locator(tid("new-case-customer-option")).allTextContents();
    expect(shown.every((name) => name.startsWith("Customer 0"))).toBe(true);
    expect(shown).toEqual([...shown].sort());
    expect(await page.getAttribute(tid("new-case-customer-hint"), "data-outcome")).toBeNull();
    // The last customer of 20,004 in alphabetical order, found by typing and picked with the keyboard.
    await page.fill(tid("new-case-customer"), "Zeph");
    await page.waitForSelector(`${tid("new-case-customer-options")}[data-query="Zeph"]`);
    expect(
      await page.locator(tid("new-case-customer-option")).evaluateAll((e) => e.map((x) => x.textContent)),
    ).toEqual(["Zephyr Refrigeration"]);
    await page.keyboard.press("Enter");
    expect(await page.getAttribute(tid("new-case-customer"), "data-value")).toBe(zephyr);
    expect(await page.inputValue(tid("new-case-customer"))).toBe("Zephyr Refrigeration");
    // Every query the picker sent: a startswith on the indexed name in name order, a page of
    // exactly 20 (the page size; Show more… follows the nextLink), never a whole table.
    const customerQueries = await takeQueries(page, ["account", "contact"]);
    expect(customerQueries.length).toBeGreaterThan(0);
    for (const [entity, options, pageSize] of customerQueries) {
      expect(entity).toBe("account");
      expect(options).toMatch(ACCOUNT_QUERY);
      expect(pageSize).toBe(20);
    }
    expect(customerQueries.at(-1)).toEqual([
      "account",
      "?$select=name&$filter=startswith(name,'Zeph')&$orderby=name",
      20,
    ]);
    const marco = stack.demo.contactIds[1]!;
    await pick(page, "new-case-contact", marco, String(stack.emulator.row("contact", marco)!.fullname));
    for (const [entity, options, pageSize] of await takeQueries(page, ["account", "contact"])) {
      expect(entity).toBe("contact");
      expect(options).toMatch(CONTACT_QUERY);
      expect(pageSize).toBe(20);
    }
    await page.fill(tid("new-case-title"), "Display fridge: lights flicker");
    await page.click(tid("new-case-save"));
    await page.waitForSelector(tid("case-form"));
    newCaseId = (await page.locator(tid("case-form")).getAttribute("data-id"))!;
    const row = await until("the case on the emulator", () => stack.emulator.row("incident", newCaseId));
    expect(row._customerid_value).toBe(zephyr);
    expect(row._primarycontactid_value).toBe(marco);
    await waitForPending(page, 0);
  });

  it("offline: Sync now says why it is off, a save shows as waiting at once, and the last sync survives a reload", async () => {
    const { emulator } = stack;
    await waitForServiceWorker(page);
    await goOffline(phone, emulator);
    await page.waitForSelector(`${tid("connectivity")}[data-state="offline"]`);
    expect(await page.locator(tid("sync-now")).isDisabled()).toBe(true);
    expect(await page.getAttribute(tid("sync-now"), "aria-describedby")).toBe("sync-now-reason");
    expect(await page.locator(tid("sync-now-reason")).isVisible()).toBe(true);
    expect((await textOf(page, "sync-now-reason")).length).toBeGreaterThan(0);

    await go(page, `#/case/${newCaseId}`, tid("case-form"));
    await page.fill(tid("case-title"), "Display fridge: lights flicker (ballast)");
    // What the bar says at the very moment the form reports the save.
    const pendingAtSave = await page.evaluate(
      ([result, count, save]) =>
        new Promise<string>((resolve) => {
          const seen = new MutationObserver(() => {
            if (document.querySelector(result!)?.classList.contains("ok")) {
              seen.disconnect();
              resolve(document.querySelector(count!)?.textContent ?? "");
            }
          });
          seen.observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            characterData: true,
          });
          document.querySelector<HTMLButtonElement>(save!)!.click();
        }),
      [tid("case-save-result"), tid("pending-count"), tid("case-save")],
    );
    expect(pendingAtSave).toBe("1");
    expect(await textOf(page, "sync-phase")).toBe("Waiting for the network");

    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await page.waitForSelector("body[data-ready='true']");
    // No sync can have run (no network): the time shown is the one kept from before the reload.
    expect(await textOf(page, "last-synced")).toMatch(/^Last synced /);
    await waitForPending(page, 1);
  });

  it("offline: a photo (downscaled) and a signature (drawn, or typed) are saved as notes and sent later", async () => {
    const { emulator } = stack;
    await go(page, `#/case/${newCaseId}`, tid("case-attachments"));
    await page.waitForSelector(tid("note-list-empty"));
    // A 3000 × 2000 "camera" photo.
    const png = Buffer.from(
      await page.evaluate(async () => {
        const c = document.createElement("canvas");
        c.width = 3000;
        c.height = 2000;
        const g = c.getContext("2d")!;
        g.fillStyle = "#3a7";
        g.fillRect(0, 0, 3000, 2000);
        g.fillStyle = "#fff";
        g.fillRect(500, 500, 1000, 600);
        return c.toDataURL("image/png").split(",")[1]!;
      }),
      "base64",
    );
    const camera = { name: "IMG_0001.png", mimeType: "image/png", buffer: png };
    // A file that isn't a picture, and a device that can't store the note: each said as it is.
    await page.setInputFiles(tid("case-photo-input"), {
      name: "IMG_0000.png",
      mimeType: "image/png",
      buffer: Buffer.from("not a picture"),
    });
    await page.waitForSelector(`${tid("attachment-result")}[data-reason="unreadable"]`);
    await page.evaluate(() => {
      const api = window.fieldService!.api as { createRecord: unknown };
      const w = window as unknown as { restoreCreate?: () => void };
      const original = api.createRecord;
      api.createRecord = () => Promise.reject(new Error("the store broke"));
      w.restoreCreate = () => {
        api.createRecord = original;
      };
    });
    await page.setInputFiles(tid("case-photo-input"), camera);
    await page.waitForSelector(`${tid("attachment-result")}[data-reason="not-saved"]`);
    await page.evaluate(() => (window as unknown as { restoreCreate: () => void }).restoreCreate());
    expect(await countOf(page, "note-item")).toBe(0);
    // Saved: the bar counts the photo (1 change before it) by the time the line says so.
    await page.evaluate(
      ([result, count]) => {
        const w = window as unknown as { pendingAtPhoto?: string };
        const seen = new MutationObserver(() => {
          if (document.querySelector<HTMLElement>(result!)?.dataset.outcome === "ok") {
            seen.disconnect();
            w.pendingAtPhoto = document.querySelector(count!)?.textContent ?? "";
          }
        });
        seen.observe(document.body, { subtree: true, childList: true, attributes: true });
      },
      [tid("attachment-result"), tid("pending-count")],
    );
    await page.setInputFiles(tid("case-photo-input"), camera);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, tid("note-item"));
    expect(await page.getAttribute(tid("attachment-result"), "data-outcome")).toBe("ok");
    expect(await page.evaluate(() => (window as unknown as { pendingAtPhoto?: string }).pendingAtPhoto)).toBe(
      "2",
    );

    // Drawn with a finger: touch pointer events across the box.
    const box = (await page.locator(tid("signature-canvas")).boundingBox())!;
    const canvas = page.locator(tid("signature-canvas"));
    const at = (i: number) => ({
      pointerId: 7,
      pointerType: "touch",
      isPrimary: true,
      clientX: box.x + 20 + i * 25,
      clientY: box.y + box.height / 2 + (i % 2 ? 15 : -15),
    });
    await canvas.dispatchEvent("pointerdown", at(0));
    for (let i = 1; i <= 10; i++) await canvas.dispatchEvent("pointermove", at(i));
    await canvas.dispatchEvent("pointerup", at(10));
    await page.click(tid("signature-save"));
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, tid("note-item"));
    // Typed (the keyboard alternative).
    await page.focus(tid("signature-typed"));
    await page.keyboard.type("Marco Rossi");
    await page.keyboard.press("Tab"); // the Clear button
    await page.keyboard.press("Tab"); // Save signature
    await page.keyboard.press("Enter");
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, tid("note-item"));
    await waitForPending(page, 4);
    // Each one says it is waiting, with a thumbnail from this device's copy.
    expect(await noteStates(page)).toEqual([
      ["image/jpeg", "waiting", "Waiting to send"],
      ["image/png", "waiting", "Waiting to send"],
      ["image/png", "waiting", "Waiting to send"],
    ]);
    expect(
      await page
        .locator(tid("note-thumb"))
        .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth).sort((a, b) => a - b)),
    ).toEqual([600, 600, 1600]);
    // The photo opens full size from the keyboard; Escape closes it and focus goes back.
    const photoView = page.locator(`${tid("note-item")}[data-mimetype="image/jpeg"] ${tid("note-view")}`);
    await photoView.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${tid("note-viewer")}[open]`);
    expect(
      await page
        .locator(tid("note-viewer-image"))
        .evaluate((i) => [(i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]),
    ).toEqual([1600, 1067]);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "note-viewer-close",
    );
    await expectAccessible(page, "photo viewer (phone)");
    expect(await smallTouchTargets(page), "photo viewer (phone)").toEqual([]);
    await docScreenshot(page, "field-service-photo-phone.png");
    await page.setViewportSize(VIEWPORTS.desktop);
    await expectAccessible(page, "photo viewer (desktop)");
    expect(await smallTouchTargets(page), "photo viewer (desktop)").toEqual([]);
    await docScreenshot(page, "field-service-photo-desktop.png");
    await page.setViewportSize(VIEWPORTS.phone);
    await page.keyboard.press("Escape");
    await page.waitForSelector(`${tid("note-viewer")}:not([open])`, { state: "attached" });
    expect(await photoView.evaluate((b) => b === document.activeElement)).toBe(true);
    await docScreenshot(page, "field-service-case-phone.png");
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      await page.setViewportSize(VIEWPORTS.desktop);
      await docScreenshot(page, "field-service-case-desktop.png");
      await page.setViewportSize(VIEWPORTS.phone);
    }

    // The diagnostics screen, from the menu: the four changes in the outbox.
    await page.click(tid("menu-button"));
    await page.click(tid("menu-diagnostics"));
    await page.waitForSelector(`main[data-loading="false"] ${tid("diagnostics")}`);
    expect(await textOf(page, "diag-outbox-count")).toBe("4");
    expect(await countOf(page, "diag-outbox-row")).toBe(4);
    expect(await textOf(page, "diag-failure-count")).toBe("0");
    expect(await page.getAttribute(`${tid("diag-table-rows")}[data-table="incident"]`, "data-table")).toBe(
      "incident",
    );
    expect(await textOf(page, "diag-table-rows")).toBe(String(emulator.count("incident")));
    expect(Number(await page.getAttribute(tid("diag-storage-usage"), "data-value"))).toBeGreaterThan(0);
    expect(["true", "false"]).toContain(await page.getAttribute(tid("diag-persisted"), "data-value"));
    expect(await page.getAttribute(tid("diag-last-synced"), "data-value")).not.toBe("");
    await expectAccessible(page, "diagnostics (phone)");

    // Back online, with the office slow to take notes: the case shows each one sending, with the
    // share of its bytes acknowledged (status$.uploads), then sent. The page is opened again
    // (offline, from the service worker) with a block size of a quarter of the photo, so the photo
    // goes in 4 blocks; a note of one block or less goes in one request (0%, then Sent).
    const sizes = await page.evaluate(async (caseId) => {
      const r = await window.fieldService!.api.retrieveMultipleRecords(
        "annotation",
        `?$select=mimetype,documentbody&$filter=_objectid_value eq ${caseId}`,
      );
      return r.entities.map((n) => ({
        id: String(n.annotationid),
        mimetype: String(n.mimetype),
        base64: String(n.documentbody).length,
        bytes: atob(String(n.documentbody)).length,
      }));
    }, newCaseId);
    const photoBytes = sizes.find((n) => n.mimetype === "image/jpeg")!.bytes;
    const block = Math.ceil(photoBytes / 4);
    // Bodies of 4,096 base64 characters or more are kept apart; those above one block go in blocks.
    const blocksOf = (n: (typeof sizes)[number]) =>
      n.base64 >= 4096 && n.bytes > block ? Math.ceil(n.bytes / block) : 0;
    const blocksExpected = sizes.reduce((sum, n) => sum + blocksOf(n), 0);
    expect(blocksOf(sizes.find((n) => n.mimetype === "image/jpeg")!)).toBe(4);
    await page.goto(`${stack.app.url}?uploadChunkBytes=${block}#/case/${newCaseId}`);
    await page.waitForSelector(`main[data-loading="false"] ${tid("case-attachments")}`);
    await page.waitForSelector(`${tid("note-item")}[data-send-state="waiting"]`);
    // Every state each note's line shows on its way, in order.
    await page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { sendLines: typeof seen }).sendLines = seen;
      const look = () => {
        for (const li of Array.from(document.querySelectorAll<HTMLElement>("[data-testid=note-item]"))) {
          const text = li.querySelector("[data-testid=note-send-state]")?.textContent ?? "";
          const id = li.dataset.id ?? "";
          seen[id] ??= [];
          if (text && seen[id].at(-1) !== text) seen[id].push(text);
        }
      };
      look();
      new MutationObserver(look).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    const before = emulator.requestLog.total;
    emulator.faults.set({
      latencyMs: 400,
      appliesTo: (r) =>
        r.method === "POST" && (r.path.startsWith("annotations") || r.path.startsWith("UploadBlock")),
    });
    await goOnline(phone, emulator);
    // The photo's line shows a share between 0 and 100 while its blocks go.
    await page.waitForSelector(
      `${tid("note-item")}[data-mimetype="image/jpeg"][data-send-state="sending"][data-percent]:not([data-percent="0"]):not([data-percent="100"])`,
      { timeout: 60_000 },
    );
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      await page.locator(`${tid("note-item")}[data-mimetype="image/jpeg"]`).scrollIntoViewIfNeeded();
      await docScreenshot(page, "field-service-case-sending-phone.png");
    }
    emulator.faults.set({});
    await waitForPending(page, 0, 60_000);
    await page.waitForFunction(
      (sel) =>
        Array.from(document.querySelectorAll<HTMLElement>(sel)).every(
          (li) => li.dataset.sendState === "sent",
        ),
      tid("note-item"),
    );
    const lines = await page.evaluate(
      () => (window as unknown as { sendLines: Record<string, string[]> }).sendLines,
    );
    const photoId = sizes.find((n) => n.mimetype === "image/jpeg")!.id;
    const percentsOf = (texts: readonly string[]) =>
      texts.flatMap((t) => {
        const m = /^Sending… (\d+)%$/.exec(t);
        return m ? [Number(m[1])] : [];
      });
    for (const [id, texts] of Object.entries(lines)) {
      expect(texts[0], id).toBe("Waiting to send");
      expect(texts.at(-1), id).toBe("Sent");
      for (const t of texts) expect(t).toMatch(/^(Waiting to send|Sending…|Sending… \d+%|Sent)$/);
      const percents = percentsOf(texts);
      expect(percents, id).toEqual([...percents].sort((a, b) => a - b));
      // What the blocks can show: n blocks of `block` bytes acknowledged; a note in one request
      // shows 0% until it is acknowledged.
      const note = sizes.find((n) => n.id === id)!;
      const blocks = blocksOf(note);
      const allowed =
        blocks === 0
          ? [0, 100]
          : Array.from({ length: blocks + 1 }, (_, k) =>
              Math.floor((100 * Math.min(note.bytes, k * block)) / note.bytes),
            );
      for (const p of percents) expect(allowed, `${id}: ${texts.join(" → ")}`).toContain(p);
    }
    // The photo went in its 4 blocks, its progress seen between them.
    expect(percentsOf(lines[photoId]!).filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(2);
    expect(writeRequests(emulator, before).filter((e) => e.path.includes("UploadBlock")).length).toBe(
      blocksExpected,
    );
    expect(await noteStates(page)).toEqual([
      ["image/jpeg", "sent", "Sent"],
      ["image/png", "sent", "Sent"],
      ["image/png", "sent", "Sent"],
    ]);
    const notes = emulator.rows("annotation").filter((n) => n._objectid_value === newCaseId);
    expect(notes.map((n) => n.mimetype).sort()).toEqual(["image/jpeg", "image/png", "image/png"]);
    const photo = notes.find((n) => n.mimetype === "image/jpeg")!;
    expect(photo.subject).toBe("Photo");
    expect(jpegSize(Buffer.from(String(photo.documentbody), "base64"))).toEqual({
      width: 1600,
      height: 1067,
    });
    expect(emulator.row("incident", newCaseId)!.title).toBe("Display fridge: lights flicker (ballast)");
  });

  it("every screen: no serious axe violation, 44 px touch targets, on phone and desktop; keyboard-only new case", async () => {
    const screens: [string, string, string][] = [
      ["work list", "#/", tid("case-list")],
      ["new case", "#/new", tid("new-case-form")],
      ["case", `#/case/${newCaseId}`, tid("case-attachments")],
      ["sync errors", "#/errors", tid("failures-empty")],
      ["diagnostics", "#/diagnostics", tid("diagnostics")],
    ];
    for (const [name, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      for (const [screen, hash, ready] of screens) {
        await go(page, hash, ready);
        await expectAccessible(page, `${screen} (${name})`);
        expect(await smallTouchTargets(page), `${screen} (${name})`).toEqual([]);
        // Everything on it is reachable from the keyboard (once, on the desktop: the same DOM).
        if (name === "desktop") expect(await unreachableByTab(page), `${screen} (Tab)`).toEqual([]);
      }
      // The picker's open list too.
      await go(page, "#/new", tid("new-case-form"));
      await page.fill(tid("new-case-customer"), "Cust");
      await page.waitForSelector(`${tid("new-case-customer-options")}[data-query="Cust"]`);
      await expectAccessible(page, `customer picker (${name})`);
      expect(await smallTouchTargets(page)).toEqual([]);
    }

    // The menu from the keyboard: Enter opens it, Tab reaches Diagnostics, Enter goes there.
    await go(page, "#/", tid("case-list"));
    await page.focus(tid("menu-button"));
    await page.keyboard.press("Enter");
    expect(await page.getAttribute(tid("menu"), "open")).toBe("");
    for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "menu-diagnostics",
    );
    await page.keyboard.press("Enter");
    await page.waitForSelector(`main[data-view="diagnostics"][data-loading="false"] ${tid("diagnostics")}`);

    // A photo from the keyboard: the (visually hidden) file input takes focus and Space opens the
    // camera or file chooser; its label shows the focus ring.
    // A listener first: Playwright turns Chromium's file-chooser interception on when the first
    // one is added, without waiting for it; a key pressed right after may open the native dialog
    // instead (headless: nothing, no event) — seen once under CI load.
    const interceptChoosers = () => {};
    page.on("filechooser", interceptChoosers);
    await go(page, `#/case/${newCaseId}`, tid("case-attachments"));
    await page.focus(tid("case-photo-input"));
    // Still focused: nothing redraws the case under the user (a stale list redraw once did).
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe(
      "case-photo-input",
    );
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press(" ")]);
    page.off("filechooser", interceptChoosers);
    expect(chooser.isMultiple()).toBe(false);
    expect(
      await page.evaluate(
        () => getComputedStyle(document.querySelector("label[for=case-photo]")!).outlineStyle,
      ),
    ).toBe("solid");

    // Keyboard only: a new case from the title to the Create button.
    await go(page, "#/new", tid("new-case-form"));
    await page.focus(tid("new-case-title"));
    await page.keyboard.type("Keyboard: door alarm");
    const tabTo = async (testId: string) => {
      for (let i = 0; i < 12; i++) {
        if (await page.evaluate((id) => document.activeElement?.getAttribute("data-testid") === id, testId))
          return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached ${testId}`);
    };
    await tabTo("new-case-customer");
    await page.keyboard.type("Zeph");
    await page.waitForSelector(`${tid("new-case-customer-options")}[data-query="Zeph"]`);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    expect(await page.getAttribute(tid("new-case-customer"), "data-value")).toBe(zephyr);
    await tabTo("new-case-save");
    await page.keyboard.press("Enter");
    await page.waitForSelector(tid("case-form"));
    const id = (await page.locator(tid("case-form")).getAttribute("data-id"))!;
    const row = await until("the keyboard-made case", () => stack.emulator.row("incident", id));
    expect(row.title).toBe("Keyboard: door alarm");
    expect(row._customerid_value).toBe(zephyr);

    await go(page, "#/", tid("case-list"));
    await docScreenshot(page, "field-service-desktop.png");
    await page.setViewportSize(VIEWPORTS.phone);
    await docScreenshot(page, "field-service-phone.png");
  });
});
