/** Test helpers: a createWebApi instance on a fresh in-memory IndexedDB, and a second connection to inspect it. */

import type { Metadata } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { OfflineStore, type StoredRecord } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createWebApi } from "../create-web-api.ts";
import type { CreateWebApiOptions, OfflineWebApi } from "../web-api-types.ts";

export const NAME = "xrm-offline:test";

export function sequentialIds(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}`;
}

export interface TestApi {
  readonly api: OfflineWebApi;
  readonly metadata: Metadata;
  /** A second connection to the same database: what is really committed. */
  readonly inspect: () => Promise<OfflineStore>;
  /** Records (with bookkeeping) and outbox entries, as stored. */
  readonly snapshot: () => Promise<{ records: StoredRecord[]; outbox: unknown[]; failures: unknown[] }>;
}

export function testApi(options: Partial<CreateWebApiOptions> = {}): TestApi {
  const indexedDB = new IDBFactory();
  const metadata = (options.metadata as Metadata | undefined) ?? bundledMetadata();
  const api = createWebApi({
    indexedDB,
    IDBKeyRange,
    databaseName: NAME,
    newId: sequentialIds(),
    metadata,
    ...options,
  });
  let second: Promise<OfflineStore> | undefined;
  const inspect = () => {
    second ??= OfflineStore.open({ name: options.databaseName ?? NAME, metadata, indexedDB, IDBKeyRange });
    return second;
  };
  const snapshot = async () => {
    const db = databaseOf(await inspect());
    return {
      records: await db.records.toArray(),
      outbox: await db.outbox.toArray(),
      failures: await db.failures.toArray(),
    };
  };
  return { api, metadata, inspect, snapshot };
}
