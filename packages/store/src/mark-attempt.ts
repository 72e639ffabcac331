import type { ErrorInfo } from "@xrm-offline/odata";
import type { XrmDatabase } from "./xrm-database.ts";

export interface AttemptNote {
  /** Epoch ms before which the entries should not be sent again (state "backoff"). */
  readonly nextAttemptAt?: number;
  readonly error?: ErrorInfo;
  /** The attempt may have been applied (sticky). */
  readonly outcomeUnknown?: boolean;
}

/** attempts + 1 on each queued entry of `seqs`, with the note; entries not queued are skipped. */
export async function markAttempt(
  db: XrmDatabase,
  seqs: readonly number[],
  note: AttemptNote,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db.transaction("rw", db.outbox, async () => {
    const entries = await db.outbox.bulkGet([...seqs]);
    const next = entries.flatMap((e) =>
      e
        ? [
            {
              ...e,
              attempts: e.attempts + 1,
              ...(note.nextAttemptAt !== undefined
                ? { nextAttemptAt: note.nextAttemptAt, state: "backoff" as const }
                : {}),
              ...(note.error
                ? { lastError: { errorCode: note.error.errorCode, message: note.error.message, at } }
                : {}),
              outcomeUnknown: e.outcomeUnknown || note.outcomeUnknown === true,
            },
          ]
        : [],
    );
    if (next.length > 0) await db.outbox.bulkPut(next);
  });
}
