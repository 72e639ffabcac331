import { API_PATH } from "../app-config.ts";

/** The precache manifest baked into sw.js at build time. */
export interface ShellManifest {
  readonly version: string;
  readonly files: readonly string[];
}

export const CACHE_PREFIX = "field-service-shell-";

export function cacheNameOf(manifest: ShellManifest): string {
  return `${CACHE_PREFIX}${manifest.version}`;
}

/** How the worker answers one request. Pure, so the routing is tested without a browser. */
export type FetchPlan =
  /** Not ours to answer: the browser goes to the network as if there were no worker. */
  | { readonly kind: "network" }
  /** The app shell (any page navigation): cached index.html, the network only if it is missing. */
  | { readonly kind: "shell" }
  /** A precached file: from the cache, the network only if it is missing. */
  | { readonly kind: "cache-first"; readonly path: string };

export function planFetch(
  request: { readonly method: string; readonly url: string; readonly mode: string },
  origin: string,
  manifest: ShellManifest,
): FetchPlan {
  if (request.method !== "GET") return { kind: "network" };
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { kind: "network" };
  }
  if (url.origin !== origin) return { kind: "network" };
  // The Web API is never cached here: offline reads come from IndexedDB through the library.
  if (url.pathname === API_PATH || url.pathname.startsWith(`${API_PATH}/`)) return { kind: "network" };
  if (request.mode === "navigate") return { kind: "shell" };
  if (manifest.files.includes(url.pathname)) return { kind: "cache-first", path: url.pathname };
  return { kind: "network" };
}
