/**
 * The attempts in flight: outbox entries handed to the remote whose answer is not recorded yet,
 * listed in one meta row. A round's attempt is persisted by writing that row once, before the
 * request leaves, instead of rewriting every entry of the round to add 1 to its `attempts`: the
 * attempt is folded into the entry only when its answer is recorded (`settle`, in the same
 * transaction that takes it off the list) or when a later runner finds it left there by one that
 * died (`markAttempt`). Until then `attempts` reads as the entry's count + 1.
 *
 * Whatever happens between the two writes (tab closed, crash, `stop()` mid-request), an entry on
 * the list may have been applied by the server: its outcome is unknown from then on.
 */
import type { XrmDatabase } from "./xrm-database.ts";

export const IN_FLIGHT_KEY = "sync:in-flight";

export interface InFlight {
  /** Sent, answer not recorded; the attempt is not counted on the entry yet. */
  readonly sent: ReadonlySet<number>;
  /**
   * Sent, answer not recorded, the attempt already counted on the entry: what versions that
   * counted it when marking left (their row was a plain array of sequence numbers).
   */
  readonly counted: ReadonlySet<number>;
}

/** The row's value. */
export interface InFlightValue {
  readonly sent: readonly number[];
  readonly counted?: readonly number[];
}

const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((n): n is number => typeof n === "number") : [];

/** Reads the stored value; anything unreadable reads as nothing in flight. */
export function parseInFlight(value: unknown): InFlight {
  if (Array.isArray(value)) return { sent: new Set(), counted: new Set(numbers(value)) };
  const row = value !== null && typeof value === "object" ? (value as Partial<Record<string, unknown>>) : {};
  return { sent: new Set(numbers(row.sent)), counted: new Set(numbers(row.counted)) };
}

/** Reads the list inside the caller's transaction (or its own). */
export async function readInFlight(db: XrmDatabase): Promise<InFlight> {
  return parseInFlight((await db.meta.get(IN_FLIGHT_KEY))?.value);
}

const sorted = (seqs: Iterable<number>) => [...new Set(seqs)].sort((a, b) => a - b);

/** Writes the list inside the caller's transaction (or its own). */
export async function writeInFlight(
  db: XrmDatabase,
  sent: Iterable<number>,
  counted: Iterable<number> = [],
): Promise<void> {
  const old = sorted(counted);
  const value: InFlightValue = { sent: sorted(sent), ...(old.length > 0 ? { counted: old } : {}) };
  await db.meta.put({ key: IN_FLIGHT_KEY, value });
}
