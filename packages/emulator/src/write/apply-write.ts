import { randomUUID } from "node:crypto";
import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { storeImageColumns } from "../files/image-writes.ts";
import { fail, odataError } from "../http/wire.ts";
import type { StoredRecord } from "../storage/record-store.ts";
import type { BindTarget } from "./bind-target.ts";
import { deriveColumns } from "./derived-columns.ts";
import type { LookupAssignment, WritePlan } from "./payload.ts";
import { requireId } from "./resolve-key.ts";

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Dataverse composes `fullname` from first and last name on contact, lead and systemuser. */
function composeFullName(entity: EntityMetadata, data: Record<string, unknown>, plan: WritePlan): void {
  if (!entity.attribute("fullname") || !entity.attribute("firstname") || !entity.attribute("lastname"))
    return;
  if (plan.columns.has("fullname") || (!plan.columns.has("firstname") && !plan.columns.has("lastname")))
    return;
  const parts = [data.firstname, data.lastname].filter(
    (p): p is string => typeof p === "string" && p.length > 0,
  );
  data.fullname = parts.length > 0 ? parts.join(" ") : null;
}

function resolveBind(ctx: ServerContext, target: BindTarget): string {
  return requireId(ctx, target.entity, target.key);
}

export function applyLookupToRow(
  ctx: ServerContext,
  data: Record<string, unknown>,
  lookups: Record<string, string>,
  assignment: LookupAssignment,
): void {
  const valueProp = `_${assignment.navigation.lookupAttribute}_value`;
  const v = assignment.value;
  if (v.kind === "clear") {
    // A polymorphic lookup is one column: clearing it through any of its navigation properties
    // clears it only when it points at that navigation property's table.
    const current = lookups[valueProp];
    if (
      current === undefined ||
      current === assignment.navigation.targetEntity ||
      !ctx.schema.metadata.entity(assignment.navigation.targetEntity)
    ) {
      data[valueProp] = null;
      delete lookups[valueProp];
    }
    return;
  }
  const id = v.kind === "bind" ? resolveBind(ctx, v.target) : createFromPlan(ctx, v.plan).id;
  const targetEntity = v.kind === "bind" ? v.target.entity.logicalName : v.plan.entity.logicalName;
  // Setting one navigation property of a multi-table lookup replaces whatever the column held.
  data[valueProp] = id;
  lookups[valueProp] = targetEntity;
}

function applyCollections(ctx: ServerContext, plan: WritePlan, id: string): void {
  const entity = plan.entity;
  for (const insert of plan.collectionInserts) {
    for (const child of insert.plans) {
      if (insert.link.kind === "one-to-many") {
        const nav = [...insert.link.target.singleValuedNavigations()].find(
          (n) =>
            n.lookupAttribute === (insert.link as { lookupAttribute: string }).lookupAttribute &&
            n.targetEntity === entity.logicalName,
        );
        if (!nav) throw odataError(`Deep insert through '${insert.navigation}' is not supported.`);
        const withParent: WritePlan = {
          ...child,
          lookups: [
            ...child.lookups,
            { navigation: nav, value: { kind: "bind", target: { entity, key: { kind: "id", id } } } },
          ],
        };
        createFromPlan(ctx, withParent);
      } else {
        const created = createFromPlan(ctx, child);
        ctx.store.associate(
          insert.link.relationship,
          entity.logicalName,
          id,
          insert.link.target.logicalName,
          created.id,
        );
      }
    }
  }
  for (const bind of plan.collectionBinds) {
    for (const target of bind.targets) associate(ctx, entity, id, bind.link, target);
  }
}

/** Link row `target` to `entity(id)` through a collection: set its lookup (1:N) or add a pair (N:N). */
export function associate(
  ctx: ServerContext,
  entity: EntityMetadata,
  id: string,
  link: WritePlan["collectionBinds"][number]["link"],
  target: BindTarget,
): void {
  const targetId = resolveBind(ctx, target);
  if (link.kind === "many-to-many") {
    ctx.store.associate(link.relationship, entity.logicalName, id, target.entity.logicalName, targetId);
    return;
  }
  const row = ctx.store.get(target.entity.logicalName, targetId)!;
  const data = { ...row.data, [`_${link.lookupAttribute}_value`]: id };
  const lookups = { ...row.lookups, [`_${link.lookupAttribute}_value`]: entity.logicalName };
  writeRow(ctx, target.entity, targetId, data, lookups, "update");
}

/** Store a row, stamping version and modifiedon (and createdon on insert). */
export function writeRow(
  ctx: ServerContext,
  entity: EntityMetadata,
  id: string,
  data: Record<string, unknown>,
  lookups: Record<string, string>,
  mode: "insert" | "update",
): number {
  const version = ctx.store.nextVersion();
  const stamp = now();
  deriveColumns(entity, data, lookups, mode);
  if (entity.attribute("versionnumber")) data.versionnumber = version;
  if (entity.attribute("modifiedon")) data.modifiedon = stamp;
  if (mode === "insert") {
    if (entity.attribute("createdon")) data.createdon = stamp;
    ctx.store.insert(entity.logicalName, id, version, data, lookups);
  } else ctx.store.update(entity.logicalName, id, version, data, lookups);
  return version;
}

/** Create a row (and its deep-insert tree) from a plan; run it inside a transaction. */
export function createFromPlan(
  ctx: ServerContext,
  plan: WritePlan,
  urlId?: string,
): { id: string; version: number } {
  const entity = plan.entity;
  if (plan.primaryKey && urlId && plan.primaryKey !== urlId) {
    throw fail(
      "InvalidArgument",
      `The primary key in the body (${plan.primaryKey}) differs from the key in the URL (${urlId}).`,
    );
  }
  const id = plan.primaryKey ?? urlId ?? randomUUID();
  if (ctx.store.has(entity.logicalName, id)) throw fail("DuplicateRecord");
  const data: Record<string, unknown> = { [entity.primaryIdAttribute]: id };
  const lookups: Record<string, string> = {};
  for (const [k, v] of plan.columns) data[k] = v;
  for (const a of plan.lookups) applyLookupToRow(ctx, data, lookups, a);
  if (entity.attribute("statecode") && data.statecode === undefined) data.statecode = 0;
  // Activities know their own type (task, phonecall…), as on the real service.
  if (entity.attribute("activitytypecode") && data.activitytypecode === undefined)
    data.activitytypecode = entity.logicalName;
  composeFullName(entity, data, plan);
  storeImageColumns(ctx, entity, id, plan.columns, data);
  const version = writeRow(ctx, entity, id, data, lookups, "insert");
  applyCollections(ctx, plan, id);
  return { id, version: ctx.store.get(entity.logicalName, id)?.version ?? version };
}

/** Apply a plan to an existing row. */
export function updateFromPlan(
  ctx: ServerContext,
  plan: WritePlan,
  existing: StoredRecord,
): { id: string; version: number } {
  const entity = plan.entity;
  if (plan.primaryKey && plan.primaryKey !== existing.id) {
    throw fail(
      "InvalidArgument",
      `The primary key in the body (${plan.primaryKey}) differs from the key in the URL (${existing.id}).`,
    );
  }
  const data: Record<string, unknown> = { ...existing.data };
  const lookups: Record<string, string> = { ...existing.lookups };
  for (const [k, v] of plan.columns) data[k] = v;
  for (const a of plan.lookups) applyLookupToRow(ctx, data, lookups, a);
  composeFullName(entity, data, plan);
  storeImageColumns(ctx, entity, existing.id, plan.columns, data);
  const version = writeRow(ctx, entity, existing.id, data, lookups, "update");
  applyCollections(ctx, plan, existing.id);
  return { id: existing.id, version: ctx.store.get(entity.logicalName, existing.id)?.version ?? version };
}
