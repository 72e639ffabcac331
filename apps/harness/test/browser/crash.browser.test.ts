/**
 * Crash: with a profile on disk, SIGKILL the whole browser in the middle of replaying a few hundred
 * queued changes (the emulator slowed down), start it again on the same profile, and check that
 * every change reached the server exactly once in effect. Repeated at different moments.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  goOffline,
  goOnline,
  type KillableBrowser,
  launchKillableChromium,
  occurrences,
  openApp,
  type Stack,
  startStack,
  tempProfile,
  tid,
  until,
  waitForPending,
  waitForServiceWorker,
  writeRequests,
} from "./browser-fixture.ts";

const CREATES = 300;
const UPDATES = 60;
const TOTAL = CREATES + UPDATES;
/**
 * Each run kills at a different moment of the replay: when the first write request has arrived (its
 * outcome then unknown to the client), or once the server has applied at least `applied` changes;
 * then after `delayMs`. With 360 changes and batches of at most 100, at least one batch is still to
 * come at each of these moments.
 */
const KILL_MOMENTS = [
  { label: "the first batch arrived", applied: 0, delayMs: 0 },
  { label: "the first batch arrived", applied: 0, delayMs: 150 },
  { label: "a first batch was applied", applied: 1, delayMs: 0 },
  { label: "a first batch was applied", applied: 1, delayMs: 200 },
  { label: "more than 200 were applied", applied: 201, delayMs: 0 },
] as const;

type XrmWindow = {
  Xrm: {
    WebApi: {
      createRecord(e: string, d: unknown): Promise<{ id: string }>;
      updateRecord(e: string, id: string, d: unknown): Promise<{ id: string }>;
    };
  };
};

/** Queue the changes through Xrm.WebApi in the page: creates, then updates of every fourth one. */
function queueChanges(page: Page, prefix: string, accountId: string): Promise<string[]> {
  return page.evaluate(
    async ([p, account, creates, updates]) => {
      const api = (globalThis as unknown as XrmWindow).Xrm.WebApi;
      const ids = await Promise.all(
        Array.from({ length: creates }, (_, i) =>
          api
            .createRecord("task", {
              subject: `${p} ${i}`,
              description: "queued",
              "regardingobjectid_account_task@odata.bind": `/accounts(${account})`,
            })
            .then((r) => r.id),
        ),
      );
      await Promise.all(
        Array.from({ length: updates }, (_, j) =>
          api.updateRecord("task", ids[j * 4]!, { description: `updated ${j}` }),
        ),
      );
      return ids;
    },
    [prefix, accountId, CREATES, UPDATES] as const,
  );
}

/** Changes of this run the server has applied: creates, and updates (their description says so). */
function applied(emulator: Stack["emulator"], prefix: string): number {
  let n = 0;
  for (const t of emulator.rows("task")) {
    if (!String(t.subject).startsWith(`${prefix} `)) continue;
    n += String(t.description).startsWith("updated") ? 2 : 1;
  }
  return n;
}

describe("field-service crash during replay (SIGKILL, persistent profile)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
  });

  for (const [run, moment] of KILL_MOMENTS.entries()) {
    it(`run ${run + 1}: killed when ${moment.label} + ${moment.delayMs} ms, every change lands once`, {
      timeout: 120_000,
    }, async () => {
      const { emulator, demo } = stack;
      const profile = tempProfile();
      const prefix = `crash-${run + 1}`;
      let chrome: KillableBrowser | undefined;
      try {
        chrome = await launchKillableChromium(profile.dir);
        const page = await openApp(chrome.context, stack);
        await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 4, tid("case-item"));
        await waitForServiceWorker(page);

        await goOffline(chrome.context, emulator);
        const ids = await queueChanges(page, prefix, demo.accountIds[run % 4]!);
        await waitForPending(page, CREATES + UPDATES, 60_000);

        // Slow server, back online: the replay starts; kill the browser in the middle of it.
        emulator.faults.update({ latencyMs: 250 });
        const seq0 = emulator.requestLog.total;
        await goOnline(chrome.context, emulator);
        await until("the first write request", () => writeRequests(emulator, seq0).length >= 1, 60_000);
        await until(
          `${moment.applied} changes applied`,
          () => applied(emulator, prefix) >= moment.applied,
          60_000,
        );
        await new Promise((r) => setTimeout(r, moment.delayMs));
        // Mid-replay: measured just before the kill, not everything had been applied.
        const appliedAtKill = applied(emulator, prefix);
        await chrome.kill();
        if (process.env.CRASH_DEBUG) {
          for (const e of writeRequests(emulator, seq0)) {
            process.stdout.write(
              `  #${e.seq} ${e.method} ${e.path} t=${e.startedAt % 100000} status=${e.status} dur=${e.durationMs} body=${e.body.length}\n`,
            );
          }
        }
        expect(appliedAtKill).toBeLessThan(TOTAL);

        // Start again on the same profile: the rest is sent.
        emulator.faults.update({ latencyMs: 0 });
        chrome = await launchKillableChromium(profile.dir);
        const again = await openApp(chrome.context, stack);
        await waitForPending(again, 0, 90_000);
        await again.waitForFunction(
          (sel) => document.querySelector(sel)?.textContent?.trim() === "0",
          tid("failed-count"),
        );

        const mine = emulator.rows("task").filter((t) => String(t.subject).startsWith(`${prefix} `));
        expect(mine).toHaveLength(CREATES);
        expect(new Set(mine.map((t) => t.activityid))).toEqual(new Set(ids));
        for (const [i, id] of ids.entries()) {
          const row = emulator.row("task", id)!;
          expect(row.subject).toBe(`${prefix} ${i}`);
          expect(row.description).toBe(i % 4 === 0 && i / 4 < UPDATES ? `updated ${i / 4}` : "queued");
          expect(row._regardingobjectid_value).toBe(demo.accountIds[run % 4]);
        }
        // A create is sent again only when its first attempt's outcome was unknown (in flight at the kill).
        const sends = occurrences(
          emulator,
          ids.map((id) => `"activityid":"${id}"`),
          seq0,
        );
        const resent = [...sends.values()].filter((n) => n > 1).length;
        expect([...sends.values()].every((n) => n >= 1 && n <= 2)).toBe(true);
        process.stdout.write(
          `[crash run ${run + 1}] ${appliedAtKill}/${TOTAL} changes applied at the kill; ${resent} creates sent twice\n`,
        );
      } finally {
        await chrome?.kill();
        emulator.faults.update({ latencyMs: 0 });
        profile.remove();
      }
    });
  }
});
