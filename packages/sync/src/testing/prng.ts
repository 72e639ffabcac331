/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export interface Prng {
  /** Uniform in [0, 1). */
  (): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** One of `items` (non-empty). */
  pick<T>(items: readonly T[]): T;
  /** true with probability p. */
  chance(p: number): boolean;
}

export function prng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Prng;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (items) => items[next.int(items.length)]!;
  next.chance = (p) => next() < p;
  return next;
}
