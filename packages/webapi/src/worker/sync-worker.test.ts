import { MessageChannel } from "node:worker_threads";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import type { SyncFailure, SyncStatus } from "@xrm-offline/odata";
import { xrmError } from "@xrm-offline/odata";
import { OfflineStore } from "@xrm-offline/store";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { BehaviorSubject, filter, firstValueFrom } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { createWebApi } from "../create-web-api.ts";
import type { SyncApi } from "../web-api-types.ts";
import { connectSyncWorker } from "./connect-sync-worker.ts";
import { serveSyncWorker } from "./serve-sync-worker.ts";
import type { SyncWorkerEndpoint } from "./sync-worker-protocol.ts";

const idle: SyncStatus = {
  connectivity: "online",
  phase: "idle",
  pending: 0,
  failed: 0,
  progress: null,
  lastSyncedAt: null,
  lastError: null,
  uploads: [],
};

/** Node's MessagePort as the DOM-shaped endpoint the protocol uses. */
function endpoint(port: import("node:worker_threads").MessagePort): SyncWorkerEndpoint {
  const listeners = new Map<(e: MessageEvent) => void, (data: unknown) => void>();
  return {
    postMessage: (m) => port.postMessage(m),
    addEventListener: (_type, listener) => {
      const wrapped = (data: unknown) => listener({ data } as MessageEvent);
      listeners.set(listener, wrapped);
      port.on("message", wrapped);
    },
    removeEventListener: (_type, listener) => {
      const wrapped = listeners.get(listener);
      if (wrapped) port.off("message", wrapped);
    },
  };
}

const FAILURE: SyncFailure = {
  id: "f1",
  seqs: [1],
  attempts: 1,
  action: "Update",
  entity: "account",
  recordId: "5531d753-95af-e711-a94e-000d3a11e605",
  data: { name: "A" },
  errorCode: 0x80040217,
  code: "0x80040217",
  message: "account With Id = 5531d753-95af-e711-a94e-000d3a11e605 Does Not Exist",
  errorType: 1,
  httpStatus: 404,
  time: "2025-01-02T03:04:05.000Z",
};

function fakeSync() {
  const status$ = new BehaviorSubject<SyncStatus>(idle);
  const calls: string[] = [];
  const api: SyncApi = {
    status$,
    syncNow: async () => {
      calls.push("syncNow");
      return { pushed: 3, failed: 1, conflicts: 0, pending: 0 };
    },
    pendingCount: async () => 7,
    failures: async () => [FAILURE],
    retry: async (id) => {
      calls.push(`retry ${id}`);
    },
    discard: async (id) => {
      if (id === "missing") throw xrmError("ObjectDoesNotExist", "No such failure.");
      calls.push(`discard ${id}`);
      return { discarded: [4, 5] };
    },
  };
  return { api, status$, calls };
}

describe("sync worker protocol", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const setup = () => {
    const { port1, port2 } = new MessageChannel();
    const fake = fakeSync();
    const stop = serveSyncWorker(endpoint(port1), fake.api);
    const client = connectSyncWorker(endpoint(port2));
    cleanups.push(() => {
      stop();
      client.close();
      port1.close();
      port2.close();
    });
    return { ...fake, client, port2 };
  };

  it("answers every call with the worker's results", async () => {
    const { client, calls } = setup();
    expect(await client.syncNow()).toEqual({ pushed: 3, failed: 1, conflicts: 0, pending: 0 });
    expect(await client.pendingCount()).toBe(7);
    expect(await client.failures()).toEqual([FAILURE]);
    await expect(client.retry("f1")).resolves.toBeUndefined();
    expect(await client.discard("f2")).toEqual({ discarded: [4, 5] });
    expect(calls).toEqual(["syncNow", "retry f1", "discard f2"]);
  });

  it("streams status$, the latest value first", async () => {
    const { client, status$ } = setup();
    expect(await firstValueFrom(client.status$)).toEqual(idle);
    status$.next({ ...idle, phase: "pushing", pending: 5, progress: { done: 1, total: 6 } });
    const pushing = await firstValueFrom(client.status$.pipe(filter((s) => s.phase === "pushing")));
    expect(pushing.progress).toEqual({ done: 1, total: 6 });
  });

  it("rejects with the worker's XrmError code and message", async () => {
    const { client } = setup();
    await expect(client.discard("missing")).rejects.toMatchObject({
      name: "XrmError",
      errorCode: 2147746327,
      code: "0x80040217",
      message: "No such failure.",
    });
  });

  it("refuses calls outside the protocol and bad ids, running nothing", async () => {
    const { port2, calls } = setup();
    const answers: { id: unknown; ok: boolean }[] = [];
    // The last message is a valid call: messages are handled in order, so once its answer is
    // here every earlier one has been answered or ignored.
    const lastAnswered = new Promise<void>((resolve) => {
      port2.on("message", (m: { kind: string; id: unknown; ok: boolean }) => {
        if (m.kind !== "xrm-sync:result") return;
        if (m.id === 999) resolve();
        else answers.push(m);
      });
    });
    for (const [id, method, args] of [
      [101, "constructor", []],
      [102, "__proto__", []],
      [103, "close", []],
      [104, "retry", [42]],
      [105, "discard", [""]],
      [106, "retry", ["x".repeat(201)]],
    ] as const) {
      port2.postMessage({ kind: "xrm-sync:call", id, method, args });
    }
    port2.postMessage({ kind: "xrm-sync:call", id: "7", method: "syncNow", args: [] });
    port2.postMessage("garbage");
    port2.postMessage(null);
    port2.postMessage({ kind: "xrm-sync:call", id: 999, method: "pendingCount", args: [] });
    await lastAnswered;
    expect(answers.map((a) => a.id)).toEqual([101, 102, 103, 104, 105, 106]);
    for (const a of answers) {
      expect(a).toMatchObject({ ok: false, error: { code: "0x80040203" } });
    }
    expect(calls).toEqual([]);
  });

  it("rejects calls still waiting when the page closes the connection", async () => {
    const { port1, port2 } = new MessageChannel();
    const client = connectSyncWorker(endpoint(port2));
    // Nobody serves port1: the call waits.
    const pending = client.pendingCount();
    client.close();
    await expect(pending).rejects.toMatchObject({ name: "XrmError", errorCode: 0x80040203 });
    await expect(client.syncNow()).rejects.toMatchObject({ name: "XrmError", errorCode: 0x80040203 });
    port1.close();
    port2.close();
  });
});

describe("files set in the page of a sync worker", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /**
   * The engine in a "worker" (createWebApi with a server, offline so nothing is sent), served over
   * a MessageChannel; the page: createWebApi without a server on the same database, and
   * connectSyncWorker. They share nothing but IndexedDB and the store's BroadcastChannel, as a
   * page and its worker do.
   */
  async function pageAndWorker(name: string) {
    const metadata = bundledMetadata();
    const indexedDB = new IDBFactory();
    const worker = createWebApi({
      metadata,
      serverUrl: "https://org.example.invalid/api/data/v9.2",
      databaseName: name,
      indexedDB,
      IDBKeyRange,
      connectivity: new BehaviorSubject(false),
      fetch: () => Promise.reject(new TypeError("no network in this test")),
      sync: { debounceMs: 1 },
    });
    const page = createWebApi({ metadata, databaseName: name, indexedDB, IDBKeyRange });
    const { port1, port2 } = new MessageChannel();
    const stop = serveSyncWorker(endpoint(port1), worker.sync);
    const client = connectSyncWorker(endpoint(port2));
    cleanups.push(async () => {
      stop();
      client.close();
      port1.close();
      port2.close();
      await page.close();
      await worker.close();
    });
    /** The worker's status as the page sees it, once it matches. */
    const status = (pending: number, failed: number) =>
      firstValueFrom(client.status$.pipe(filter((s) => s.pending === pending && s.failed === failed)));
    return { page, client, status, indexedDB, metadata };
  }

  it("a file set in the page makes the worker's engine count it at once (no cycle runs: offline)", async () => {
    const { page, status } = await pageAndWorker("wake-set");
    await status(0, 0);
    const { id } = await page.createRecord("incident", { title: "Photo" });
    // The create, woken by the store's "write" change.
    await status(1, 0);
    await page.files.set("incident", id, "entityimage", new Blob(["jpeg"], { type: "image/jpeg" }), {
      fileName: "photo.jpg",
    });
    // The upload, woken by the store's "files" change over BroadcastChannel.
    expect(await status(2, 0)).toMatchObject({ connectivity: "offline", phase: "idle" });
  });

  it("an upload failure retried or discarded in the page is counted again by the worker's engine", async () => {
    const { page, client, status, indexedDB, metadata } = await pageAndWorker("wake-failures");
    const { id } = await page.createRecord("incident", { title: "Report" });
    await page.files.set("incident", id, "entityimage", new Blob(["jpeg"]), { fileName: "a.jpg" });
    await status(2, 0);
    // The server refused the file for good (the engine's own step: it announces nothing).
    const device = await OfflineStore.open({ name: "wake-failures", metadata, indexedDB, IDBKeyRange });
    cleanups.push(() => device.close());
    const files = device.fileUploads(() => "unused");
    const upload = (await files.upload("incident", id, "entityimage"))!;
    await files.fail(upload, {
      errorCode: 0x80044a02,
      code: "0x80044a02",
      message: "too big",
      httpStatus: 400,
    });
    // Another write makes the engine count: the refused upload shows as failed.
    await page.createRecord("incident", { title: "Other" });
    await status(2, 1);
    const failureId = `upload:incident|${id}|entityimage`;
    expect((await client.failures()).map((f) => f.id)).toEqual([failureId]);

    await page.sync.retry(failureId);
    await status(3, 0);

    await files.fail((await files.upload("incident", id, "entityimage"))!, {
      errorCode: 0x80044a02,
      code: "0x80044a02",
      message: "too big",
      httpStatus: 400,
    });
    await page.createRecord("incident", { title: "Third" });
    await status(3, 1);
    expect(await page.sync.discard(failureId)).toEqual({ discarded: [] });
    await status(3, 0);
  });
});
