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
