import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import { afterEach, describe, expect, it } from "vitest";
import type { RemotePort, RunnerLock } from "./ports.ts";
import { createSyncEngine } from "./sync-engine.ts";
import { type EngineFixture, engineFixture } from "./testing/engine-fixture.ts";
import { type FakeClock, flush } from "./testing/fake-clock.ts";
import type { FakeServer } from "./testing/fake-server.ts";
import { createOp, guid, lookup } from "./testing/operations.ts";

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

describe("status$", () => {
  it("shows connectivity, phase, pending, failed, progress, lastSyncedAt and lastError", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("contact", C));
    f.outbox.enqueue(createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]));
    f.outbox.enqueue(createOp("account", B));
    const t0 = f.clock.now();
    await f.engine.syncNow();
    const seen = f.statuses.map((s) => [
      s.connectivity,
      s.phase,
      s.pending,
      s.progress && `${s.progress.done}/${s.progress.total}`,
    ]);
    expect(seen).toEqual([
      ["offline", "idle", 0, null],
      ["online", "idle", 0, null],
      ["online", "idle", 3, null],
      ["online", "pushing", 3, "0/3"],
      ["online", "pushing", 1, "2/3"],
      ["online", "pushing", 0, "3/3"],
      ["online", "idle", 0, null],
    ]);
    expect(f.statuses.at(-1)).toEqual({
      connectivity: "online",
      phase: "idle",
      pending: 0,
      failed: 0,
      progress: null,
      lastSyncedAt: new Date(t0).toISOString(),
      lastError: null,
      uploads: [],
    });
  });

  it("counts local writes into pending after the debounce, before syncing", async () => {
    const f = setup();
    f.online.next(false);
    f.engine.start();
    f.outbox.enqueue(createOp("account", A));
    f.engine.notifyLocalWrite();
    await f.clock.advance(100);
    expect(f.statuses.at(-1)).toMatchObject({ connectivity: "offline", pending: 1, phase: "idle" });
  });
});

describe("lifecycle", () => {
  it("stop() aborts the cycle in flight, rejects syncNow callers, and releases the lock", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A));
    f.server.faults.push({ kind: "hang-after" });
    const pending = f.engine.syncNow();
    await flush();
    await f.engine.stop();
    await expect(pending).rejects.toMatchObject({ errorCode: code("RequestAborted") });
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle" });
    // Another engine on the same database gets the lock and finishes the job.
    const other = engineFixture({}, { outbox: f.outbox, server: f.server, clock: f.clock });
    fixtures.push(other);
    expect(await other.engine.syncNow()).toMatchObject({ pushed: 1, pending: 0 });
    // After close, start() refuses.
    await f.engine.close();
    expect(() => f.engine.start()).toThrow(expect.objectContaining({ errorCode: code("RequestAborted") }));
  });

  it("a syncNow() right after a stop() that was not awaited gets a cycle of its own; the write lands once", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A));
    f.server.faults.push({ kind: "hang-after" });
    const first = f.engine.syncNow();
    await flush();
    const stopping = f.engine.stop(); // not awaited: the hung cycle is still winding down
    const second = f.engine.syncNow(); // a new session at once
    await expect(first).rejects.toMatchObject({ errorCode: code("RequestAborted") });
    expect(await second).toMatchObject({ pushed: 1, failed: 0, pending: 0 });
    await stopping;
    // Applied once by the hung request; the re-send of an unknown outcome was not applied again.
    expect(f.server.tables.get("account")?.size).toBe(1);
  });

  it("runs the pull hook after the push, under the lock, and not when the remote is failing", async () => {
    const calls: string[] = [];
    const f = setup({
      pull: async () => {
        calls.push(`pull after ${f.server.log.length} requests`);
      },
    });
    f.outbox.enqueue(createOp("account", A));
    await f.engine.syncNow();
    expect(calls).toEqual(["pull after 1 requests"]);
    expect(f.statuses.map((s) => s.phase)).toContain("pulling");
    f.outbox.enqueue(createOp("account", B));
    f.server.faults.push({ kind: "503" });
    await f.engine.syncNow();
    expect(calls).toHaveLength(1);
  });

  it("shows a pull failure as lastError and comes back for it", async () => {
    let fail = true;
    const f = setup({
      pull: async () => {
        if (fail) throw { errorCode: code("UnexpectedError"), message: "pull broke" };
      },
    });
    await f.engine.syncNow();
    expect(f.statuses.at(-1)).toMatchObject({ lastError: { message: "pull broke" }, lastSyncedAt: null });
    fail = false;
    await f.clock.runUntil(() => f.statuses.at(-1)?.lastSyncedAt !== null);
    expect(f.statuses.at(-1)).toMatchObject({ lastError: null, phase: "idle" });
  });

  it("shows a broken outbox as phase 'error' and retries it with backoff", async () => {
    const f = setup();
    f.outbox.enqueue(createOp("account", A));
    const page = f.outbox.page.bind(f.outbox);
    let broken = true;
    f.outbox.page = async (after, limit) => {
      if (broken) throw new Error("Connection to Indexed Database server lost");
      return page(after, limit);
    };
    await expect(f.engine.syncNow()).rejects.toMatchObject({
      message: "Connection to Indexed Database server lost",
    });
    expect(f.statuses.at(-1)).toMatchObject({
      phase: "error",
      lastError: { message: "Connection to Indexed Database server lost" },
    });
    broken = false;
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", pending: 0 });
  });
});

/** Wraps a FakeServer so every request takes `ms` of virtual time and counts overlaps. */
function slowRemote(server: FakeServer, clock: FakeClock, ms: number) {
  const stats = { inFlight: 0, maxInFlight: 0 };
  const around = async <T>(f: () => Promise<T>): Promise<T> => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      await clock.sleep(ms);
      return await f();
    } finally {
      stats.inFlight--;
    }
  };
  const remote: RemotePort = {
    bodyOf: (o) => server.bodyOf(o),
    send: (w, s) => around(() => server.send(w, s)),
    sendBatch: (w, s) => around(() => server.sendBatch(w, s)),
    retrieve: (o) => around(() => server.retrieve(o)),
  };
  return { remote, stats };
}

describe("pipelined rounds", () => {
  it("keeps up to `concurrency` rounds in flight, but sends nothing before what it depends on is answered", async () => {
    const f = setup({ batchSize: 1, concurrency: 2 });
    const spans: { id: string; start: number; end: number }[] = [];
    const timed: RemotePort = {
      bodyOf: (o) => f.server.bodyOf(o),
      send: async (w, s) => {
        const span = { id: w.operation.id, start: f.clock.now(), end: 0 };
        spans.push(span);
        await f.clock.sleep(10);
        const r = await f.server.send(w, s);
        span.end = f.clock.now();
        return r;
      },
      sendBatch: (w, s) => f.server.sendBatch(w, s),
      retrieve: (o) => f.server.retrieve(o),
    };
    const engine = createSyncEngine({
      outbox: f.outbox,
      remote: timed,
      connectivity: f.online,
      clock: f.clock,
      batchSize: 1,
      concurrency: 2,
      lockName: "pipelined",
    });
    f.outbox.enqueue(createOp("contact", C));
    f.outbox.enqueue(createOp("account", B));
    f.outbox.enqueue(createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]));
    const report = engine.syncNow();
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    expect(await report).toMatchObject({ pushed: 3, pending: 0 });
    await engine.close();
    const span = (id: string) => spans.find((x) => x.id === id)!;
    // C and B went together; A only after C's answer.
    expect(span(C).start).toBe(span(B).start);
    expect(span(A).start).toBeGreaterThanOrEqual(span(C).end);
  });
});

describe("one runner per database (invariant 5)", () => {
  async function race(lock: RunnerLock | undefined) {
    const f = setup();
    const { remote, stats } = slowRemote(f.server, f.clock, 10);
    const engines = [0, 1].map(() =>
      createSyncEngine({
        outbox: f.outbox,
        remote,
        connectivity: f.online,
        clock: f.clock,
        batchSize: 2,
        concurrency: 1, // one request at a time per engine: any overlap is two runners
        ...(lock ? { lock } : {}),
        retry: { baseMs: 1, capMs: 1 },
      }),
    );
    for (let i = 1; i <= 6; i++) f.outbox.enqueue(createOp("account", guid(i)));
    const reports = engines.map((e) => e.syncNow());
    await f.clock.runUntil(() => f.outbox.rows().length === 0);
    await Promise.all(reports);
    for (const e of engines) await e.close();
    const sent = f.server.log.flatMap((l) => l.writes.map((w) => w.operation.id));
    return { stats, sent, failures: await f.outbox.failures() };
  }

  it("never lets two engines of one database send at once; nothing is sent twice", async () => {
    const { stats, sent, failures } = await race(undefined);
    expect(stats.maxInFlight).toBe(1);
    expect(sent).toHaveLength(6);
    expect(new Set(sent).size).toBe(6);
    expect(failures).toEqual([]);
  });

  it("(control) without the lock, the same race does send twice", async () => {
    const noLock: RunnerLock = { run: (_name, _signal, job) => job() };
    const { stats, sent } = await race(noLock);
    expect(stats.maxInFlight).toBe(2);
    expect(sent.length).toBeGreaterThan(6);
  });

  it("lets any engine write: a write from a tab that isn't running is sent by the runner", async () => {
    const f = setup();
    const other = engineFixture({}, { outbox: f.outbox, server: f.server, clock: f.clock, online: f.online });
    fixtures.push(other);
    f.engine.start();
    other.engine.start();
    await flush();
    f.outbox.enqueue(createOp("account", A), true); // written in "the other tab"
    await f.clock.advance(100);
    expect(f.outbox.rows()).toEqual([]);
    expect(f.server.log.flatMap((l) => l.writes)).toHaveLength(1);
  });
});
