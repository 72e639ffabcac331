/**
 * The store's sync side: what the sync engine writes (settled answers, pulled rows) and
 * what retry and discard do to a failure. OfflineStore loads this module with a dynamic import
 * (see loadSyncSide in offline-store.ts), so a page's first chunk holds only what it needs to read
 * and write locally; the bundler puts these modules in a chunk fetched right after the store opens.
 */
export { applyServerRows } from "./apply-server-rows.ts";
export { discardFailure, retryFailure } from "./failure-actions.ts";
export { settle } from "./settle.ts";
