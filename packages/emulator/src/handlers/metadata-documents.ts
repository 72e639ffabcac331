import { createHash } from "node:crypto";
import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import type { EntityKey } from "../http/route.ts";
import {
  jsonResponse,
  notFoundSegment,
  queryError,
  type WireRequest,
  type WireResponse,
} from "../http/wire.ts";
import { evaluateFilter } from "../odata/filter-eval.ts";
import { parseQueryOptions } from "../odata/query-options.ts";

/** `GET /`: the service document listing every entity set. */
export function serviceDocument(ctx: ServerContext): WireResponse {
  const value = [...ctx.schema.metadata.entities()].map((e) => ({
    name: e.entitySetName,
    kind: "EntitySet",
    url: e.entitySetName,
  }));
  value.push({ name: "EntityDefinitions", kind: "EntitySet", url: "EntityDefinitions" });
  return jsonResponse(200, { "@odata.context": `${ctx.root()}/$metadata`, value });
}

/** `GET /$metadata`: the CSDL document the emulator was started with (or generated for it). */
export function metadataDocument(ctx: ServerContext): WireResponse {
  return {
    status: 200,
    headers: { "Content-Type": "application/xml", "OData-Version": "4.0" },
    body: ctx.schema.csdl,
  };
}

/** A stable GUID per name (sha1-based), so MetadataId does not change between runs. */
function stableGuid(name: string): string {
  const h = createHash("sha1").update(`xrm-offline-emulator:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function definition(e: EntityMetadata): Record<string, unknown> {
  return {
    MetadataId: stableGuid(e.logicalName),
    LogicalName: e.logicalName,
    SchemaName: e.logicalName,
    EntitySetName: e.entitySetName,
    LogicalCollectionName: e.entitySetName,
    PrimaryIdAttribute: e.primaryIdAttribute,
    PrimaryNameAttribute: e.primaryNameAttribute ?? null,
    IsActivity: e.primaryIdAttribute === "activityid" && e.logicalName !== "activitypointer",
    ChangeTrackingEnabled: true,
  };
}

const ATTRIBUTE_TYPES: Record<string, string> = {
  "Edm.String": "String",
  "Edm.Boolean": "Boolean",
  "Edm.Int16": "Integer",
  "Edm.Int32": "Integer",
  "Edm.Int64": "BigInt",
  "Edm.Decimal": "Decimal",
  "Edm.Double": "Double",
  "Edm.Single": "Double",
  "Edm.Guid": "Uniqueidentifier",
  "Edm.DateTimeOffset": "DateTime",
  "Edm.Date": "DateTime",
  "Edm.Binary": "Virtual",
};

function project(
  row: Record<string, unknown>,
  select: readonly string[] | undefined,
): Record<string, unknown> {
  if (!select) return row;
  const out: Record<string, unknown> = { MetadataId: row.MetadataId };
  for (const name of select) {
    if (!Object.hasOwn(row, name)) {
      throw queryError(
        `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.EntityMetadata'.`,
      );
    }
    out[name] = row[name];
  }
  return out;
}

/**
 * `GET /EntityDefinitions` (with $select and $filter), `EntityDefinitions(LogicalName='x')`,
 * `EntityDefinitions(<MetadataId>)` and `…/Attributes`. No paging, as on the real service.
 */
export function entityDefinitions(
  ctx: ServerContext,
  req: WireRequest,
  key: EntityKey | undefined,
  rest: readonly string[],
): WireResponse {
  const opts = parseQueryOptions(req.query);
  const all = [...ctx.schema.metadata.entities()];
  const selectCtx = opts.select ? `(${opts.select.join(",")})` : "";
  if (!key) {
    if (rest.length > 0) throw notFoundSegment(rest[0]!);
    let rows = all.map(definition);
    if (opts.filter) rows = rows.filter((r) => evaluateFilter(opts.filter!, r, "EntityMetadata"));
    return jsonResponse(200, {
      "@odata.context": `${ctx.root()}/$metadata#EntityDefinitions${selectCtx}`,
      value: rows.map((r) => project(r, opts.select)),
    });
  }
  const entity =
    key.kind === "id"
      ? all.find((e) => stableGuid(e.logicalName) === key.id)
      : key.values.length === 1 && key.values[0]![0] === "LogicalName"
        ? ctx.schema.metadata.entity(String(key.values[0]![1]))
        : undefined;
  if (!entity) throw notFoundSegment("EntityDefinitions");
  if (rest.length === 1 && rest[0] === "Attributes") {
    const attrs = [...entity.attributes()].map((a) => ({
      MetadataId: stableGuid(`${entity.logicalName}.${a.name}`),
      LogicalName: a.name,
      AttributeType: entity.lookup(a.name.replace(/^_(.*)_value$/, "$1"))
        ? "Lookup"
        : (ATTRIBUTE_TYPES[a.type] ?? "Virtual"),
      IsPrimaryId: a.name === entity.primaryIdAttribute,
      IsPrimaryName: a.name === entity.primaryNameAttribute,
    }));
    return jsonResponse(200, {
      "@odata.context": `${ctx.root()}/$metadata#EntityDefinitions('${entity.logicalName}')/Attributes${selectCtx}`,
      value: attrs.map((r) => project(r, opts.select)),
    });
  }
  if (rest.length > 0) throw notFoundSegment(rest[0]!);
  return jsonResponse(200, {
    "@odata.context": `${ctx.root()}/$metadata#EntityDefinitions${selectCtx}/$entity`,
    ...project(definition(entity), opts.select),
  });
}
