import { describe, expect, it } from "vitest";
import { BackoffBook } from "./backoff-book.ts";

describe("BackoffBook", () => {
  it("holds the remote with capped exponential delays with full jitter", () => {
    const book = new BackoffBook({ baseMs: 100, capMs: 1000, random: () => 0.999 });
    const delays = [0, 1, 2, 3, 4, 5].map(() => book.remoteFailed(0, undefined));
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
    book.remoteAnswered();
    expect(book.remoteHeldUntil(0)).toBeUndefined();
    const low = new BackoffBook({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect(low.remoteFailed(50, undefined)).toBe(50);
  });

  it("honours Retry-After as a floor, up to capMs, and keeps it through a reset", () => {
    const book = new BackoffBook({ baseMs: 100, capMs: 10_000, random: () => 0.5 });
    expect(book.remoteFailed(1000, 3000)).toBe(4000);
    book.reset();
    expect(book.remoteHeldUntil(1000)).toBe(4000);
    expect(book.remoteFailed(0, 60_000)).toBe(10_000);
    const own = new BackoffBook({ baseMs: 100, capMs: 10_000, random: () => 0.5 });
    own.remoteFailed(0, undefined);
    own.reset();
    expect(own.remoteHeldUntil(0)).toBeUndefined();
  });

  it("holds single writes apart, wakes at the earliest, and counts server errors for maxAttempts", () => {
    const book = new BackoffBook({ baseMs: 100, capMs: 1000, maxAttempts: 2, random: () => 0.5 });
    expect(book.writeFailed([7, 8], 0, undefined, true)).toBe(false);
    expect(book.isHeld(7, 49)).toBe(true);
    expect(book.isHeld(8, 49)).toBe(true);
    expect(book.isHeld(7, 50)).toBe(false);
    expect(book.isHeld(9, 0)).toBe(false);
    book.writeFailed([9], 0, 500, false);
    expect(book.nextWakeAt(0)).toBe(50);
    expect(book.nextWakeAt(50)).toBe(500);
    // a network error in between does not count, the second server error does
    expect(book.writeFailed([7, 8], 100, undefined, false)).toBe(false);
    expect(book.writeFailed([7, 8], 200, undefined, true)).toBe(true);
    book.writeSettled([7, 8]);
    expect(book.isHeld(7, 200)).toBe(false);
  });
});
