import { ERRORS, toErrorCode } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import type { RemoteError } from "../ports.ts";
import { etagOf, FakeServer } from "../testing/fake-server.ts";
import { MemoryOutbox } from "../testing/memory-outbox.ts";
import { guid, updateOp } from "../testing/operations.ts";
import { checkConflict } from "./check-conflict.ts";
import type { PlannedWrite } from "./round-planner.ts";

const A = guid(1);
const B = guid(2);
const stale: RemoteError = {
  status: 412,
  errorCode: toErrorCode(ERRORS.ConcurrencyVersionMismatch.code),
  message: ERRORS.ConcurrencyVersionMismatch.message,
  retryable: false,
  outcomeUnknown: false,
};
const signal = new AbortController().signal;

async function setup(server: Record<string, unknown>, unknown: boolean) {
  const remote = new FakeServer();
  const row = remote.put("account", A, server);
  const outbox = new MemoryOutbox();
  const seqs = [
    outbox.enqueue(updateOp("account", A, { name: "1" })),
    outbox.enqueue(updateOp("account", B, { name: "other record" })),
    outbox.enqueue(updateOp("account", A, { city: "c" })),
    outbox.enqueue(updateOp("account", A, { name: "3" })),
  ];
  if (unknown) {
    await outbox.markAttempt(seqs);
    await outbox.settle(
      seqs.map((s) => ({ kind: "retry" as const, seqs: [s], outcomeUnknown: true, error: stale })),
    );
  }
  const [first] = await outbox.page(0, 1);
  const write: PlannedWrite = {
    entries: [first!],
    operation: first!.operation,
    outcomeUnknown: unknown,
    baseEtag: 'W/"1"',
    solo: false,
  };
  return { remote, outbox, write, etag: etagOf(row) };
}

describe("checkConflict", () => {
  it("takes a record holding our values after a lost answer as our own write", async () => {
    const { remote, outbox, write, etag } = await setup({ name: "1" }, true);
    expect(await checkConflict(remote, outbox, write, stale, signal)).toEqual({ kind: "acknowledged", etag });
  });

  it("also when the lost attempt carried later updates of the record merged in, tried in order", async () => {
    const merged = await setup({ name: "1", city: "c" }, true);
    expect(await checkConflict(merged.remote, merged.outbox, merged.write, stale, signal)).toEqual({
      kind: "acknowledged",
      etag: merged.etag,
    });
    const all = await setup({ name: "3", city: "c" }, true);
    expect((await checkConflict(all.remote, all.outbox, all.write, stale, signal)).kind).toBe("acknowledged");
  });

  it("calls anything else a conflict, with the server's record (server wins)", async () => {
    const theirs = await setup({ name: "theirs" }, true);
    expect(await checkConflict(theirs.remote, theirs.outbox, theirs.write, stale, signal)).toEqual({
      kind: "failed",
      errorType: 0,
      error: stale,
      serverRecord: { name: "theirs", "@odata.etag": theirs.etag },
    });
    // Never sent before: even our own values on the server are someone else's doing.
    const fresh = await setup({ name: "1" }, false);
    expect((await checkConflict(fresh.remote, fresh.outbox, fresh.write, stale, signal)).kind).toBe("failed");
  });

  it("reports a record gone from the server as not found, and retries when the look-up fails", async () => {
    const gone = await setup({ name: "1" }, true);
    gone.remote.tables.get("account")!.clear();
    expect(await checkConflict(gone.remote, gone.outbox, gone.write, stale, signal)).toMatchObject({
      kind: "failed",
      errorType: 1,
      serverRecord: null,
      error: { status: 404, errorCode: toErrorCode(ERRORS.ObjectDoesNotExist.code) },
    });
    const down = await setup({ name: "1" }, true);
    down.remote.down = true;
    expect(await checkConflict(down.remote, down.outbox, down.write, stale, signal)).toMatchObject({
      kind: "retry",
      error: { status: 0, outcomeUnknown: false },
    });
  });
});
