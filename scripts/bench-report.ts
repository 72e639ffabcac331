/**
 * What a benchmark file uses to hand its results to `pnpm bench` (scripts/bench.ts).
 * A benchmark is any `packages/<p>/bench/*.bench.ts` or `apps/<a>/bench/*.bench.ts`; it runs in its
 * own process (with --expose-gc) and calls `report()` once per figure.
 */
export interface BenchResult {
  /** Table it belongs in, e.g. "metadata", "offline api (node, fake-indexeddb)". */
  readonly suite: string;
  /** What was measured, e.g. "parse 3.8 MB fixture". */
  readonly name: string;
  readonly value: number;
  /** "ms", "ops/s", "MB", "rows/s", "×" … */
  readonly unit: string;
  /** Target or context, e.g. "target ≤ 1.5×", "p99". */
  readonly note?: string;
}

export function report(result: BenchResult): void {
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

/** Peak of a sampled value while `fn` runs (heap + external bytes, sampled every 5 ms), in MB. */
export async function peakMemoryMB<T>(fn: () => Promise<T> | T): Promise<{ result: T; peakMB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const sample = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const base = sample();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, sample());
  }, 5);
  try {
    const result = await fn();
    peak = Math.max(peak, sample());
    return { result, peakMB: (peak - base) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}
