// File and image column uploads (the `files` port) count with the outbox's entries: a refused
// upload is a failure like a refused write, a file waiting to go is pending (issue 17).

import type { OutboxCounts } from "@xrm-offline/odata";
import { afterEach, describe, expect, it } from "vitest";
import type { FileUploadsPort } from "./ports.ts";
import { type EngineFixture, engineFixture } from "./testing/engine-fixture.ts";
import { flush } from "./testing/fake-clock.ts";
import { createOp, guid } from "./testing/operations.ts";

/** Uploads in memory: `refuse` names files the server refuses for good, `transient` makes the next round fail. */
class MemoryFiles implements FileUploadsPort {
  readonly files = new Map<string, "pending" | "failed" | "uploaded">();
  readonly refuse = new Set<string>();
  readonly sent: string[] = [];
  transient = false;

  async counts(): Promise<OutboxCounts> {
    const states = [...this.files.values()];
    return {
      pending: states.filter((s) => s === "pending").length,
      failed: states.filter((s) => s === "failed").length,
    };
  }

  async send(): Promise<{ uploaded: number; failed: number; error?: unknown }> {
    let uploaded = 0;
    let failed = 0;
    for (const [name, state] of this.files) {
      if (state !== "pending") continue;
      if (this.transient) {
        this.transient = false;
        return { uploaded, failed, error: Object.assign(new Error("offline"), { retryable: true }) };
      }
      this.sent.push(name);
      const refused = this.refuse.has(name);
      this.files.set(name, refused ? "failed" : "uploaded");
      if (refused) failed++;
      else uploaded++;
    }
    return { uploaded, failed };
  }
}

let fixtures: EngineFixture[] = [];
afterEach(async () => {
  for (const f of fixtures) await f.engine.close();
  fixtures = [];
});

function setup(files: MemoryFiles): EngineFixture {
  const f = engineFixture({ files });
  fixtures.push(f);
  return f;
}

describe("createSyncEngine: file uploads in the counts", () => {
  it("counts waiting files as pending offline, and a refused one as failed after the cycle", async () => {
    const files = new MemoryFiles();
    files.files.set("photo.jpg", "pending");
    files.files.set("report.pdf", "pending");
    files.refuse.add("report.pdf");
    const f = setup(files);
    f.outbox.enqueue(createOp("account", guid(1), { name: "a" }));
    f.online.next(false);
    expect(await f.engine.syncNow()).toEqual({ pushed: 0, failed: 0, conflicts: 0, pending: 3 });
    expect(f.statuses.at(-1)).toMatchObject({ connectivity: "offline", pending: 3, failed: 0 });
    expect(await f.engine.pendingCount()).toBe(3);

    f.online.next(true);
    expect(await f.engine.syncNow()).toEqual({ pushed: 1, failed: 1, conflicts: 0, pending: 0 });
    // The record first, then both files.
    expect(f.server.log.map((l) => l.writes.length)).toEqual([1]);
    expect(files.sent).toEqual(["photo.jpg", "report.pdf"]);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", pending: 0, failed: 1 });
    expect(await f.engine.pendingCount()).toBe(0);
  });

  it("reports a refused upload in syncNow's failed, and counts again when it is retried or discarded", async () => {
    const files = new MemoryFiles();
    const f = setup(files);
    f.engine.start();
    await flush();
    files.files.set("report.pdf", "pending");
    files.refuse.add("report.pdf");
    expect(await f.engine.syncNow()).toEqual({ pushed: 0, failed: 1, conflicts: 0, pending: 0 });
    expect(f.statuses.at(-1)).toMatchObject({ pending: 0, failed: 1 });

    // Retried (the store puts it back; the facade tells the engine): pending again, then sent.
    files.refuse.delete("report.pdf");
    files.files.set("report.pdf", "pending");
    f.engine.notifyLocalWrite();
    await f.clock.advance(100);
    expect(files.sent).toEqual(["report.pdf", "report.pdf"]);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", pending: 0, failed: 0 });

    // Refused again, then discarded: the failure leaves the count.
    files.files.set("other.pdf", "pending");
    files.refuse.add("other.pdf");
    expect(await f.engine.syncNow()).toMatchObject({ failed: 1 });
    expect(f.statuses.at(-1)).toMatchObject({ failed: 1 });
    files.files.delete("other.pdf");
    f.engine.notifyLocalWrite();
    await f.clock.advance(100);
    expect(f.statuses.at(-1)).toMatchObject({ pending: 0, failed: 0 });
  });

  it("keeps a file pending through a transient error and sends it on the backoff, pushes not held back", async () => {
    const files = new MemoryFiles();
    files.files.set("photo.jpg", "pending");
    files.transient = true;
    const f = setup(files);
    f.outbox.enqueue(createOp("account", guid(1), { name: "a" }));
    expect(await f.engine.syncNow()).toEqual({ pushed: 1, failed: 0, conflicts: 0, pending: 1 });
    expect(f.statuses.at(-1)).toMatchObject({ phase: "backing-off", pending: 1, failed: 0 });
    expect(files.sent).toEqual([]);
    // The pull's backoff (random 0.5 of 1 s) brings it back.
    await f.clock.advance(500);
    expect(files.sent).toEqual(["photo.jpg"]);
    expect(f.statuses.at(-1)).toMatchObject({ phase: "idle", pending: 0, failed: 0 });
  });
});
