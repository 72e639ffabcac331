import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { checkAttachments } from "../files/attachment-limit.ts";
import { parseJsonBody } from "../http/json-body.ts";
import { parsePrefer } from "../http/prefer.ts";
import type { EntityKey } from "../http/route.ts";
import {
  emptyResponse,
  fail,
  jsonResponse,
  recordNotFound,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { parseQueryOptions } from "../odata/query-options.ts";
import {
  checkExpand,
  checkSelect,
  contextSelect,
  etagOf,
  type Shape,
  serializeRecord,
} from "../read/serialize-record.ts";
import { createFromPlan, updateFromPlan } from "../write/apply-write.ts";
import { buildWritePlan, type WritePlan } from "../write/payload.ts";
import { alternateKeyValues, findId, requireId } from "../write/resolve-key.ts";

/** `W/"12"` and `"12"` are the same tag for If-Match purposes. */
function sameEtag(header: string, version: number): boolean {
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === `"${version}"`);
}

function representation(
  ctx: ServerContext,
  entity: EntityMetadata,
  set: string,
  id: string,
  shape: Shape,
  req: WireRequest,
  status: number,
): WireResponse {
  const prefs = parsePrefer(req.headers.get("prefer"));
  const row = ctx.store.get(entity.logicalName, id)!;
  return jsonResponse(
    status,
    {
      "@odata.context": `${ctx.root()}/$metadata#${set}${contextSelect(shape)}/$entity`,
      ...serializeRecord(ctx, entity, row, shape, prefs),
    },
    { "Preference-Applied": "return=representation", ETag: etagOf(row.version) },
  );
}

function shapeFor(ctx: ServerContext, entity: EntityMetadata, req: WireRequest, allowExpand: boolean): Shape {
  const opts = parseQueryOptions(req.query);
  checkSelect(entity, opts.select);
  if (allowExpand) checkExpand(ctx, entity, opts.expand);
  return {
    ...(opts.select ? { select: opts.select } : {}),
    ...(allowExpand && opts.expand ? { expand: opts.expand } : {}),
  };
}

/** `POST /<set>`: create (deep insert included) in one transaction. */
export function createEntity(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
): WireResponse {
  const shape = shapeFor(ctx, entity, req, true);
  const plan = buildWritePlan(ctx, entity, parseJsonBody(req.body), "create", req.contentIds);
  checkAttachments(ctx, plan);
  const { id } = ctx.store.transaction(() => createFromPlan(ctx, plan));
  const entityUrl = `${ctx.root()}/${set}(${id})`;
  if (parsePrefer(req.headers.get("prefer")).returnRepresentation) {
    return { ...representation(ctx, entity, set, id, shape, req, 201), entityUrl };
  }
  return { ...emptyResponse(204, { "OData-EntityId": entityUrl }), entityUrl };
}

/** Upsert-created rows with an alternate key get the key values unless the body sets them. */
function withKeyColumns(entity: EntityMetadata, plan: WritePlan, key: EntityKey): WritePlan {
  if (key.kind !== "alternate") return plan;
  const columns = new Map(plan.columns);
  for (const [name, value] of alternateKeyValues(entity, key))
    if (!columns.has(name)) columns.set(name, value);
  return { ...plan, columns };
}

/**
 * `PATCH /<set>(<key>)`: an upsert unless `If-Match` is sent. `If-Match: *` + missing → 404;
 * `If-None-Match: *` + present → 412 0x80040237; a stale `If-Match: W/"n"` → 412 0x80060882.
 */
export function updateEntity(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  key: EntityKey,
): WireResponse {
  const shape = shapeFor(ctx, entity, req, false); // $expand is ignored on PATCH
  const plan = buildWritePlan(ctx, entity, parseJsonBody(req.body), "update", req.contentIds);
  checkAttachments(ctx, plan);
  const ifMatch = req.headers.get("if-match");
  const ifNoneMatch = req.headers.get("if-none-match");
  const { id, created } = ctx.store.transaction(() => {
    const existingId = findId(ctx, entity, key);
    if (existingId === undefined) {
      if (ifMatch !== undefined)
        throw recordNotFound(entity.logicalName, key.kind === "id" ? key.id : "(alternate key)");
      const urlId = key.kind === "id" ? key.id : undefined;
      return { id: createFromPlan(ctx, withKeyColumns(entity, plan, key), urlId).id, created: true };
    }
    const existing = ctx.store.get(entity.logicalName, existingId)!;
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*") throw fail("DuplicateRecord");
    if (ifMatch !== undefined && !sameEtag(ifMatch, existing.version))
      throw fail("ConcurrencyVersionMismatch");
    return { id: updateFromPlan(ctx, plan, existing).id, created: false };
  });
  const entityUrl = `${ctx.root()}/${set}(${id})`;
  if (parsePrefer(req.headers.get("prefer")).returnRepresentation) {
    return { ...representation(ctx, entity, set, id, shape, req, created ? 201 : 200), entityUrl };
  }
  return { ...emptyResponse(204, { "OData-EntityId": entityUrl }), entityUrl };
}

/** `DELETE /<set>(<key>)`: 204, 404 when missing, 412 on a stale `If-Match`. */
export function deleteEntity(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  key: EntityKey,
): WireResponse {
  const ifMatch = req.headers.get("if-match");
  ctx.store.transaction(() => {
    const id = requireId(ctx, entity, key);
    const row = ctx.store.get(entity.logicalName, id)!;
    if (ifMatch !== undefined && !sameEtag(ifMatch, row.version)) throw fail("ConcurrencyVersionMismatch");
    ctx.store.delete(entity.logicalName, id);
    ctx.files.delete(entity.logicalName, id);
  });
  return emptyResponse(204);
}
