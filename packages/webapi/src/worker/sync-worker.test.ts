import { MessageChannel } from "node:worker_threads";
import type { SyncFailure, SyncStatus } from "@xrm-offline/odata";
import { xrmError } from "@xrm-offline/odata";
import { BehaviorSubject, filter, firstValueFrom } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
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
