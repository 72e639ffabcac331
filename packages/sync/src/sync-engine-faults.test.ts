import { ERRORS, toErrorCode, XrmError } from "@xrm-offline/odata";
import { afterEach, describe, expect, it } from "vitest";
import type { RemoteError } from "./ports.ts";
import { type EngineFixture, engineFixture } from "./testing/engine-fixture.ts";
import { flush } from "./testing/fake-clock.ts";
import { createOp, guid, lookup, updateOp } from "./testing/operations.ts";

const code = (name: keyof typeof ERRORS) => toErrorCode(ERRORS[name].code);
const A = guid(1);
const B = guid(2);
const C = guid(3);

let fixtures: EngineFixture[] = [];
function setup(...args: Parameters<typeof engineFixture>): EngineFixture {
  const f = engineFixture(...args);
  fixtures.push(f);
  return f;
}
afterEach(async () => {
  for (const f of fixtures) await f.engine.close();
  fixtures = [];
});

const validation = (message: string): RemoteError => ({
  status: 400,
  errorCode: code("StringLengthTooLong"),
  message,
  retryable: false,
  outcomeUnknown: false,
});

describe("transient faults: capped exponential backoff with jitter", () => {
  it("backs off after a 503, then retries on its own after the delay", async () => {
    // random 0.5 → delays 500, 1000, 2000 … (half of base·2^n), capped at capMs.
    const f = setup({ retry: { baseMs: 1000, capMs: 1500, random: () => 0.5 } });
    f.outbox.enqueue(createOp("account", A));
    f.server.faults.push({ kind: "503" }, { kind: "503" }, { kind: "503" }, { kind: "503" });
    const t0 = f.clock.now();
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 0, pending: 1 });
    expect(f.statuses.at(-1)).toMatchObject({
      phase: "backing-off",
      lastError: { errorCode: code("UnexpectedError"), message: "Service Unavailable" },
    });
    const at: number[] = [];
    f.server.onRequest = () => at.push(f.clock.now() - t0);
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    // 0.5·min(cap, base·2^n): 500 after the first, then +750 (capped), +750, +750
    expect(at).toEqual([500, 1250, 2000, 2750]);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", pending: 0, lastError: null });
    expect(f.statuses.at(-1)!.lastSyncedAt).toBe(new Date(t0 + 2750).toISOString());
  });

  it("honours Retry-After on 429, even when asked to sync now", async () => {
    const f = setup({ retry: { baseMs: 10, capMs: 60_000, random: () => 0.5 } });
    f.outbox.enqueue(createOp("account", A));
    f.server.faults.push({ kind: "429", retryAfterMs: 7000 });
    const t0 = f.clock.now();
    await f.engine.syncNow();
    expect(f.statuses.at(-1)).toMatchObject({
      phase: "backing-off",
      lastError: { errorCode: code("ThrottlingRequestCount") },
    });
    const again = f.engine.syncNow();
    await f.clock.advance(6999);
    expect(f.server.log).toHaveLength(1);
    await f.clock.advance(1);
    expect(await again).toMatchObject({ pushed: 1, pending: 0 });
    expect(f.clock.now() - t0).toBe(7000);
  });

  it("forgets its own backoff when connectivity comes back", async () => {
    const f = setup({ retry: { baseMs: 60_000, capMs: 600_000, random: () => 0.5 } });
    f.outbox.enqueue(createOp("account", A));
    f.server.down = true;
    await f.engine.syncNow();
    expect(f.statuses.at(-1)).toMatchObject({ phase: "backing-off", pending: 1 });
    f.online.next(false);
    await flush();
    expect(f.statuses.at(-1)).toMatchObject({ connectivity: "offline", phase: "idle" });
    f.server.down = false;
    f.online.next(true);
    await flush();
    expect(f.outbox.rows()).toEqual([]);
  });

  it("does not let local writes hammer a server that is backing off", async () => {
    const f = setup({ retry: { baseMs: 10_000, capMs: 60_000, random: () => 0.5 } });
    f.outbox.enqueue(createOp("account", A));
    f.server.faults.push({ kind: "503" });
    await f.engine.syncNow();
    f.outbox.enqueue(createOp("account", B));
    f.engine.notifyLocalWrite();
    await f.clock.advance(4000);
    expect(f.server.log).toHaveLength(1);
    await f.clock.advance(1000);
    expect(f.server.log).toHaveLength(2);
    expect(f.outbox.rows()).toEqual([]);
  });

  it("keeps retrying one write whose part fails with 5xx without holding the others back", async () => {
    const f = setup({ retry: { baseMs: 1000, capMs: 8000, random: () => 0.5 } });
    let poison = 1;
    f.server.reject = (w) =>
      w.operation.id === A && poison-- > 0
        ? {
            status: 500,
            errorCode: code("UnexpectedError"),
            message: "plug-in crashed",
            retryable: true,
            outcomeUnknown: false,
          }
        : undefined;
    f.outbox.enqueue(createOp("account", A));
    f.outbox.enqueue(createOp("account", B));
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 1, pending: 1 });
    f.outbox.enqueue(createOp("account", C));
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 2, pending: 0 });
    expect(f.server.get("account", C)).toBeDefined();
    expect(await f.engine.failures()).toEqual([]);
  });

  it("gives a write up as a failure after maxAttempts server errors in a row", async () => {
    const f = setup({ retry: { baseMs: 100, capMs: 1000, maxAttempts: 3, random: () => 0.5 } });
    f.server.reject = (w) =>
      w.operation.id === A
        ? {
            status: 500,
            errorCode: code("UnexpectedError"),
            message: "plug-in crashed",
            retryable: true,
            outcomeUnknown: false,
          }
        : undefined;
    f.outbox.enqueue(createOp("account", A, { name: "a" }));
    await f.engine.syncNow();
    await f.clock.runUntil(() => f.outbox.rows()[0]?.state === "failed");
    const [failure] = await f.engine.failures();
    expect(failure).toMatchObject({
      errorType: 3,
      errorCode: code("UnexpectedError"),
      message: "plug-in crashed",
      httpStatus: 500,
    });
    expect(f.server.log.filter((l) => l.kind === "single")).toHaveLength(3);
    expect(f.statuses.at(-1)).toMatchObject({ pending: 0, failed: 1, phase: "idle" });
  });
});

describe("permanent failures", () => {
  it("keeps one bad write as a failure and lets its neighbours through (continue-on-error)", async () => {
    const f = setup();
    f.server.reject = (w) => (w.operation.id === B ? validation("name is too long") : undefined);
    f.outbox.enqueue(createOp("account", A));
    f.outbox.enqueue(createOp("account", B, { name: "x".repeat(200) }));
    f.outbox.enqueue(createOp("account", C));
    expect(await f.engine.syncNow()).toEqual({ pushed: 2, failed: 1, conflicts: 0, pending: 0 });
    expect(f.server.log).toHaveLength(1);
    const failures = await f.engine.failures();
    expect(failures.map((x) => [x.recordId, x.errorType, x.message, x.httpStatus])).toEqual([
      [B, 3, "name is too long", 400],
    ]);
    expect(f.statuses.at(-1)).toMatchObject({
      pending: 0,
      failed: 1,
      lastError: { message: "name is too long" },
    });
  });

  it("makes what depends on a failed write wait with it; discard lets it go; retry sends both", async () => {
    const f = setup();
    let bad = true;
    f.server.reject = (w) => (w.operation.id === C && bad ? validation("contact rejected") : undefined);
    f.outbox.enqueue(createOp("contact", C));
    f.outbox.enqueue(createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]));
    f.outbox.enqueue(updateOp("contact", C, { lastname: "x" }));
    f.outbox.enqueue(createOp("account", B));
    expect(await f.engine.syncNow()).toEqual({ pushed: 1, failed: 1, conflicts: 0, pending: 2 });
    expect(f.outbox.rows().map((r) => [r.seq, r.state])).toEqual([
      [1, "failed"],
      [2, "pending"],
      [3, "pending"],
    ]);
    // Still waiting on the next cycle, and the next.
    expect(await f.engine.syncNow()).toEqual({ pushed: 0, failed: 0, conflicts: 0, pending: 2 });

    const [failure] = await f.engine.failures();
    bad = false;
    await f.engine.retry(failure!.id);
    await flush();
    expect(f.outbox.rows()).toEqual([]);
    expect(f.server.get("account", A)!.values).toEqual({ _primarycontactid_value: C });
    expect(f.server.get("contact", C)!.values).toEqual({ lastname: "x" });
  });

  it("discarding a failure unblocks its dependants (which then meet the server's verdict)", async () => {
    const f = setup();
    f.server.reject = (w) => (w.operation.id === C ? validation("contact rejected") : undefined);
    f.outbox.enqueue(createOp("contact", C));
    f.outbox.enqueue(createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]));
    await f.engine.syncNow();
    const [failure] = await f.engine.failures();
    await f.engine.discard(failure!.id);
    await f.clock.advance(0);
    const after = await f.engine.failures();
    expect(after.map((x) => [x.recordId, x.errorType])).toEqual([[A, 1]]);
    expect(f.outbox.rows().map((r) => r.seq)).toEqual([2]);
  });

  it("rejects retry/discard of an unknown failure with an XrmError", async () => {
    const f = setup();
    await expect(f.engine.retry("nope")).rejects.toBeInstanceOf(XrmError);
    await expect(f.engine.discard("nope")).rejects.toMatchObject({ errorCode: code("ObjectDoesNotExist") });
  });

  it("sends each write of a $batch refused as a whole on its own, so the culprit alone fails", async () => {
    const f = setup();
    const original = f.server.sendBatch.bind(f.server);
    const refused: number[] = [];
    f.server.sendBatch = async (writes, signal) => {
      if (!writes.some((w) => w.operation.id === B)) return original(writes, signal);
      refused.push(writes.length);
      return {
        ok: false,
        error: { ...validation("The batch is malformed."), errorCode: code("InvalidArgument") },
      };
    };
    f.server.reject = (w) => (w.operation.id === B ? validation("bad row") : undefined);
    f.outbox.enqueue(createOp("account", A));
    f.outbox.enqueue(createOp("account", B));
    f.outbox.enqueue(createOp("account", C));
    expect(await f.engine.syncNow()).toEqual({ pushed: 2, failed: 1, conflicts: 0, pending: 0 });
    expect(refused).toEqual([3]);
    expect(f.server.log.map((l) => [l.kind, l.writes.length])).toEqual([
      ["single", 1],
      ["single", 1],
      ["single", 1],
    ]);
    expect((await f.engine.failures()).map((x) => x.recordId)).toEqual([B]);
  });
});

describe("options", () => {
  it("sends one request per write with batchSize 1", async () => {
    const f = setup({ batchSize: 1 });
    f.outbox.enqueue(createOp("account", A));
    f.outbox.enqueue(createOp("account", B));
    await f.engine.syncNow();
    expect(f.server.log.map((l) => l.kind)).toEqual(["single", "single"]);
  });

  it("splits a round into $batch requests of batchSize", async () => {
    const f = setup({ batchSize: 2, concurrency: 2 });
    for (let i = 1; i <= 5; i++) f.outbox.enqueue(createOp("account", guid(i)));
    expect(await f.engine.syncNow()).toMatchObject({ pushed: 5 });
    expect(f.server.log.map((l) => [l.kind, l.writes.length])).toEqual([
      ["batch", 2],
      ["batch", 2],
      ["single", 1],
    ]);
  });

  it("validates batchSize and concurrency", () => {
    expect(() => engineFixture({ batchSize: 0 })).toThrow(XrmError);
    expect(() => engineFixture({ batchSize: 1001 })).toThrow(
      expect.objectContaining({ errorCode: code("InvalidArgument") }),
    );
    expect(() => engineFixture({ batchSize: 1.5 })).toThrow(
      expect.objectContaining({ errorCode: code("InvalidArgument") }),
    );
    expect(() => engineFixture({ concurrency: 0 })).toThrow(
      expect.objectContaining({ errorCode: code("InvalidArgument") }),
    );
  });
});
