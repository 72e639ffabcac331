import { XrmError, xrmError } from "@xrm-offline/odata";

/** IndexedDB ran out of room: a `QuotaExceededError`, bare or inside Dexie's abort error. */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | undefined)?.name;
  const inner = (e as { inner?: { name?: string } } | undefined)?.inner?.name;
  return name === "QuotaExceededError" || inner === "QuotaExceededError";
}

/**
 * A store failure as the caller sees it: the device's "disk full" (0x80070070) for a quota error —
 * its transaction was aborted, so nothing of the write is kept — otherwise the error as an XrmError.
 */
export function storeError(e: unknown): XrmError {
  return isQuotaError(e)
    ? xrmError("DeviceStorageFull", "There is not enough space on this device to keep this write offline.")
    : XrmError.from(e);
}
