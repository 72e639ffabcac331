/// <reference types="xrm" />
import { xrmError } from "@xrm-offline/odata";

/**
 * Installs `api` as `Xrm.WebApi` on `target` (default: globalThis), creating the `Xrm` object
 * when there is none, so existing form scripts run unchanged. Returns a function that puts the
 * previous value back.
 */
export function installXrmWebApi(api: Xrm.WebApi, target: object = globalThis): () => void {
  const holder = target as { Xrm?: unknown };
  if (holder.Xrm === undefined || holder.Xrm === null) {
    Object.defineProperty(holder, "Xrm", { value: {}, writable: true, configurable: true, enumerable: true });
  }
  const xrm = holder.Xrm;
  if (typeof xrm !== "object" || xrm === null) {
    throw xrmError("InvalidArgument", "The target's Xrm is not an object; cannot install Xrm.WebApi.");
  }
  const had = Object.hasOwn(xrm, "WebApi");
  const previous = Object.getOwnPropertyDescriptor(xrm, "WebApi");
  // defineProperty also replaces a getter the host may have put there.
  Object.defineProperty(xrm, "WebApi", { value: api, writable: true, configurable: true, enumerable: true });
  return () => {
    if (had && previous) Object.defineProperty(xrm, "WebApi", previous);
    else delete (xrm as { WebApi?: unknown }).WebApi;
  };
}
