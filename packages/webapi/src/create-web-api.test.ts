import { readFileSync } from "node:fs";
import { type Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { firstValueFrom, of, filter as where } from "rxjs";
import { describe, expect, it } from "vitest";
import { createWebApi } from "./create-web-api.ts";
import { defaultDatabaseName } from "./database-name.ts";
import { testApi } from "./testing/test-api.ts";

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

/** The engine's verdict "rejected for good" on the create of account `id(seq)`, as a settlement. */
function rejectCreate(
  store: OfflineStore,
  seq: number,
  errorCode: number,
  message: string,
  httpStatus = 400,
) {
  return store.settle([
    {
      kind: "failed",
      seqs: [seq],
      failure: {
        action: "Create",
        entity: "account",
        recordId: id(seq),
        data: { accountid: id(seq), name: "A" },
        errorCode,
        code: `0x${errorCode.toString(16)}`,
        message,
        errorType: 3,
        httpStatus,
        time: "2025-01-02T03:04:05.000Z",
      },
    },
  ]);
}

describe("database name (one per org)", () => {
  it("derives it from the org host only", () => {
    expect(defaultDatabaseName(undefined)).toBe("xrm-offline:local");
    expect(defaultDatabaseName("https://Contoso.crm4.dynamics.com/api/data/v9.2")).toBe(
      "xrm-offline:contoso.crm4.dynamics.com",
    );
    expect(defaultDatabaseName("http://user:secret@127.0.0.1:5555/api/data/v9.2?token=abc")).toBe(
      "xrm-offline:127.0.0.1:5555",
    );
    expect(() => defaultDatabaseName("not a url")).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
    expect(() => defaultDatabaseName("javascript:alert(1)")).toThrow(
      expect.objectContaining({ errorCode: 0x80040203 }),
    );
  });

  it("invariant 7: the access token is used but never written to IndexedDB", async () => {
    const indexedDB = new IDBFactory();
    const authorizations: string[] = [];
    const fakeFetch: typeof fetch = async (_input, init) => {
      authorizations.push(new Headers(init?.headers).get("Authorization") ?? "");
      return new Response(JSON.stringify({ error: { code: "0x80040217", message: "Not found" } }), {
        status: 404,
        headers: { "Content-Type": "application/json" },
      });
    };
    const api = createWebApi({
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
      serverUrl: "https://org.example.com/api/data/v9.2?tenant=x",
      getAccessToken: () => "SECRET-TOKEN-123",
      fetch: fakeFetch,
      connectivity: of(false),
    });
    const { id: created } = await api.createRecord("account", { name: "A" });
    await expect(api.online.retrieveRecord("account", created)).rejects.toMatchObject({
      errorCode: 0x80040217,
    });
    expect(authorizations).toContain("Bearer SECRET-TOKEN-123");
    await api.close();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual(["xrm-offline:org.example.com"]);
    const store = await OfflineStore.open({
      name: names[0]!,
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
    });
    const dump = JSON.stringify(await Promise.all(databaseOf(store).tables.map((t) => t.toArray())));
    expect(dump).toContain('"name":"A"');
    expect(dump).not.toMatch(/SECRET|tenant/);
    await store.close();
  });

  it("a serverUrl carrying credentials is refused at creation", () => {
    expect(() =>
      createWebApi({
        metadata: bundledMetadata(),
        indexedDB: new IDBFactory(),
        IDBKeyRange,
        serverUrl: "https://user:p4ss@org.example.com/api/data/v9.2",
      }),
    ).toThrow(expect.objectContaining({ errorCode: 0x80040203 }));
  });
});

describe("options", () => {
  it("takes metadata read from CSDL XML with metadataFromCsdl", async () => {
    const xml = readFileSync(
      new URL("../../../../shared/fixtures/dataverse-metadata/DynamicsCRM.xml", import.meta.url),
      "utf8",
    );
    const api = createWebApi({
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      metadata: metadataFromCsdl(xml),
      offlineTables: ["account"],
    });
    const { id: created } = await api.createRecord("account", { name: "From CSDL" });
    expect(await api.retrieveRecord("account", created, "?$select=name")).toEqual({
      accountid: created,
      name: "From CSDL",
    });
    await api.close();
    // Parses the 3.8 MB fixture (~0.3 s idle, several seconds on a loaded shared machine).
  }, 30_000);

  it("rejects bad metadata at creation", () => {
    // CSDL text itself is refused (the CSDL reader is not part of createWebApi; the message names
    // metadataFromCsdl).
    expect(() =>
      createWebApi({ indexedDB: new IDBFactory(), IDBKeyRange, metadata: "<Edmx/>" as unknown as Metadata }),
    ).toThrow(expect.objectContaining({ errorCode: 0x80040203 }));
    expect(() =>
      createWebApi({ indexedDB: new IDBFactory(), IDBKeyRange, metadata: 42 as unknown as Metadata }),
    ).toThrow(expect.objectContaining({ errorCode: 0x80040203 }));
  });

  it("online-first sends plain calls to the online side (no server here: NotSupported)", async () => {
    const { api, snapshot } = testApi({ mode: "online-first" });
    await expect(api.createRecord("account", { name: "x" })).rejects.toMatchObject({
      errorCode: 0x80040315,
      message: expect.stringContaining("no server is configured"),
    });
    await expect(api.execute({})).rejects.toMatchObject({ errorCode: 0x80040315 });
    await expect(api.online.executeMultiple([])).rejects.toMatchObject({ errorCode: 0x80040315 });
    // The offline namespace still works.
    await api.offline.createRecord("account", { name: "x" });
    expect((await snapshot()).outbox).toHaveLength(1);
  });

  it("a database that cannot be opened rejects every call with an XrmError", async () => {
    const broken = {
      open: () => {
        throw new Error("IndexedDB is disabled");
      },
    } as unknown as IDBFactory;
    const api = createWebApi({ metadata: bundledMetadata(), indexedDB: broken, IDBKeyRange });
    await expect(api.createRecord("account", { name: "x" })).rejects.toMatchObject({
      message: expect.stringContaining("disabled"),
    });
    await expect(api.sync.pendingCount()).rejects.toBeInstanceOf(Error);
    await api.close();
  });
});

describe("sync namespace without a server", () => {
  it("pendingCount, failures, retry and discard work on the store; syncNow rejects", async () => {
    const { api, inspect } = testApi();
    await api.createRecord("account", { name: "A" });
    await api.createRecord("account", { name: "B" });
    expect(await api.sync.pendingCount()).toBe(2);
    const store = await inspect();
    await rejectCreate(store, 1, 0x80040265, "A plug-in said no");
    expect(await api.sync.failures()).toEqual([
      {
        id: "1",
        seqs: [1],
        action: "Create",
        entity: "account",
        recordId: id(1),
        data: { accountid: id(1), name: "A" },
        errorCode: 0x80040265,
        code: "0x80040265",
        message: "A plug-in said no",
        errorType: 3,
        httpStatus: 400,
        attempts: 0,
        time: "2025-01-02T03:04:05.000Z",
      },
    ]);
    expect(await api.sync.pendingCount()).toBe(1);
    await api.sync.retry("1");
    expect(await api.sync.pendingCount()).toBe(2);
    await rejectCreate(store, 1, 0x80040265, "again");
    expect(await api.sync.discard("1")).toEqual({ discarded: [1] });
    expect(await api.sync.failures()).toEqual([]);
    await expect(api.retrieveRecord("account", id(1))).rejects.toMatchObject({ errorCode: 0x80040217 });
    await expect(api.sync.discard("1")).rejects.toMatchObject({ errorCode: 0x80040217 });
    await expect(api.sync.syncNow()).rejects.toMatchObject({ errorCode: 0x80040315 });
  });

  it("status$ shows pending and failed counts", async () => {
    const { api, inspect } = testApi();
    await api.createRecord("account", { name: "A" });
    const status = await firstValueFrom(api.sync.status$.pipe(where((s) => s.pending === 1)));
    expect(status).toEqual({
      connectivity: "offline",
      phase: "idle",
      pending: 1,
      failed: 0,
      progress: null,
      lastSyncedAt: null,
      lastError: null,
      uploads: [],
    });
    // A failure recorded through another connection (another tab) reaches status$ too.
    await rejectCreate(await inspect(), 1, 0x80040216, "x", 500);
    const later = await firstValueFrom(api.sync.status$.pipe(where((s) => s.failed === 1)));
    expect([later.pending, later.failed]).toEqual([0, 1]);
    await api.close();
  });

  it("close is idempotent: every call shares one closing, the data stays, later calls are refused", async () => {
    const options = {
      metadata: bundledMetadata(),
      indexedDB: new IDBFactory(),
      IDBKeyRange,
      databaseName: "idem",
    };
    const api = createWebApi(options);
    const { id } = await api.createRecord("account", { name: "A" });
    const first = api.close();
    const second = api.close();
    expect(second).toBe(first);
    expect(await Promise.all([first, second])).toEqual([undefined, undefined]);
    await expect(api.close()).resolves.toBeUndefined();
    // The closed database: UnexpectedError (Dexie's DatabaseClosedError as an XrmError).
    await expect(api.retrieveRecord("account", id)).rejects.toMatchObject({ errorCode: 0x80040216 });
    const again = createWebApi(options);
    expect(await again.retrieveRecord("account", id, "?$select=name")).toEqual({ accountid: id, name: "A" });
    await again.close();
  });
});
