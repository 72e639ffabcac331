import { OUTBOX_SYNC_TAG } from "../app-config.ts";

/** The part of the Background Sync API used here (not in TypeScript's DOM library). */
interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

function syncManagerOf(reg: ServiceWorkerRegistration): SyncManagerLike | undefined {
  const sync = (reg as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
  return sync && typeof sync.register === "function" ? sync : undefined;
}

export interface ServiceWorkerClient {
  /** Whether the browser has Background Sync (the outbox is then replayed with the tab closed). */
  readonly backgroundSync: boolean;
  /** Ask the browser to wake the service worker to replay the outbox once it is online. */
  requestReplay(): Promise<void>;
}

/**
 * Register the service worker (it caches the app shell, so the app loads offline) and, where the
 * browser has Background Sync, ask for an outbox replay whenever changes wait. Where it hasn't,
 * the page itself replays on load and on reconnect (the sync engine does both).
 */
export async function registerServiceWorker(url = "/sw.js"): Promise<ServiceWorkerClient> {
  if (!("serviceWorker" in navigator)) return { backgroundSync: false, requestReplay: async () => {} };
  const reg = await navigator.serviceWorker.register(url, { scope: "/" });
  const sync = syncManagerOf(reg);
  return {
    backgroundSync: !!sync,
    requestReplay: async () => {
      if (!sync) return;
      try {
        await sync.register(OUTBOX_SYNC_TAG);
      } catch {
        // Permission withheld (some browsers ask): the page replays on load and on reconnect.
      }
    },
  };
}
