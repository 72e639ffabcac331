import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { formattedValue } from "../format/formatted-value.ts";
import { type Preferences, wantsAnnotation } from "../http/prefer.ts";
import { queryError, unknownQueryProperty } from "../http/wire.ts";
import { filterToSql } from "../odata/filter-sql.ts";
import type { ExpandItem } from "../odata/query-options.ts";
import { collectionLink } from "../schema/schema.ts";
import type { StoredRecord } from "../storage/record-store.ts";
import { orderBySql } from "./order-by.ts";

const FORMATTED = "OData.Community.Display.V1.FormattedValue";
const NAV_PROP = "Microsoft.Dynamics.CRM.associatednavigationproperty";
const LOGICAL = "Microsoft.Dynamics.CRM.lookuplogicalname";

/** How to shape one entity in a response. */
export interface Shape {
  readonly select?: readonly string[];
  readonly expand?: readonly ExpandItem[];
}

/** Check `$select` names against metadata (400 0x0 on an unknown one). */
export function checkSelect(entity: EntityMetadata, select: readonly string[] | undefined): void {
  for (const name of select ?? []) {
    if (!entity.attribute(name)) throw unknownQueryProperty(name, entity.logicalName);
  }
}

/** Check `$expand` items (navigation names are case-sensitive) and their nested options. */
export function checkExpand(
  ctx: ServerContext,
  entity: EntityMetadata,
  expand: readonly ExpandItem[] | undefined,
): void {
  for (const item of expand ?? []) {
    const single = entity.singleValuedNavigation(item.navigation);
    const target = single
      ? ctx.schema.metadata.entity(single.targetEntity)
      : entity.collectionNavigation(item.navigation)
        ? collectionLink(ctx.schema, entity, item.navigation)?.target
        : undefined;
    if (!target) throw unknownQueryProperty(item.navigation, entity.logicalName);
    checkSelect(target, item.select);
    if (item.filter) filterToSql(item.filter, target, ctx.schema);
    if (item.orderBy) orderBySql(target, item.orderBy);
    checkExpand(ctx, target, item.expand);
  }
}

/** `name,revenue,primarycontactid(fullname)` for `@odata.context`. */
export function contextSelect(shape: Shape): string {
  const parts = [...(shape.select ?? [])];
  for (const e of shape.expand ?? []) parts.push(`${e.navigation}${contextSelect(e) || "()"}`);
  return parts.length > 0 ? `(${parts.join(",")})` : "";
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

function primaryName(ctx: ServerContext, logicalName: string, id: string): string | undefined {
  const target = ctx.schema.metadata.entity(logicalName);
  const nameAttr = target?.primaryNameAttribute;
  if (!target || !nameAttr) return undefined;
  const v = ctx.store.get(logicalName, id)?.data[nameAttr];
  return typeof v === "string" ? v : undefined;
}

/**
 * A stored row as the Web API returns it: `@odata.etag`, the selected (default: all) columns with
 * null for unset ones, lookup annotations when the Prefer header asks, expanded navigation.
 */
export function serializeRecord(
  ctx: ServerContext,
  entity: EntityMetadata,
  row: StoredRecord,
  shape: Shape,
  prefs: Preferences,
): Record<string, unknown> {
  const out: Record<string, unknown> = { "@odata.etag": etagOf(row.version) };
  const names = shape.select
    ? [...new Set([...shape.select, entity.primaryIdAttribute])]
    : [...entity.attributes()].map((a) => a.name);
  const wantFormatted = wantsAnnotation(prefs, FORMATTED);
  const wantNav = wantsAnnotation(prefs, NAV_PROP);
  const wantLogical = wantsAnnotation(prefs, LOGICAL);
  for (const name of names) {
    const value = row.data[name] ?? null;
    const targetLogical = row.lookups[name];
    if (value !== null && targetLogical !== undefined) {
      if (wantFormatted) {
        const label = primaryName(ctx, targetLogical, String(value));
        if (label !== undefined) out[`${name}@${FORMATTED}`] = label;
      }
      if (wantNav) {
        const attribute = name.slice(1, -"_value".length);
        const nav = entity.navigationFor(attribute, targetLogical);
        if (nav) out[`${name}@${NAV_PROP}`] = nav.name;
      }
      if (wantLogical) out[`${name}@${LOGICAL}`] = targetLogical;
    } else if (value !== null && wantFormatted) {
      const label = formattedValue(ctx, entity, name, value, row.data);
      if (label !== undefined) out[`${name}@${FORMATTED}`] = label;
    }
    out[name] = value;
  }
  for (const item of shape.expand ?? []) out[item.navigation] = expand(ctx, entity, row, item, prefs);
  return out;
}

function expand(
  ctx: ServerContext,
  entity: EntityMetadata,
  row: StoredRecord,
  item: ExpandItem,
  prefs: Preferences,
): unknown {
  const nested: Shape = {
    ...(item.select ? { select: item.select } : {}),
    ...(item.expand ? { expand: item.expand } : {}),
  };
  const single = entity.singleValuedNavigation(item.navigation);
  if (single) {
    const valueProp = `_${single.lookupAttribute}_value`;
    const id = row.data[valueProp];
    if (typeof id !== "string" || row.lookups[valueProp] !== single.targetEntity) return null;
    const target = ctx.schema.metadata.entity(single.targetEntity);
    const related = target ? ctx.store.get(target.logicalName, id) : undefined;
    return target && related ? serializeRecord(ctx, target, related, nested, prefs) : null;
  }
  const link = collectionLink(ctx.schema, entity, item.navigation);
  if (!link) throw queryError(`The navigation property '${item.navigation}' cannot be expanded.`);
  let rows: StoredRecord[];
  const limit = item.top ?? 5000;
  if (link.kind === "one-to-many") {
    const filter = item.filter ? filterToSql(item.filter, link.target, ctx.schema) : { sql: "1", params: [] };
    const where = {
      sql: `json_extract(data, '$."_${link.lookupAttribute}_value"') = ? AND (${filter.sql})`,
      params: [row.id, ...filter.params],
    };
    rows = ctx.store.query(link.target.logicalName, where, orderBySql(link.target, item.orderBy), limit, 0);
  } else {
    rows = ctx.store
      .associated(link.relationship, entity.logicalName, row.id)
      .filter((r) => r.entity === link.target.logicalName)
      .map((r) => ctx.store.get(r.entity, r.id))
      .filter((r): r is StoredRecord => r !== undefined)
      .slice(0, limit);
  }
  return rows.map((r) => serializeRecord(ctx, link.target, r, nested, prefs));
}
