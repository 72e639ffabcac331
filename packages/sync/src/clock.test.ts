import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.ts";

describe("systemClock.sleep", () => {
  it("never ends before monotonic() has moved by the time asked (timers alone fire early)", async () => {
    const early: number[] = [];
    for (let i = 0; i < 200; i++) {
      const ms = 1 + (i % 5);
      const start = systemClock.monotonic();
      await systemClock.sleep(ms);
      const slept = systemClock.monotonic() - start;
      if (slept < ms) early.push(slept);
    }
    expect(early).toEqual([]);
  });

  it("rejects with the signal's reason when aborted, and at once when already aborted", async () => {
    const controller = new AbortController();
    const pending = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    await expect(systemClock.sleep(1, controller.signal)).rejects.toThrow("stop");
  });
});
