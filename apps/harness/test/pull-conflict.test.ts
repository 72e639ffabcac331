// Conflict detection across a pull: a server change that reaches the device (by a pull) while a
// local change of the same record is still queued must still be a conflict when the change is
// pushed — the pull must not hand the push the server's new ETag.
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { createPuller, normalizeOfflineTables, transportPullRemote } from "@xrm-offline/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSyncStack, stackMetadata } from "../src/sync-stack.ts";
import { serverPatch } from "./pull-fixture.ts";

const A = "0a0a0a0a-0000-4000-8000-00000000000a";
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:" });
});
afterAll(() => emulator.close());

async function scenario(conflictDetection: boolean) {
  emulator.clear();
  emulator.seed("accounts", [{ accountid: A, name: "v1", telephone1: "111" }]);
  const s = await openSyncStack(emulator, { engine: { conflictDetection } });
  s.online.next(false);
  const puller = createPuller({
    store: s.store,
    remote: transportPullRemote(s.transport),
    profile: normalizeOfflineTables(["account"], stackMetadata),
  });
  await puller.pull();
  await s.update("account", A, { name: "device" });
  // Another user changes the record on the server, and the device pulls that change first.
  serverPatch(emulator, "accounts", A, { telephone1: "222" });
  await puller.pull();
  const local = await s.store.getRecord("account", A);
  expect(local).toMatchObject({ name: "device", telephone1: "222" });
  s.online.next(true);
  const report = await s.engine.syncNow();
  const failures = await s.engine.failures();
  const server = emulator.row("account", A);
  await s.close();
  return { report, failures, server };
}

describe("conflict detection and pulls", () => {
  it("with conflict detection: server wins, the change is kept as a conflict failure", async () => {
    const { report, failures, server } = await scenario(true);
    expect(report).toMatchObject({ pushed: 0, conflicts: 1 });
    expect(failures.map((f) => [f.action, f.recordId, f.errorType, f.errorCode])).toEqual([
      ["Update", A, 0, 0x80060882],
    ]);
    expect(server).toMatchObject({ name: "v1", telephone1: "222" });
  });

  it("without it: the client wins per column, like Dataverse", async () => {
    const { report, failures, server } = await scenario(false);
    expect(report).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(failures).toEqual([]);
    expect(server).toMatchObject({ name: "device", telephone1: "222" });
  });
});
