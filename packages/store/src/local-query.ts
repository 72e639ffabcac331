/**
 * Reads over the local store: odata parses and evaluates (`parseQueryOptions`, `evaluateQuery`,
 * `projectRecord`); the store supplies the rows, narrowed by the plan's index hint, and preloads
 * the related rows the plan follows so the synchronous evaluator can resolve them.
 */
import {
  type EvaluationContext,
  evaluateQuery,
  normalizeRecordId,
  parseQueryOptions,
  projectRecord,
  type QueryPlan,
  type QueryResult,
  type ResolveRelated,
  relatedPathsOf,
  xrmError,
} from "@xrm-offline/odata";
import { notFound } from "./commit-writes.ts";
import type { OfflineStore } from "./offline-store.ts";
import { LOOKUP_LOGICAL_NAME } from "./record-shape.ts";
import type { RecordRef } from "./store-types.ts";

export type ReadContext = Omit<EvaluationContext, "resolveRelated">;

/** Loads every row the plan reaches through a lookup from `rows`; returns the resolver. */
async function preloadRelated(
  store: OfflineStore,
  plan: QueryPlan,
  rows: readonly Readonly<Record<string, unknown>>[],
): Promise<ResolveRelated | undefined> {
  const paths = relatedPathsOf(plan);
  if (paths.length === 0) return undefined;
  const refs = new Map<string, RecordRef>();
  for (const row of rows) {
    for (const p of paths) {
      const id = row[p.lookupProperty];
      if (typeof id !== "string") continue;
      const annotated = row[p.lookupProperty + LOOKUP_LOGICAL_NAME];
      const entity = typeof annotated === "string" ? annotated : p.targetEntity;
      if (p.targets.includes(entity)) refs.set(`${entity}|${id}`, { entity, id });
    }
  }
  const list = [...refs.values()];
  const found = await store.getRecords(list);
  const byKey = new Map<string, Readonly<Record<string, unknown>>>();
  list.forEach((r, i) => {
    const row = found[i];
    if (row) byKey.set(`${r.entity}|${r.id}`, row);
  });
  return (entity, id) => byKey.get(`${entity}|${id}`);
}

/** `retrieveMultipleRecords` over the local store (pending local writes included). */
export async function retrieveLocalRecords(
  store: OfflineStore,
  entityLogicalName: string,
  options?: string,
  maxPageSize?: number,
  context: ReadContext = {},
): Promise<QueryResult> {
  const plan = parseQueryOptions(store.metadata, entityLogicalName, options);
  const rows = await store.queryRows(plan.entity, plan.indexHint);
  const resolve = await preloadRelated(store, plan, rows);
  return evaluateQuery(plan, rows, resolve, {
    ...context,
    ...(maxPageSize !== undefined ? { maxPageSize } : {}),
  });
}

/** `retrieveRecord` over the local store; rejects with ObjectDoesNotExist when it isn't there. */
export async function retrieveLocalRecord(
  store: OfflineStore,
  entityLogicalName: string,
  id: string,
  options?: string,
  context: ReadContext = {},
): Promise<Record<string, unknown>> {
  const plan = parseQueryOptions(store.metadata, entityLogicalName, options, { target: "record" });
  const recordId = normalizeRecordId(id);
  if (!recordId)
    throw xrmError("InvalidArgument", `The id '${String(id).slice(0, 80)}' is not a valid record GUID.`);
  const row = await store.getRecord(plan.entity, recordId);
  if (!row) throw notFound(plan.entity, recordId);
  const resolve = await preloadRelated(store, plan, [row]);
  return projectRecord(plan, row, resolve, context);
}
