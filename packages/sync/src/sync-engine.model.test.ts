/**
 * Model-based fault test over the in-memory fakes: random offline sessions (seeded, reproducible)
 * of creates, updates and deletes with lookups, connectivity flaps, client restarts (including
 * crashes with a request in flight), server faults, answers that can't be trusted (the server
 * applied the writes, the answer is unreadable, partial or garbled) and wall-clock steps of ±1 h.
 * After draining, the server must hold exactly what the local writes say: nothing lost, nothing
 * created twice, nothing reordered, no failure, nothing stuck.
 * Reproduce one sequence with SYNC_MODEL_SEED=<seed>; SYNC_MODEL_SEQUENCES=<n> runs more.
 */
import { describe, expect, it } from "vitest";
import { type EngineFixture, engineFixture } from "./testing/engine-fixture.ts";
import { flush } from "./testing/fake-clock.ts";
import type { FakeServer } from "./testing/fake-server.ts";
import {
  ANSWER_FAULTS,
  addRun,
  emptyTally,
  type FaultKind,
  generateSequence,
  lostRecords,
  Model,
  orderProblems,
  type Step,
  tallyLine,
} from "./testing/model-sequence.ts";
import { prng } from "./testing/prng.ts";

const SEQUENCES = Number(process.env.SYNC_MODEL_SEQUENCES ?? 500);
const FAULTS: FaultKind[] = [
  "503",
  "500",
  "429",
  "reset-before",
  "reset-after",
  "down",
  "up",
  "hang",
  ...ANSWER_FAULTS,
];

function inject(server: FakeServer, step: Extract<Step, { kind: "fault" }>): void {
  switch (step.fault) {
    case "down":
      server.down = true;
      return;
    case "up":
      server.down = false;
      return;
    case "429":
      server.faults.push({ kind: "429", retryAfterMs: step.retryAfterMs ?? 1 });
      return;
    case "hang":
      server.faults.push({ kind: "hang-after" });
      return;
    // What the transport makes of the emulator's answer faults (its own tests cover that part):
    // a whole answer it can't read, one part it can't read, the tail of the parts missing.
    case "truncate":
    case "empty":
    case "html":
    case "json":
    case "reorder-parts":
      server.faults.push({ kind: "unreadable-after" });
      return;
    case "garble-status":
      server.faults.push({ kind: "garble-after" });
      return;
    case "missing-parts":
      server.faults.push({ kind: "truncate-after" });
      return;
    default:
      server.faults.push({ kind: step.fault });
  }
}

async function runSequence(seed: number) {
  const rnd = prng(seed);
  const steps = generateSequence(rnd, { steps: 8 + rnd.int(25), faults: FAULTS, clockSteps: true });
  const conflictDetection = rnd.chance(0.5);
  const f: EngineFixture = engineFixture({
    conflictDetection,
    batchSize: 1 + rnd.int(4),
    concurrency: 1 + rnd.int(3),
    debounceMs: 5,
    retry: { baseMs: 1 + rnd.int(5), capMs: 50, random: rnd },
  });
  f.outbox.turns = { page: rnd.int(12), settle: rnd.int(12) };
  const model = new Model();
  const crashIfHung = async () => {
    if (f.server.hung > 0) {
      await f.restart({ batchSize: 1 + rnd.int(4) }); // the tab dies with the request in flight
      f.engine.start();
    }
  };
  f.engine.start();
  for (const step of steps) {
    switch (step.kind) {
      case "write":
        model.apply(step.operation);
        f.outbox.enqueue(step.operation);
        f.engine.notifyLocalWrite();
        break;
      case "online":
        f.online.next(step.value);
        break;
      case "restart":
        // A reload, maybe with other settings: a replay's rounds then cut the queue elsewhere.
        await f.restart({ batchSize: 1 + rnd.int(4) });
        f.engine.start();
        break;
      case "fault":
        inject(f.server, step);
        break;
      case "wait":
        await f.clock.advance(step.ms);
        break;
      case "sync":
        f.engine.syncNow().catch(() => {});
        break;
      case "clock":
        f.clock.stepWall(step.ms);
        break;
    }
    await flush();
    await crashIfHung();
  }
  // Drain: the network comes back for good.
  f.server.down = false;
  f.online.next(true);
  for (let i = 0; i < 2000 && f.outbox.rows().length > 0; i++) {
    await crashIfHung();
    if (i % 10 === 0) f.engine.syncNow().catch(() => {});
    await f.clock.advance(20);
  }
  await f.engine.close();
  return { steps, conflictDetection, f, model };
}

describe("model-based fault test (fakes)", () => {
  const only = process.env.SYNC_MODEL_SEED;
  const seeds = only ? [Number(only)] : Array.from({ length: SEQUENCES }, (_, i) => i + 1);

  it(`replays ${seeds.length} random faulty sessions to exactly the model's state`, async () => {
    let faults = 0;
    let unknownOutcomes = 0;
    let untrusted = 0;
    let clockSteps = 0;
    const tally = emptyTally();
    for (const seed of seeds) {
      const { steps, f, model } = await runSequence(seed);
      const problems = orderProblems(f.server.applied);
      const duplicated = problems.filter((p) => / created \d+ times$/.test(p)).length;
      addRun(tally, seed, {
        lost: lostRecords(model.snapshot(), f.server.snapshot()),
        duplicated,
        reordered: problems.length - duplicated,
        spuriousFailures: (await f.outbox.failures()).length,
        stuck: f.outbox.rows().filter((r) => r.state === "pending").length,
      });
      faults += steps.filter((s) => s.kind === "fault").length;
      unknownOutcomes += f.server.log.filter(
        (l) => l.fault === "reset-after" || l.fault === "hang-after",
      ).length;
      untrusted += f.server.log.filter(
        (l) => l.fault === "unreadable-after" || l.fault === "garble-after" || l.fault === "truncate-after",
      ).length;
      clockSteps += steps.filter((s) => s.kind === "clock").length;
    }
    console.log(tallyLine("fake stack", tally));
    expect(tally).toEqual({ ...emptyTally(), runs: seeds.length });
    // The sessions really exercised lost answers (not just clean runs).
    if (!only) {
      expect(faults).toBeGreaterThan(SEQUENCES);
      expect(unknownOutcomes).toBeGreaterThan(SEQUENCES / 10);
      expect(untrusted).toBeGreaterThan(SEQUENCES / 4);
      expect(clockSteps).toBeGreaterThan(SEQUENCES / 10);
    }
  }, 120_000);
});
