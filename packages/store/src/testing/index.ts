/**
 * `@xrm-offline/store/testing`: what tests and benchmarks need beyond the store's API — the Dexie
 * handle of an open store, to look at what is really committed (or to arrange a state no API call
 * makes). Nothing here is for applications: writes through it bypass the store's invariants.
 */
export { databaseOf } from "../offline-store.ts";
