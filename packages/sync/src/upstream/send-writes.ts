import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import type { RemoteError, RemotePort, RemoteResult, RemoteWrite } from "../ports.ts";

/** What came back for one write: its own answer, or the failure of the whole request it was in. */
export type WriteAnswer =
  | { readonly kind: "answer"; readonly result: RemoteResult; readonly single: boolean }
  | { readonly kind: "request-failed"; readonly error: RemoteError };

export interface SendOptions {
  /** Writes per `$batch`; 1 sends every write on its own. */
  readonly batchSize: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Indexes of writes to send on their own whatever the batch size. */
  readonly solo: (index: number) => boolean;
}

/**
 * Sends `writes` (all independent of each other) as `$batch` requests of up to `batchSize`, and
 * single requests for batches of one and solo writes. Answers come back in the order of `writes`.
 * A port method that throws is read as a network error whose outcome is unknown: the request may
 * have left.
 */
export async function sendWrites(
  remote: RemotePort,
  writes: readonly RemoteWrite[],
  options: SendOptions,
  signal: AbortSignal,
): Promise<WriteAnswer[]> {
  const groups: number[][] = [];
  let batch: number[] = [];
  writes.forEach((_, i) => {
    if (options.batchSize <= 1 || options.solo(i)) {
      groups.push([i]);
      return;
    }
    batch.push(i);
    if (batch.length >= options.batchSize) {
      groups.push(batch);
      batch = [];
    }
  });
  if (batch.length > 0) groups.push(batch);

  const answers: WriteAnswer[] = new Array(writes.length);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      await sendGroup(remote, writes, group, answers, signal);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, groups.length)) }, worker),
  );
  return answers;
}

async function sendGroup(
  remote: RemotePort,
  writes: readonly RemoteWrite[],
  group: readonly number[],
  answers: WriteAnswer[],
  signal: AbortSignal,
): Promise<void> {
  if (group.length === 1) {
    const i = group[0]!;
    let result: RemoteResult;
    try {
      result = await remote.send(writes[i]!, signal);
    } catch (cause) {
      result = { ok: false, error: thrown(cause) };
    }
    answers[i] = { kind: "answer", result, single: true };
    return;
  }
  try {
    const batch = await remote.sendBatch(
      group.map((i) => writes[i]!),
      signal,
    );
    if (!batch.ok) {
      for (const i of group) answers[i] = { kind: "request-failed", error: batch.error };
      return;
    }
    group.forEach((i, k) => {
      // A missing part answer: the server may or may not have run it.
      const result: RemoteResult = batch.results[k] ?? { ok: false, error: missingPart() };
      answers[i] = { kind: "answer", result, single: false };
    });
  } catch (cause) {
    for (const i of group) answers[i] = { kind: "request-failed", error: thrown(cause) };
  }
}

function thrown(cause: unknown): RemoteError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return {
    status: 0,
    errorCode: toErrorCode(ERRORS.ConnectionFailed.code),
    message,
    retryable: true,
    outcomeUnknown: true,
  };
}

function missingPart(): RemoteError {
  return {
    status: 0,
    errorCode: toErrorCode(ERRORS.UnexpectedError.code),
    message: "The $batch answer had no part for this request.",
    retryable: true,
    outcomeUnknown: true,
  };
}
