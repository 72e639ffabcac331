/**
 * What the field-service browser tests share: the app built once per test file into a temporary
 * folder, served with the Web API emulator behind the same origin, and Debian's Chromium.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Emulator, seedDemoData, startEmulator } from "@xrm-offline/emulator";
import {
  APP_ROOT,
  buildFieldService,
  type FieldService,
  startFieldService,
} from "@xrm-offline/field-service";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { CHROMIUM_ARGS, chromiumPath } from "../../src/chromium.ts";

export const tid = (id: string): string => `[data-testid="${id}"]`;

let built: Promise<string> | undefined;
let stacksOpen = 0;

/** Build the app once for this test file (vite, a couple of seconds); removed with the last stack. */
export function builtApp(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "field-service-dist-"));
    await buildFieldService(dir);
    return dir;
  })();
  return built;
}

async function releaseBuiltApp(): Promise<void> {
  if (--stacksOpen > 0 || !built) return;
  const dir = await built.catch(() => undefined);
  built = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export interface Stack {
  readonly emulator: Emulator;
  readonly app: FieldService;
  readonly demo: ReturnType<typeof seedDemoData>;
  close(): Promise<void>;
}

/** A fresh in-memory emulator with the demo data, and the app in front of it. */
export async function startStack(): Promise<Stack> {
  stacksOpen++;
  const distDir = await builtApp();
  const emulator = await startEmulator();
  const demo = seedDemoData(emulator);
  const app = await startFieldService({ emulator, distDir, build: false });
  return {
    emulator,
    app,
    demo,
    close: async () => {
      await app.close();
      await emulator.close();
      await releaseBuiltApp();
    },
  };
}

/** Open the app and wait until its first screen is drawn. */
export async function openApp(context: BrowserContext, stack: Stack, hash = ""): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(`${stack.app.url}${hash}`);
  await page.waitForSelector("body[data-ready='true']");
  return page;
}

/**
 * Wait until the first sync has ended ("Last synced …"): cases and tasks come down before the
 * customers (table priority), so a test that goes offline once the cases show may find no
 * customer to pick.
 */
export async function waitForFirstSync(page: Page): Promise<void> {
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent?.startsWith("Last synced"),
    '[data-testid="last-synced"]',
  );
}

/** Wait until the service worker controls the page (so a reload with no network still loads). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true }),
    );
  });
}

/** The network goes away for real: the browser is offline and the server stops listening. */
export async function goOffline(context: BrowserContext, emulator: Emulator): Promise<void> {
  await context.setOffline(true);
  await emulator.faults.down();
}

export async function goOnline(context: BrowserContext, emulator: Emulator): Promise<void> {
  await emulator.faults.up();
  await context.setOffline(false);
}

export async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.locator(tid(testId)).first().textContent()) ?? "").trim();
}

/** Wait for the status bar's pending count. */
export async function waitForPending(page: Page, count: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([sel, n]) => document.querySelector(sel as string)?.textContent?.trim() === String(n),
    [tid("pending-count"), count] as const,
    { timeout },
  );
}

/** Ids of the rows a list shows (data-id of each item). */
export async function idsOf(page: Page, testId: string): Promise<string[]> {
  return (
    await page.locator(tid(testId)).evaluateAll((els) => els.map((e) => e.getAttribute("data-id") ?? ""))
  ).sort();
}

/**
 * Choose a record in a type-ahead picker as a user does: type the start of its name, click it in
 * the list; resolves once the picker holds its id.
 */
export async function pick(page: Page, testId: string, id: string, name: string): Promise<void> {
  await page.fill(tid(testId), name.slice(0, 4));
  const option = page.locator(`${tid(`${testId}-option`)}[data-id="${id}"]`);
  await option.click();
  await page.waitForSelector(`${tid(testId)}[data-value="${id}"]`);
}

/** docs/images, where the pictures of docs/field-service.md live. */
const DOC_IMAGES = join(APP_ROOT, "..", "..", "docs", "images");

/**
 * Save a picture of the page for the docs, only when asked (`UPDATE_SCREENSHOTS=1`): an ordinary
 * test run must not rewrite files in the worktree. Returns whether it wrote one.
 */
export async function docScreenshot(page: Page, name: string): Promise<boolean> {
  if (process.env.UPDATE_SCREENSHOTS !== "1") return false;
  mkdirSync(DOC_IMAGES, { recursive: true });
  await page.screenshot({ path: join(DOC_IMAGES, name), fullPage: false });
  return true;
}

/** Phone and desktop viewports the screens are checked in. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

/** axe-core (WCAG 2.x A/AA rules) finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad).toEqual([]);
}

/**
 * Visible controls smaller than 44 × 44 CSS px (links inside running text excepted; a visually
 * hidden file input is reached through its label, which is checked instead).
 */
export async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const selector = "a[href], button, input, select, textarea, summary, [role=option], label.button";
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === "hidden" || style.opacity === "0") continue;
      if (r.right < 0 || r.bottom < 0) continue; // off-screen until focused (the skip link)
      if (r.width < 44 || r.height < 44) {
        const id = el.dataset.testid ?? el.textContent?.trim().slice(0, 30) ?? el.tagName;
        out.push(`${el.tagName.toLowerCase()} "${id}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  });
}

/**
 * Visible, enabled controls that pressing Tab from the top of the page never reaches (each press
 * is a real key press; the walk goes round the page once plus a few). List options are left out:
 * a combobox moves through them with the arrow keys (aria-activedescendant), not Tab.
 */
export async function unreachableByTab(page: Page): Promise<string[]> {
  const total = await page.evaluate(() => {
    const selector =
      "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])";
    let n = 0;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      // Rendered and not hidden, also not inside a closed <details> (content-visibility).
      if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
      el.dataset.tabProbe = String(n++);
    }
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
    return n;
  });
  const reached = new Set<string>();
  for (let i = 0; i < total + 5; i++) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.tabProbe);
    if (at !== undefined) reached.add(at);
  }
  return page.evaluate(
    (seen) => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll<HTMLElement>("[data-tab-probe]"))) {
        if (!seen.includes(el.dataset.tabProbe ?? "")) {
          out.push(
            `${el.tagName.toLowerCase()} "${el.dataset.testid ?? el.textContent?.trim().slice(0, 30)}"`,
          );
        }
        delete el.dataset.tabProbe;
      }
      return out;
    },
    [...reached],
  );
}

/** Poll a condition in Node (the emulator side). */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  timeout = 30_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Write requests the emulator received (POST/PATCH/PUT/DELETE, $batch included). */
export function writeRequests(emulator: Emulator, since = 0) {
  return emulator.requestLog.entries((e) => e.seq > since && e.method !== "GET" && e.method !== "HEAD");
}

/** How many write requests carry each needle (e.g. `"activityid":"<id>"` of a create) in their URL or body. */
export function occurrences(emulator: Emulator, needles: readonly string[], since = 0): Map<string, number> {
  const counts = new Map(needles.map((n) => [n.toLowerCase(), 0]));
  for (const e of writeRequests(emulator, since)) {
    const text = `${e.url}\n${e.body}`.toLowerCase();
    for (const needle of counts.keys()) {
      let at = text.indexOf(needle);
      while (at >= 0) {
        counts.set(needle, (counts.get(needle) ?? 0) + 1);
        at = text.indexOf(needle, at + needle.length);
      }
    }
  }
  return counts;
}

/** Debian's Chromium, headless; `extraArgs` after the usual flags (a feature switched off, …). */
export function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * Chromium started by us (not by Playwright) on a profile folder, so the test owns its process
 * group and can kill it with SIGKILL mid-work, like a phone killing the app; Playwright attaches
 * over the DevTools protocol.
 */
export interface KillableBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly pid: number;
  /** SIGKILL the whole process group (browser, renderers, network service) and wait for it. */
  kill(): Promise<void>;
}

export async function launchKillableChromium(userDataDir: string): Promise<KillableBrowser> {
  const child: ChildProcess = spawn(
    chromiumPath(),
    [
      ...CHROMIUM_ARGS,
      "--headless",
      `--user-data-dir=${userDataDir}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${text}`)), 30_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => reject(new Error(`Chromium exited (${code}):\n${text}`)));
  });
  child.stderr?.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  if (!context || child.pid === undefined) throw new Error("Chromium started without a default context");
  const pid = child.pid;
  return {
    browser,
    context,
    pid,
    kill: async () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
      await exited;
    },
  };
}

export function tempProfile(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "field-service-profile-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
