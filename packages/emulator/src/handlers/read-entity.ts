import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { parsePrefer } from "../http/prefer.ts";
import type { EntityKey } from "../http/route.ts";
import {
  emptyResponse,
  jsonResponse,
  queryError,
  unknownQueryProperty,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { parseQueryOptions } from "../odata/query-options.ts";
import {
  checkExpand,
  checkSelect,
  contextSelect,
  etagOf,
  serializeRecord,
} from "../read/serialize-record.ts";
import { requireId } from "../write/resolve-key.ts";

/** `GET /<set>(<key>)` with $select and $expand; `If-None-Match: W/"n"` → 304 when unchanged. */
export function readEntity(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  key: EntityKey,
): WireResponse {
  const prefs = parsePrefer(req.headers.get("prefer"));
  const opts = parseQueryOptions(req.query);
  if (opts.filter || opts.orderBy || opts.top !== undefined || opts.skipToken || opts.deltaToken) {
    throw queryError(
      "The query options $filter, $orderby, $top, $skiptoken and $deltatoken apply to collections only.",
    );
  }
  checkSelect(entity, opts.select);
  checkExpand(ctx, entity, opts.expand);
  const id = requireId(ctx, entity, key);
  const row = ctx.store.get(entity.logicalName, id)!;
  const ifNoneMatch = req.headers.get("if-none-match");
  // Never 304 with $expand or annotations (COND).
  if (ifNoneMatch === etagOf(row.version) && !opts.expand && prefs.includeAnnotations.length === 0) {
    return emptyResponse(304, { ETag: etagOf(row.version) });
  }
  const shape = {
    ...(opts.select ? { select: opts.select } : {}),
    ...(opts.expand ? { expand: opts.expand } : {}),
  };
  // Dataverse sends the row's ETag header on a single-row GET too, not only on 201.
  return jsonResponse(
    200,
    {
      "@odata.context": `${ctx.root()}/$metadata#${set}${contextSelect(shape)}/$entity`,
      ...serializeRecord(ctx, entity, row, shape, prefs),
    },
    { ETag: etagOf(row.version) },
  );
}

/** `GET /<set>(<key>)/<column>` → `{"value": …}`; `/$value` → the raw value as text. */
export function readProperty(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  key: EntityKey,
  property: string,
): WireResponse {
  const attr = entity.attribute(property);
  if (!attr) throw unknownQueryProperty(property, entity.logicalName);
  const id = requireId(ctx, entity, key);
  const value = ctx.store.get(entity.logicalName, id)!.data[property] ?? null;
  if (req.path.endsWith("/$value")) {
    if (value === null) return emptyResponse(204);
    return {
      status: 200,
      headers: { "Content-Type": "text/plain", "OData-Version": "4.0" },
      body: String(value),
    };
  }
  return jsonResponse(200, {
    "@odata.context": `${ctx.root()}/$metadata#${set}(${id})/${property}`,
    value,
  });
}
