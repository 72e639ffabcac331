/**
 * Issue 14 over HTTP (Dexie store on fake-indexeddb → engine → HTTP transport → emulator): answers
 * that can't be trusted, clock steps, ghost records and a captive portal. Each case fails without
 * its fix (see docs/sync.md, "Answers we can't trust").
 */

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import { databaseOf } from "@xrm-offline/store/testing";
import { type Clock, createServerProbe, systemClock } from "@xrm-offline/sync";
import { createTransport } from "@xrm-offline/transport";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openSyncStack, type SyncStack } from "../src/sync-stack.ts";

const code = (name: keyof typeof ERRORS) => toErrorCode(ERRORS[name].code);

let emulator: Emulator;
let stacks: SyncStack[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:", port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.clear();
  emulator.faults.clear();
});
afterEach(async () => {
  for (const s of stacks) await s.close();
  stacks = [];
});

async function stack(...args: Parameters<typeof openSyncStack> extends [unknown, ...infer R] ? R : never) {
  const s = await openSyncStack(emulator, ...args);
  stacks.push(s);
  return s;
}

/** syncNow until nothing is pending (each call waits for a real cycle; backoff is 1–5 ms here). */
async function drain(s: SyncStack): Promise<void> {
  for (let i = 0; i < 200 && (await s.engine.pendingCount()) > 0; i++) await s.engine.syncNow();
}

const ANSWER_FAULTS = [
  "truncate",
  "empty",
  "html",
  "json",
  "garble-status",
  "missing-parts",
  "reorder-parts",
] as const;

describe("1–3. the server applied the writes, the answer can't be trusted", () => {
  for (const batchSize of [1, 4]) {
    for (const fault of ANSWER_FAULTS) {
      it(`${fault}, ${batchSize === 1 ? "single requests" : "$batch"}: no failure, each write applied once`, async () => {
        const s = await stack({ engine: { batchSize, conflictDetection: batchSize === 1 } });
        const injected = emulator.faults.injected.get(`answer:${fault}`) ?? 0;
        const a = await s.create("account", { name: "A" });
        const b = await s.create("account", { name: "B" });
        const c = await s.create("contact", { lastname: "C" });
        emulator.faults.enqueue(fault);
        await s.engine.syncNow();
        await s.update("account", a, { telephone1: "1" });
        await s.remove("contact", c);
        emulator.faults.enqueue(fault);
        await s.engine.syncNow();
        await drain(s);
        expect((await s.engine.failures()).map((f) => [f.action, f.errorCode, f.message])).toEqual([]);
        expect(await s.engine.pendingCount()).toBe(0);
        expect([emulator.row("account", a)?.name, emulator.row("account", a)?.telephone1]).toEqual([
          "A",
          "1",
        ]);
        expect(emulator.row("account", b)?.name).toBe("B");
        expect(emulator.row("contact", c)).toBeUndefined();
        expect([emulator.count("account"), emulator.count("contact")]).toEqual([2, 0]);
        expect(emulator.faults.injected.get(`answer:${fault}`)).toBe(injected + 2);
      });
    }
  }

  it("a create answered 201 with truncated JSON (conflict detection on) is acknowledged on replay, not a failure", async () => {
    const s = await stack({ engine: { batchSize: 1, conflictDetection: true } });
    const a = await s.create("account", { name: "A" });
    const logStart = emulator.requestLog.length;
    emulator.faults.enqueue("truncate");
    await s.engine.syncNow();
    await drain(s);
    expect(await s.engine.failures()).toEqual([]);
    // The replay met the duplicate key of the first attempt.
    expect(
      emulator.requestLog
        .entries()
        .slice(logStart)
        .map((e) => [e.method, e.status, e.fault ?? null]),
    ).toEqual([
      ["POST", 201, "answer:truncate"],
      ["POST", 412, null],
    ]);
    await s.update("account", a, { name: "A2" });
    await drain(s);
    expect([emulator.row("account", a)?.name, await s.engine.failures()]).toEqual(["A2", []]);
  });

  it("reordered $batch parts: each create gets its own answer (a real 'already exists' stays with its record)", async () => {
    const s = await stack({ engine: { batchSize: 4 } });
    const a = await s.create("account", { name: "mine A" });
    const b = await s.create("account", { name: "mine B" });
    // Another device already created B's GUID.
    emulator.handle({
      method: "POST",
      path: "accounts",
      body: JSON.stringify({ accountid: b, name: "theirs" }),
    });
    emulator.faults.enqueue("reorder-parts");
    await s.engine.syncNow();
    const failures = await s.engine.failures();
    expect(failures.map((f) => [f.recordId, f.errorType, f.errorCode])).toEqual([
      [b, 2, code("DuplicateRecord")],
    ]);
    expect([emulator.row("account", a)?.name, emulator.row("account", b)?.name]).toEqual([
      "mine A",
      "theirs",
    ]);
    expect(await s.engine.pendingCount()).toBe(0);
  });
});

describe("4. waits on the monotonic clock", () => {
  it("a Retry-After wait during which the wall clock steps back 1 h doesn't stall syncNow()", async () => {
    let offset = 0;
    const clock: Clock = { ...systemClock, now: () => Date.now() + offset };
    const s = await stack({ engine: { clock, batchSize: 1, retry: { baseMs: 1, capMs: 60_000 } } });
    const a = await s.create("account", { name: "A" });
    emulator.faults.enqueue({ kind: "status", status: 429, retryAfter: 1 });
    await s.engine.syncNow(); // throttled: the remote waits 1 s (Retry-After)
    offset -= 3_600_000;
    // Asked to sync now, the engine honours the server's wait (1 s), not a wall-clock hour.
    const report = await s.engine.syncNow();
    expect([report.pushed, report.pending, emulator.row("account", a)?.name]).toEqual([1, 0, "A"]);
  }, 20_000);
});

describe("5. ghost records: updated here, deleted on the server", () => {
  it("the update fails with 'does not exist'; after Discard the record is gone from the device", async () => {
    const s = await stack();
    const c = await s.create("contact", { lastname: "Ghost" });
    const other = await s.create("contact", { lastname: "Stays" });
    await drain(s);
    await s.update("contact", c, { firstname: "edited offline" });
    await s.update("contact", other, { firstname: "edited too" });
    emulator.handle({ method: "DELETE", path: `contacts(${c})` });
    await s.engine.syncNow();
    const [failure, ...more] = await s.engine.failures();
    expect([failure?.recordId, failure?.errorType, failure?.errorCode, more]).toEqual([
      c,
      1,
      code("ObjectDoesNotExist"),
      [],
    ]);
    // Before the discard it stays, with the local change, marked failed (nothing typed is lost unseen).
    expect((await databaseOf(s.store).records.get(["contact", c]))?.firstname).toBe("edited offline");
    await s.update("contact", c, { lastname: "edited again" }); // waits behind the failure
    await s.engine.discard(failure!.id);
    expect(await databaseOf(s.store).records.get(["contact", c])).toBeUndefined();
    expect(await s.engine.pendingCount()).toBe(0);
    expect((await databaseOf(s.store).records.get(["contact", other]))?.firstname).toBe("edited too");
    await s.reload();
    expect(await databaseOf(s.store).records.get(["contact", c])).toBeUndefined();
    expect(emulator.row("contact", other)?.firstname).toBe("edited too");
  });

  it("a 'does not exist' about a lookup's target only reverts the change", async () => {
    const s = await stack();
    const contact = await s.create("contact", { lastname: "Keeps" });
    const account = await s.create("account", { name: "Target" });
    await drain(s);
    emulator.handle({ method: "DELETE", path: `accounts(${account})` });
    await s.update("contact", contact, { "parentcustomerid_account@odata.bind": `/accounts(${account})` });
    await s.engine.syncNow();
    const [failure] = await s.engine.failures();
    expect([failure?.recordId, failure?.errorType]).toEqual([contact, 1]);
    await s.engine.discard(failure!.id);
    expect((await databaseOf(s.store).records.get(["contact", contact]))?.lastname).toBe("Keeps");
  });
});

describe("6. a captive portal is not the server", () => {
  it("the probe says offline while every request gets 200 text/html, online with the real service", async () => {
    const probe = createServerProbe(createTransport({ serverUrl: emulator.url }));
    const signal = new AbortController().signal;
    expect(await probe(signal)).toBe(true);
    emulator.faults.set({ failRate: 1, failWith: ["html"] });
    expect(await probe(signal)).toBe(false);
    emulator.faults.set({ failRate: 1, failWith: ["json"] });
    expect(await probe(signal)).toBe(false);
    emulator.faults.set({ failRate: 1, failWith: ["empty"] });
    expect(await probe(signal)).toBe(false);
    emulator.faults.clear();
    expect(await probe(signal)).toBe(true);
    // A throttled service is there (the engine handles the 429).
    emulator.faults.enqueue(429);
    expect(await probe(signal)).toBe(true);
  });
});
