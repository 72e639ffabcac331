/**
 * Reads over the local store: odata parses and evaluates (`planQuery`, `evaluateQuery`,
 * `projectRecord`); the store supplies the rows its index planner picks (a superset of what the
 * page needs; see access-plan.ts), and preloads the related rows the plan follows so the synchronous evaluator can resolve them.
 */
import {
  type EvaluationContext,
  evaluateQuery,
  normalizeGuid,
  normalizeRecordId,
  planQuery,
  projectRecord,
  type QueryPlan,
  type QueryResult,
  type ResolveChildren,
  type ResolveRelated,
  relatedPathsOf,
  xrmError,
} from "@xrm-offline/odata";
import { notFound } from "./commit-writes.ts";
import type { OfflineStore } from "./offline-store.ts";
import { LOOKUP_LOGICAL_NAME } from "./record-shape.ts";
import type { RecordRef } from "./store-types.ts";

export type ReadContext = Omit<EvaluationContext, "resolveRelated">;

export interface LocalReadOptions {
  /** Clock, time zone and user for FetchXML operators. */
  readonly context?: ReadContext;
  /**
   * Tables a read may reach through `$expand`, link-entities or lookup paths (offline: the tables
   * available offline). A related path none of whose tables is allowed is NotSupported.
   */
  readonly isAvailable?: (entityLogicalName: string) => boolean;
}

function checkRelatedTables(plan: QueryPlan, isAvailable: ((entity: string) => boolean) | undefined): void {
  if (!isAvailable) return;
  for (const j of plan.joins ?? []) {
    if (!isAvailable(j.entity)) {
      throw xrmError(
        "NotSupported",
        `The link-entity '${j.alias}' reads '${j.entity}', which is not available offline.`,
      );
    }
  }
  for (const p of relatedPathsOf(plan)) {
    if (!p.targets.some(isAvailable)) {
      throw xrmError(
        "NotSupported",
        `'${p.navigation}' leads to ${p.targets.map((t) => `'${t}'`).join(", ")}, which is not available offline.`,
      );
    }
  }
}

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

/** Per-parent index reads up to this many parents; above it one scan of the child table is cheaper. */
const CHILD_LOOKUPS_PER_JOIN = 50;

/**
 * Loads the children of `parents` for each one-to-many link-entity of the plan, through the lookup
 * index (`_refs`) for a few parents or one scan of the child table for many; returns the resolver.
 */
async function preloadChildren(
  store: OfflineStore,
  plan: QueryPlan,
  parents: readonly Readonly<Record<string, unknown>>[],
): Promise<ResolveChildren | undefined> {
  const joins = plan.joins ?? [];
  if (joins.length === 0) return undefined;
  const byJoin = new Map<string, Map<string, Readonly<Record<string, unknown>>[]>>();
  for (const join of joins) {
    const ids = new Set<string>();
    for (const p of parents) {
      const id = normalizeGuid(p[join.parentProperty]);
      if (id) ids.add(id);
    }
    const rows =
      ids.size <= CHILD_LOOKUPS_PER_JOIN
        ? (
            await Promise.all(
              [...ids].map((id) =>
                store.queryRows(join.entity, { property: join.lookupProperty, value: id }),
              ),
            )
          ).flat()
        : await store.queryRows(join.entity);
    const groups = new Map<string, Readonly<Record<string, unknown>>[]>();
    for (const row of rows) {
      const key = normalizeGuid(row[join.lookupProperty]);
      if (!key || !ids.has(key)) continue;
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    byJoin.set(join.alias, groups);
  }
  return (join, parentId) => byJoin.get(join.alias)?.get(parentId) ?? [];
}

/** `retrieveMultipleRecords` over the local store (pending local writes included). */
export async function retrieveLocalRecords(
  store: OfflineStore,
  entityLogicalName: string,
  options?: string,
  maxPageSize?: number,
  read: LocalReadOptions = {},
): Promise<QueryResult> {
  const plan = await planQuery(store.metadata, entityLogicalName, options);
  checkRelatedTables(plan, read.isAvailable);
  const rows = await store.queryCandidates(plan, {
    ...(maxPageSize !== undefined ? { maxPageSize } : {}),
    ...(read.context ? { context: read.context } : {}),
  });
  const resolve = await preloadRelated(store, plan, rows);
  const resolveChildren = await preloadChildren(store, plan, rows);
  return evaluateQuery(plan, rows, resolve, {
    ...read.context,
    ...(resolveChildren ? { resolveChildren } : {}),
    ...(maxPageSize !== undefined ? { maxPageSize } : {}),
  });
}

/** `retrieveRecord` over the local store; rejects with ObjectDoesNotExist when it isn't there. */
export async function retrieveLocalRecord(
  store: OfflineStore,
  entityLogicalName: string,
  id: string,
  options?: string,
  read: LocalReadOptions = {},
): Promise<Record<string, unknown>> {
  const plan = await planQuery(store.metadata, entityLogicalName, options, { target: "record" });
  checkRelatedTables(plan, read.isAvailable);
  const recordId = normalizeRecordId(id);
  if (!recordId)
    throw xrmError("InvalidArgument", `The id '${String(id).slice(0, 80)}' is not a valid record GUID.`);
  const row = await store.getRecord(plan.entity, recordId);
  if (!row) throw notFound(plan.entity, recordId);
  const resolve = await preloadRelated(store, plan, [row]);
  return projectRecord(plan, row, resolve, read.context);
}
