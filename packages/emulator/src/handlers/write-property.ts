import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { parseJsonBody } from "../http/json-body.ts";
import type { EntityKey } from "../http/route.ts";
import {
  codeError,
  emptyResponse,
  odataError,
  unknownProperty,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { writeRow } from "../write/apply-write.ts";
import { coerceValue } from "../write/coerce-value.ts";
import { checkMaxLength } from "../write/max-length.ts";
import { requireId } from "../write/resolve-key.ts";

/** `PUT /<set>(<key>)/<column>` with `{"value": …}`, or `DELETE` of it (sets null). */
export function writeProperty(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  key: EntityKey,
  property: string,
): WireResponse {
  if (entity.singleValuedNavigation(property) || entity.collectionNavigation(property)) {
    throw odataError(`'${property}' is a navigation property; use '${property}/$ref' to change it.`);
  }
  if ([...entity.lookups()].some((l) => l.valueProperty === property)) {
    throw codeError(
      "0x80060888",
      400,
      "CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.",
    );
  }
  const attr = entity.attribute(property);
  if (!attr) throw unknownProperty(property, entity.logicalName);
  if (property === entity.primaryIdAttribute)
    throw odataError(`The primary key '${property}' cannot be changed.`);
  let value: unknown = null;
  if (req.method === "PUT") {
    const body = parseJsonBody(req.body);
    if (typeof body !== "object" || body === null || Array.isArray(body) || !Object.hasOwn(body, "value")) {
      throw odataError('A single property update needs a body of the form {"value": …}.');
    }
    value = coerceValue((body as Record<string, unknown>).value, attr.type);
    checkMaxLength(entity, property, value);
  }
  ctx.store.transaction(() => {
    const id = requireId(ctx, entity, key);
    const row = ctx.store.get(entity.logicalName, id)!;
    writeRow(ctx, entity, id, { ...row.data, [property]: value }, { ...row.lookups }, "update");
  });
  return emptyResponse(204);
}
