/**
 * The field-service service worker (built to /sw.js as one classic script):
 * - install: caches every file of the build (the list is baked in as __PRECACHE__), so the app
 *   loads with no network at all;
 * - fetch: page navigations get the cached shell, built files come from the cache, the Web API
 *   always goes to the network (offline reads come from IndexedDB, through the library);
 * - sync (Background Sync): replays the outbox when the browser is back online with no tab open.
 */
import { OUTBOX_SYNC_TAG } from "../app-config.ts";
import { replayInBackground } from "./background-replay.ts";
import { CACHE_PREFIX, cacheNameOf, planFetch, type ShellManifest } from "./shell-cache.ts";
import type { ServiceWorkerScopeLike } from "./sw-types.ts";

declare const __PRECACHE__: ShellManifest;

const sw = globalThis as unknown as ServiceWorkerScopeLike;
const manifest = __PRECACHE__;
const CACHE = cacheNameOf(manifest);

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: the HTTP cache must not hand an older build to a new worker.
      await cache.addAll(manifest.files.map((f) => new Request(f, { cache: "reload" })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await sw.clients.claim();
    })(),
  );
});

async function fromCache(path: string, request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(path);
  return hit ?? fetch(request);
}

sw.addEventListener("fetch", (event) => {
  const plan = planFetch(event.request, sw.location.origin, manifest);
  if (plan.kind === "shell") event.respondWith(fromCache("/index.html", event.request));
  else if (plan.kind === "cache-first") event.respondWith(fromCache(plan.path, event.request));
});

sw.addEventListener("sync", (event) => {
  if (event.tag !== OUTBOX_SYNC_TAG) return;
  event.waitUntil(
    replayInBackground({
      origin: sw.location.origin,
      hasOpenWindow: async () =>
        (await sw.clients.matchAll({ type: "window", includeUncontrolled: true })).length > 0,
    }),
  );
});
