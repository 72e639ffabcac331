// Invariant 7 over a real sync: the access token never reaches IndexedDB, and two databases on one
// device (two users or orgs) never replay each other's queue.

import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-signature-value";
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ database: ":memory:", accessToken: TOKEN });
});
afterAll(() => emulator.close());

async function dump(indexedDB: IDBFactory, name: string): Promise<string> {
  const store = await OfflineStore.open({ name, metadata: bundledMetadata(), indexedDB, IDBKeyRange });
  try {
    return JSON.stringify(await Promise.all(databaseOf(store).tables.map((t) => t.toArray())));
  } finally {
    await store.close();
  }
}

describe("tokens and databases", () => {
  it("syncs with the token, stores none of it, and keeps two users' queues apart", async () => {
    const device = new IDBFactory();
    const make = (databaseName: string, online: BehaviorSubject<boolean>): OfflineWebApi =>
      createWebApi({
        metadata: bundledMetadata(),
        serverUrl: emulator.url,
        getAccessToken: () => TOKEN,
        databaseName,
        indexedDB: device,
        IDBKeyRange,
        connectivity: online,
        sync: { debounceMs: 1, retry: { baseMs: 1, capMs: 5 } },
      });
    const online1 = new BehaviorSubject(false);
    const online2 = new BehaviorSubject(false);
    const user1 = make("xrm-offline:org|user-1", online1);
    const user2 = make("xrm-offline:org|user-2", online2);

    const a = await user1.createRecord("account", { name: "Written by user 1" });
    const b = await user2.createRecord("account", { name: "Written by user 2" });
    expect(await user1.sync.pendingCount()).toBe(1);
    expect(await user2.sync.pendingCount()).toBe(1);

    emulator.requestLog.clear();
    online1.next(true);
    expect(await user1.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
    // Only user 1's change went out; user 2's is still queued in its own database.
    expect(emulator.row("account", a.id)?.name).toBe("Written by user 1");
    expect(emulator.row("account", b.id)).toBeUndefined();
    expect(emulator.requestLog.entries().some((e) => (e.body ?? "").includes("Written by user 2"))).toBe(
      false,
    );
    expect(emulator.requestLog.entries().every((e) => e.status !== 401)).toBe(true);
    expect(await user2.sync.pendingCount()).toBe(1);

    online2.next(true);
    expect(await user2.sync.syncNow()).toMatchObject({ pushed: 1, failed: 0 });
    expect(emulator.row("account", b.id)?.name).toBe("Written by user 2");
    await user1.close();
    await user2.close();

    const names = (await device.databases()).map((d) => d.name).sort();
    expect(names).toEqual(["xrm-offline:org|user-1", "xrm-offline:org|user-2"]);
    for (const name of names) {
      const contents = await dump(device, name!);
      expect(contents).toContain("Written by user");
      expect(contents).not.toContain(TOKEN);
      expect(contents).not.toContain("secret-signature-value");
      expect(contents).not.toMatch(/Bearer/i);
    }
  });
});
