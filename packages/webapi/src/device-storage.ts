import { xrmError } from "@xrm-offline/odata";
import { xrmPromise } from "./xrm-promise.ts";

/**
 * The browser's storage manager (`navigator.storage`), or a stand-in: `createWebApi({ storage })`
 * takes one, so a host without it or a test can say how much room there is.
 */
export interface DeviceStorage {
  estimate(): Promise<{ readonly quota?: number; readonly usage?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

/** What `api.storage.estimate()` tells: bytes used and allowed, null where the browser can't say. */
export interface StorageEstimateInfo {
  readonly usage: number | null;
  readonly quota: number | null;
  /** `quota - usage`: the most a write may add. */
  readonly free: number | null;
  /** The browser has agreed not to evict the database (`navigator.storage.persisted()`). */
  readonly persisted: boolean | null;
}

/** `api.storage`: room on the device, and keeping the database from eviction. */
export interface StorageApi {
  estimate(): Promise<StorageEstimateInfo>;
  /**
   * Asks the browser to keep this origin's data under storage pressure
   * (`navigator.storage.persist()`); resolves with whether it agreed (false where unsupported).
   * Without it, a browser may evict the whole database — queued changes and files included.
   */
  persist(): Promise<boolean>;
}

export function browserStorage(): DeviceStorage | undefined {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  return typeof storage?.estimate === "function" ? storage : undefined;
}

async function estimateOf(storage: DeviceStorage | undefined): Promise<StorageEstimateInfo> {
  const [estimate, persisted] = await Promise.all([
    storage?.estimate().catch(() => undefined),
    storage?.persisted?.().catch(() => undefined),
  ]);
  const usage = typeof estimate?.usage === "number" ? estimate.usage : null;
  const quota = typeof estimate?.quota === "number" ? estimate.quota : null;
  return {
    usage,
    quota,
    free: usage === null || quota === null ? null : Math.max(0, quota - usage),
    persisted: typeof persisted === "boolean" ? persisted : null,
  };
}

/**
 * Before a large write: refuses it (`DeviceStorageFull` 0x80070070, nothing written) when the
 * browser says it can't fit. Where the browser can't tell, the write goes ahead; a
 * `QuotaExceededError` then aborts its transaction whole (the store maps it to the same code).
 */
export async function requireRoom(storage: DeviceStorage | undefined, bytes: number): Promise<void> {
  const { free } = await estimateOf(storage);
  if (free !== null && bytes > free) {
    throw xrmError(
      "DeviceStorageFull",
      `This write needs ${bytes} bytes on the device; the browser allows ${free} more.`,
    );
  }
}

export function createStorageApi(storage: DeviceStorage | undefined): StorageApi {
  return {
    estimate: () => xrmPromise(() => estimateOf(storage)),
    persist: () =>
      xrmPromise(async () => {
        if (typeof storage?.persist !== "function") return false;
        return storage.persist().catch(() => false);
      }),
  };
}
