import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import type { EntityKey } from "../http/route.ts";
import { queryError, type WireRequest, type WireResponse } from "../http/wire.ts";
import type { SqlFragment } from "../odata/filter-sql.ts";
import { collectionLink } from "../schema/schema.ts";
import { requireId } from "../write/resolve-key.ts";
import { readCollection } from "./read-collection.ts";
import { readEntity } from "./read-entity.ts";

/** The rows collection navigation `nav` of row `id` reaches, as a WHERE clause over the target. */
function relatedScope(
  ctx: ServerContext,
  entity: EntityMetadata,
  id: string,
  nav: string,
): { target: EntityMetadata; where: SqlFragment } {
  const link = collectionLink(ctx.schema, entity, nav);
  if (!link) throw queryError(`The navigation property '${nav}' cannot be read.`);
  if (link.kind === "one-to-many") {
    if (!/^[A-Za-z0-9_]+$/.test(link.lookupAttribute)) throw queryError(`Invalid property name '${nav}'.`);
    const value = `_${link.lookupAttribute}_value`;
    // The lookup must point here (polymorphic lookups share one column across tables).
    return {
      target: link.target,
      where: {
        sql: `json_extract(data, '$."${value}"') = ? AND json_extract(lookups, '$."${value}"') = ?`,
        params: [id, entity.logicalName],
      },
    };
  }
  return {
    target: link.target,
    where: {
      sql: "id IN (SELECT id2 FROM associations WHERE relationship = ? AND entity1 = ? AND id1 = ? AND entity2 = ? UNION SELECT id1 FROM associations WHERE relationship = ? AND entity2 = ? AND id2 = ? AND entity1 = ?)",
      params: [
        link.relationship,
        entity.logicalName,
        id,
        link.target.logicalName,
        link.relationship,
        entity.logicalName,
        id,
        link.target.logicalName,
      ],
    },
  };
}

/**
 * `GET /<set>(<key>)/<nav>`: a collection-valued navigation property reads like an entity set of
 * the related rows (query options, paging, `$apply`); a single-valued one returns the related row.
 */
export function readRelated(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  key: EntityKey,
  nav: string,
): WireResponse {
  const id = requireId(ctx, entity, key);
  const single = entity.singleValuedNavigation(nav);
  if (single) {
    const row = ctx.store.get(entity.logicalName, id)!;
    const valueProp = `_${single.lookupAttribute}_value`;
    const target = ctx.schema.metadata.entity(single.targetEntity);
    const relatedId = row.data[valueProp];
    if (!target || typeof relatedId !== "string" || row.lookups[valueProp] !== target.logicalName)
      return { status: 204, headers: { "OData-Version": "4.0" } };
    return readEntity(ctx, req, target, target.entitySetName, { kind: "id", id: relatedId });
  }
  const scope = relatedScope(ctx, entity, id, nav);
  const keyText = key.kind === "id" ? key.id : id;
  return readCollection(ctx, req, scope.target, scope.target.entitySetName, {
    where: scope.where,
    path: `${set}(${keyText})/${nav}`,
  });
}

/** `GET /<set>(<key>)/<nav>/$count`: the number of related rows, as text. */
export function countRelated(
  ctx: ServerContext,
  entity: EntityMetadata,
  key: EntityKey,
  nav: string,
): WireResponse {
  const id = requireId(ctx, entity, key);
  const scope = relatedScope(ctx, entity, id, nav);
  return {
    status: 200,
    headers: { "Content-Type": "text/plain", "OData-Version": "4.0" },
    body: String(ctx.store.queryCount(scope.target.logicalName, scope.where)),
  };
}

/** Whether `name` is a navigation property of `entity` (not a column). */
export function isNavigation(entity: EntityMetadata, name: string): boolean {
  return entity.singleValuedNavigation(name) !== undefined || entity.collectionNavigation(name) !== undefined;
}
