import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff-delay.ts";
import { retryAfterMs } from "./retry-after-ms.ts";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

describe("retryAfterMs", () => {
  it("reads delay-seconds, in any header-name case and from a Headers object", () => {
    expect(retryAfterMs({ "retry-after": "2024" }, NOW)).toBe(2_024_000);
    expect(retryAfterMs({ "retry-after": "7" }, NOW)).toBe(7000);
    expect(retryAfterMs({ "Retry-After": " 0 " }, NOW)).toBe(0);
    expect(retryAfterMs({ "RETRY-AFTER": "1.2" }, NOW)).toBe(1200);
    expect(retryAfterMs({ "retry-after": "0.0001" }, NOW)).toBe(1);
    expect(retryAfterMs(new Headers({ "Retry-After": "300" }), NOW)).toBe(300_000);
  });

  it("reads an HTTP-date relative to now; a past date means no wait", () => {
    expect(retryAfterMs({ "retry-after": new Date(NOW + 90_000).toUTCString() }, NOW)).toBe(90_000);
    expect(retryAfterMs({ "retry-after": "Sun, 01 Jun 2025 12:00:30 GMT" }, NOW)).toBe(30_000);
    expect(retryAfterMs({ "retry-after": "Sun, 01 Jun 2025 11:00:00 GMT" }, NOW)).toBe(0);
  });

  it("ignores absent, empty and unreadable values", () => {
    for (const value of ["", "  ", "-5", "soon", "5 apples", "1e3", "0x10", "Sun, 99 Foo 2025 xx:yy GMT"]) {
      expect(retryAfterMs({ "retry-after": value }, NOW)).toBeUndefined();
    }
    expect(retryAfterMs({}, NOW)).toBeUndefined();
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs(Object.fromEntries([["__proto__", "5"]]), NOW)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("grows exponentially under full jitter and stops at the cap", () => {
    const top = () => 0.999999;
    expect(
      [0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { baseMs: 100, capMs: 3000, random: top })),
    ).toEqual([99, 199, 399, 799, 1599, 2999, 2999]);
    expect(backoffDelay(3, { baseMs: 100, capMs: 3000, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(3, { baseMs: 100, capMs: 3000, random: () => 0 })).toBe(0);
  });

  it("uses base 1 s and cap 5 min by default", () => {
    expect(backoffDelay(0, { random: () => 0.5 })).toBe(500);
    expect(backoffDelay(40, { random: () => 0.5 })).toBe(150_000);
  });

  it("survives nonsense attempts and random sources", () => {
    expect(backoffDelay(-3, { baseMs: 100, random: () => 0.5 })).toBe(50);
    expect(backoffDelay(Number.NaN, { baseMs: 100, random: () => 0.5 })).toBe(50);
    expect(backoffDelay(Number.POSITIVE_INFINITY, { baseMs: 100, random: () => 0.5 })).toBe(50);
    expect(backoffDelay(5000, { baseMs: 100, capMs: 1000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(2, { baseMs: 100, random: () => 1 })).toBe(399);
    expect(backoffDelay(2, { baseMs: 100, random: () => Number.NaN })).toBe(0);
    expect(backoffDelay(2, { baseMs: 100, random: () => -1 })).toBe(0);
  });

  it("spreads real random delays over [0, ceiling)", () => {
    const samples = Array.from({ length: 2000 }, () => backoffDelay(4, { baseMs: 100, capMs: 10_000 }));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(1600);
    expect(new Set(samples).size).toBeGreaterThan(500);
  });
});
