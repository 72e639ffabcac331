// The engine's pull hook: after the push, progress in status$, its own backoff, periodic cycles.
import { xrmError } from "@xrm-offline/odata";
import { afterEach, describe, expect, it } from "vitest";
import type { PullProgressInfo } from "../sync-engine.ts";
import { type EngineFixture, engineFixture } from "../testing/engine-fixture.ts";
import { flush } from "../testing/fake-clock.ts";
import { createOp, guid } from "../testing/operations.ts";

let fixtures: EngineFixture[] = [];
afterEach(async () => {
  for (const f of fixtures) await f.engine.close();
  fixtures = [];
});

type Hook = (signal: AbortSignal, onProgress: (p: PullProgressInfo) => void) => Promise<unknown>;

function setup(pull: Hook, intervalMs?: number): EngineFixture {
  const f = engineFixture({ pull, ...(intervalMs !== undefined ? { intervalMs } : {}) });
  fixtures.push(f);
  return f;
}

describe("sync engine: the pull hook", () => {
  it("pulls after the push of the same cycle, and shows the pull's progress", async () => {
    const events: string[] = [];
    let f!: EngineFixture;
    f = setup(async (_signal, onProgress) => {
      events.push(`pull with ${f.server.log.length} push requests done`);
      onProgress({ table: "account", done: 0, total: 40 });
      onProgress({ table: "account", done: 20, total: 40 });
      onProgress({ table: "contact", done: 7, total: null });
    });
    f.outbox.enqueue(createOp("account", guid(1), { name: "a" }));
    await f.engine.syncNow();
    expect(events).toEqual(["pull with 1 push requests done"]);
    const pulling = f.statuses.filter((s) => s.phase === "pulling").map((s) => s.progress);
    expect(pulling).toEqual([
      null,
      { done: 0, total: 40, table: "account" },
      { done: 20, total: 40, table: "account" },
      { done: 7, total: 7, table: "contact" },
    ]);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", progress: null, lastError: null });
  });

  it("retries a failed pull with backoff instead of at once, without holding pushes back", async () => {
    let calls = 0;
    const f = setup(async () => {
      calls++;
      if (calls <= 2) throw Object.assign(xrmError("UnexpectedError", "pull broke"), { retryAfterMs: 5000 });
    });
    await f.engine.syncNow();
    expect(calls).toBe(1);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "backing-off", lastError: { message: "pull broke" } });
    // Nothing happens before the wait the failure asked for.
    await f.clock.advance(4000);
    expect(calls).toBe(1);
    // A local write is still pushed at once (the pull is held, not the push).
    f.outbox.enqueue(createOp("account", guid(2), { name: "b" }));
    f.engine.notifyLocalWrite();
    await f.clock.advance(200);
    expect(f.server.log.length).toBe(1);
    expect(calls).toBe(1);
    await f.clock.advance(1000);
    expect(calls).toBe(2);
    await f.clock.runUntil(() => calls === 3);
    await flush();
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", lastError: null });
  });

  it("runs a cycle every intervalMs while started", async () => {
    let calls = 0;
    const f = setup(async () => {
      calls++;
    }, 60_000);
    f.engine.start();
    await flush();
    expect(calls).toBe(1);
    await f.clock.advance(59_000);
    expect(calls).toBe(1);
    await f.clock.advance(1000);
    expect(calls).toBe(2);
    await f.clock.advance(60_000);
    expect(calls).toBe(3);
    await f.engine.stop();
    await f.clock.advance(600_000);
    expect(calls).toBe(3);
  });

  it("refuses a nonsensical interval", () => {
    expect(() => engineFixture({ intervalMs: 0 })).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
    expect(() => engineFixture({ intervalMs: Number.NaN })).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
  });
});
