/**
 * Storage limits (issue 17): before a large write the device's room is asked through the injected
 * `storage` port; a write that can't fit is refused with 0x80070070 and nothing is written.
 */
import { databaseOf } from "@xrm-offline/store/testing";
import { describe, expect, it } from "vitest";
import type { DeviceStorage } from "./device-storage.ts";
import { testApi } from "./testing/test-api.ts";

const DEVICE_STORAGE_FULL = 0x80070070;
const INVALID_ARGUMENT = 0x80040203;

/** A device with `free` bytes left of 1,000,000; counts how often it was asked. */
function device(free: number, persist?: boolean) {
  const asked = { estimate: 0, persist: 0 };
  const storage: DeviceStorage = {
    estimate: async () => {
      asked.estimate++;
      return { quota: 1_000_000, usage: 1_000_000 - free };
    },
    ...(persist === undefined
      ? {}
      : {
          persist: async () => {
            asked.persist++;
            return persist;
          },
          persisted: async () => persist && asked.persist > 0,
        }),
  };
  return { storage, asked };
}

const base64Of = (n: number) => Buffer.alloc(n, 7).toString("base64");

describe("room on the device before a large write", () => {
  it("refuses a note whose body can't fit, writing nothing; small notes don't ask", async () => {
    const { storage, asked } = device(5000);
    const { api, snapshot, inspect } = testApi({ storage });
    const refused = await api.offline
      .createRecord("annotation", { subject: "Photo", documentbody: base64Of(6000) })
      .catch((e) => e);
    expect(refused.errorCode).toBe(DEVICE_STORAGE_FULL);
    expect(await snapshot()).toEqual({ records: [], outbox: [], failures: [] });
    expect(await databaseOf(await inspect()).blobs.count()).toBe(0);
    // Under 4 KB of base64 the body stays in the row: no estimate, no refusal.
    await api.createRecord("annotation", { subject: "Tiny", documentbody: base64Of(300) });
    expect(asked.estimate).toBe(1);
    // A body that fits goes through.
    const { id } = await api.createRecord("annotation", { subject: "Fits", documentbody: base64Of(4000) });
    const { id: other } = await api.createRecord("annotation", { subject: "Other" });
    const update = await api
      .updateRecord("annotation", other, { documentbody: base64Of(5001) })
      .catch((e) => e);
    expect(update.errorCode).toBe(DEVICE_STORAGE_FULL);
    expect((await snapshot()).outbox).toHaveLength(3);
    expect((await api.retrieveRecord("annotation", id, "?$select=documentbody")).documentbody).toBe(
      base64Of(4000),
    );
    await api.close();
  });

  it("refuses a file that can't fit, writing nothing", async () => {
    const { storage } = device(9999);
    const { api, inspect } = testApi({ storage });
    const { id } = await api.createRecord("incident", { title: "Pump" });
    const refused = await api.files
      .set("incident", id, "entityimage", new Blob([new Uint8Array(10_000)]), { fileName: "a.jpg" })
      .catch((e) => e);
    expect(refused.errorCode).toBe(DEVICE_STORAGE_FULL);
    expect(await api.files.uploads()).toEqual([]);
    expect(await databaseOf(await inspect()).blobs.count()).toBe(0);
    await api.files.set("incident", id, "entityimage", new Blob([new Uint8Array(9999)]), {
      fileName: "b.jpg",
    });
    expect((await api.files.uploads()).map((u) => u.size)).toEqual([9999]);
    await api.close();
  });

  it("api.storage tells the room left and asks for persistence", async () => {
    const granted = device(250_000, true);
    const { api } = testApi({ storage: granted.storage });
    expect(await api.storage.estimate()).toEqual({
      usage: 750_000,
      quota: 1_000_000,
      free: 250_000,
      persisted: false,
    });
    expect(await api.storage.persist()).toBe(true);
    expect(granted.asked.persist).toBe(1);
    expect((await api.storage.estimate()).persisted).toBe(true);
    await api.close();

    // A browser without persist(): false, and an estimate it can't give reads as null.
    const { api: bare } = testApi({
      storage: { estimate: async () => ({}) },
      databaseName: "xrm-offline:bare",
    });
    expect(await bare.storage.persist()).toBe(false);
    expect(await bare.storage.estimate()).toEqual({ usage: null, quota: null, free: null, persisted: null });
    await bare.close();
  });

  it("refuses a storage option that can't estimate", () => {
    let error: { errorCode?: number } | undefined;
    try {
      testApi({ storage: {} as DeviceStorage });
    } catch (e) {
      error = e as { errorCode?: number };
    }
    expect(error?.errorCode).toBe(INVALID_ARGUMENT);
  });
});
