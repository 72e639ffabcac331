import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { parseJsonBody } from "../http/json-body.ts";
import type { EntityKey } from "../http/route.ts";
import {
  emptyResponse,
  odataError,
  queryError,
  undeclaredProperty,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { collectionLink } from "../schema/schema.ts";
import { applyLookupToRow, associate, writeRow } from "../write/apply-write.ts";
import { type BindTarget, parseBindTarget } from "../write/bind-target.ts";
import { requireId } from "../write/resolve-key.ts";

function odataIdOf(ctx: ServerContext, req: WireRequest): BindTarget {
  const body = parseJsonBody(req.body);
  const ref =
    typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)["@odata.id"]
      : undefined;
  if (typeof ref !== "string")
    throw odataError('A $ref body must be of the form {"@odata.id": "<entity URL>"}.');
  return parseBindTarget(ctx, ref, req.contentIds);
}

/**
 * `…/<nav>/$ref`: PUT sets a single-valued lookup, POST adds to a collection, DELETE clears a
 * lookup or removes one row from a collection (`…/<nav>(<id>)/$ref` or `…/<nav>/$ref?$id=<url>`).
 */
export function writeRef(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  key: EntityKey,
  nav: string,
  refKey: EntityKey | undefined,
): WireResponse {
  const single = entity.singleValuedNavigation(nav);
  const link = single
    ? undefined
    : entity.collectionNavigation(nav)
      ? collectionLink(ctx.schema, entity, nav)
      : undefined;
  if (!single && !link) throw undeclaredProperty(nav);
  const method = req.method;
  if (single) {
    if (method !== "PUT" && method !== "DELETE")
      throw queryError(`The method ${method} is not allowed on a single-valued navigation $ref.`);
    const target = method === "PUT" ? odataIdOf(ctx, req) : undefined;
    if (
      target &&
      ctx.schema.metadata.entity(single.targetEntity) &&
      target.entity.logicalName !== single.targetEntity
    ) {
      throw odataError(
        `An entity of type 'Microsoft.Dynamics.CRM.${target.entity.logicalName}' cannot be bound to the navigation property '${nav}'.`,
      );
    }
    ctx.store.transaction(() => {
      const id = requireId(ctx, entity, key);
      const row = ctx.store.get(entity.logicalName, id)!;
      const data = { ...row.data };
      const lookups = { ...row.lookups };
      applyLookupToRow(ctx, data, lookups, {
        navigation: single,
        value: target ? { kind: "bind", target } : { kind: "clear" },
      });
      writeRow(ctx, entity, id, data, lookups, "update");
    });
    return emptyResponse(204);
  }
  const l = link!;
  if (method === "POST") {
    const target = odataIdOf(ctx, req);
    if (target.entity.logicalName !== l.target.logicalName) {
      throw odataError(
        `An entity of type 'Microsoft.Dynamics.CRM.${target.entity.logicalName}' cannot be added to '${nav}'.`,
      );
    }
    ctx.store.transaction(() => associate(ctx, entity, requireId(ctx, entity, key), l, target));
    return emptyResponse(204);
  }
  if (method !== "DELETE")
    throw queryError(`The method ${method} is not allowed on a collection-valued navigation $ref.`);
  let target: BindTarget;
  if (refKey) target = { entity: l.target, key: refKey };
  else {
    const idParam = req.query.get("$id");
    if (!idParam)
      throw queryError("Removing a row from a collection needs '…/<nav>(<id>)/$ref' or '$id=<url>'.");
    target = parseBindTarget(ctx, idParam, req.contentIds);
  }
  ctx.store.transaction(() => {
    const id = requireId(ctx, entity, key);
    const targetId = requireId(ctx, target.entity, target.key);
    if (l.kind === "many-to-many") {
      ctx.store.disassociate(l.relationship, entity.logicalName, id, target.entity.logicalName, targetId);
      return;
    }
    const row = ctx.store.get(target.entity.logicalName, targetId)!;
    const valueProp = `_${l.lookupAttribute}_value`;
    if (row.data[valueProp] !== id) return;
    const lookups = { ...row.lookups };
    delete lookups[valueProp];
    writeRow(ctx, target.entity, targetId, { ...row.data, [valueProp]: null }, lookups, "update");
  });
  return emptyResponse(204);
}
