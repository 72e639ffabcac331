import { describe, expect, it } from "vitest";
import { createRunnerLock, inProcessLock, type WebLocks } from "./runner-lock.ts";

const tick = () => new Promise((r) => setImmediate(r));

describe("createRunnerLock", () => {
  it("uses Web Locks when given (keyed by name, abortable while waiting)", async () => {
    const calls: [string, AbortSignal | undefined][] = [];
    const locks: WebLocks = {
      request: async (name, options, callback) => {
        calls.push([name, options.signal]);
        return callback();
      },
    };
    const signal = new AbortController().signal;
    expect(await createRunnerLock(locks).run("xrm-offline-sync:db", signal, async () => 42)).toBe(42);
    expect(calls).toEqual([["xrm-offline-sync:db", signal]]);
  });

  it("falls back to the in-process lock without Web Locks", () => {
    expect(createRunnerLock(null)).toBe(inProcessLock);
  });
});

describe("inProcessLock", () => {
  it("runs jobs of one name one at a time, in arrival order; other names run freely", async () => {
    const log: string[] = [];
    const gate = { open: () => {} };
    const held = new Promise<void>((r) => {
      gate.open = r;
    });
    const signal = new AbortController().signal;
    const first = inProcessLock.run("a", signal, async () => {
      log.push("1 start");
      await held;
      log.push("1 end");
    });
    const second = inProcessLock.run("a", signal, async () => {
      log.push("2");
    });
    const other = inProcessLock.run("b", signal, async () => {
      log.push("b");
    });
    await tick();
    expect(log).toEqual(["1 start", "b"]);
    gate.open();
    await Promise.all([first, second, other]);
    expect(log).toEqual(["1 start", "b", "1 end", "2"]);
  });

  it("lets a waiter give up without breaking the queue, and releases on a failing job", async () => {
    const log: string[] = [];
    let open = () => {};
    const held = new Promise<void>((r) => {
      open = r;
    });
    const none = new AbortController().signal;
    const first = inProcessLock.run("q", none, async () => {
      await held;
      log.push("1");
      throw new Error("job failed");
    });
    const quitter = new AbortController();
    const second = inProcessLock.run("q", quitter.signal, async () => {
      log.push("2 must not run");
    });
    const third = inProcessLock.run("q", none, async () => {
      log.push("3");
    });
    quitter.abort(new Error("gave up"));
    await expect(second).rejects.toThrow("gave up");
    await tick();
    expect(log).toEqual([]); // 3 still waits for 1
    open();
    await expect(first).rejects.toThrow("job failed");
    await third;
    expect(log).toEqual(["1", "3"]);
  });
});
