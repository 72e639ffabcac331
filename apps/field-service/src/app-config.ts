/**
 * What the page and the service worker must agree on: where the Web API is, which database holds
 * the technician's data, what is pulled down for offline use, and the Background Sync tag.
 */

/** The Web API, on the app's own origin (the server proxies it; no CORS). */
export const API_PATH = "/api/data/v9.2";

/** The Background Sync tag under which the outbox is replayed with the tab closed. */
export const OUTBOX_SYNC_TAG = "xrm-offline-outbox";

/**
 * A technician's day: open cases and tasks first (pulled in this order, so they are usable while
 * the large reference tables are still arriving), then contacts and customers, then notes (photos
 * and signatures attached to cases).
 */
export const OFFLINE_TABLES = {
  incident: { filter: "statecode eq 0" },
  task: { filter: "statecode eq 0" },
  // Pickers find a contact by last name too (an index makes that a range read, not a scan).
  contact: { indexes: ["lastname"] },
  account: {},
  annotation: {},
} as const;

export interface AppEndpoints {
  readonly serverUrl: string;
  readonly databaseName: string;
}

/** One database per org (the origin serving the Web API) and app. */
export function endpointsFor(origin: string): AppEndpoints {
  const host = new URL(origin).host.toLowerCase();
  return { serverUrl: `${origin}${API_PATH}`, databaseName: `xrm-offline:${host}:field-service` };
}

/** The smallest block `?uploadChunkBytes=` may ask for: smaller ones only multiply requests. */
export const MIN_UPLOAD_CHUNK_BYTES = 1024;

/**
 * `?uploadChunkBytes=<n>` (page engine only): the library's `sync.uploadChunkBytes`, the block
 * size of note bodies and file chunks (default 4 MB, Dataverse's). Lets support (and the browser
 * tests) watch a photo go in blocks on a small screen; anything but a whole number of at least
 * 1 KB is ignored and the default applies.
 */
export function uploadChunkBytesFrom(params: URLSearchParams): number | undefined {
  const raw = params.get("uploadChunkBytes");
  if (raw === null || !/^[0-9]{1,10}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= MIN_UPLOAD_CHUNK_BYTES ? n : undefined;
}
