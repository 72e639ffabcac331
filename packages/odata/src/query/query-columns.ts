import type {
  EdmType,
  EntityMetadata,
  Metadata,
  SingleValuedNavigationDefinition,
} from "@xrm-offline/metadata";
import { lookupValueProperty } from "@xrm-offline/metadata";
import type { ColumnRef, RelatedPath, ValueType } from "./query-plan.ts";

/** How values of an Edm type compare; undefined for types a query can't filter or sort on. */
export function valueTypeOf(edm: EdmType): ValueType | undefined {
  switch (edm) {
    case "Edm.String":
      return "string";
    case "Edm.Guid":
      return "guid";
    case "Edm.Boolean":
      return "boolean";
    case "Edm.DateTimeOffset":
      return "datetime";
    case "Edm.Date":
      return "date";
    case "Edm.Int16":
    case "Edm.Int32":
    case "Edm.Int64":
    case "Edm.Decimal":
    case "Edm.Double":
    case "Edm.Single":
    case "Edm.Byte":
      return "number";
    default:
      return undefined;
  }
}

/** A name from a query, resolved against one table's metadata. */
export interface ResolvedColumn {
  /** Property on the row: `name`, `_primarycontactid_value`. */
  readonly property: string;
  readonly edm: EdmType;
  readonly type: ValueType | undefined;
  /** Set when the property is a lookup's `_x_value`: how to reach the related row. */
  readonly related?: RelatedPath;
  /** Set when the query named one navigation property of a polymorphic lookup. */
  readonly lookupTarget?: string;
}

/** The related-row path of lookup column `attribute`, if metadata knows a navigation for it. */
export function relatedPathOf(
  entity: EntityMetadata,
  attribute: string,
  navigation?: string,
): RelatedPath | undefined {
  const lookup = entity.lookup(attribute);
  if (!lookup) return undefined;
  const nav = navigation ? entity.singleValuedNavigation(navigation) : lookup.navigations[0];
  if (!nav) return undefined;
  return {
    navigation: nav.name,
    lookupProperty: lookup.valueProperty,
    targetEntity: nav.targetEntity,
    targets: navigation ? [nav.targetEntity] : lookup.targets,
  };
}

function lookupColumn(entity: EntityMetadata, attribute: string, nav?: SingleValuedNavigationDefinition) {
  const property = lookupValueProperty(attribute);
  const def = entity.attribute(property);
  if (!def && !entity.lookup(attribute)) return undefined;
  const related = relatedPathOf(entity, attribute, nav?.name);
  const polymorphic = (entity.lookup(attribute)?.targets.length ?? 0) > 1;
  return {
    property,
    edm: "Edm.Guid",
    type: "guid",
    ...(related ? { related } : {}),
    ...(nav && polymorphic ? { lookupTarget: nav.targetEntity } : {}),
  } satisfies ResolvedColumn;
}

/**
 * A column name as OData options may spell it (exact case): a column (`name`), a lookup value
 * property (`_primarycontactid_value`), a lookup's logical name (`primarycontactid`,
 * `parentcustomerid`) or a single-valued navigation property (`parentcustomerid_account`) —
 * Microsoft's offline store wants the navigation name, the server the `_x_value` form; both work.
 */
export function resolveODataColumn(entity: EntityMetadata, name: string): ResolvedColumn | undefined {
  const attr = entity.attribute(name);
  if (attr) {
    const m = /^_(.+)_value$/.exec(name);
    const related = m?.[1] ? relatedPathOf(entity, m[1]) : undefined;
    return { property: name, edm: attr.type, type: valueTypeOf(attr.type), ...(related ? { related } : {}) };
  }
  const nav = entity.singleValuedNavigation(name);
  if (nav) return lookupColumn(entity, nav.lookupAttribute, nav);
  return lookupColumn(entity, name);
}

/** A column name as FetchXML spells it: logical names only (`name`, `primarycontactid`). */
export function resolveFetchColumn(entity: EntityMetadata, name: string): ResolvedColumn | undefined {
  if (name.startsWith("_") && name.endsWith("_value")) return undefined;
  const attr = entity.attribute(name);
  if (attr) return { property: name, edm: attr.type, type: valueTypeOf(attr.type) };
  return lookupColumn(entity, name);
}

export function columnRef(c: ResolvedColumn, type: ValueType, via?: RelatedPath, join?: string): ColumnRef {
  return {
    property: c.property,
    type,
    ...(c.lookupTarget ? { lookupTarget: c.lookupTarget } : {}),
    ...(via ? { via } : {}),
    ...(join !== undefined ? { join } : {}),
  };
}

/** Primary keys of every table a related path may point at. */
export function targetPrimaryKeys(metadata: Metadata, path: RelatedPath): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const t of path.targets) {
    const e = metadata.entity(t);
    if (e) keys[t] = e.primaryIdAttribute;
  }
  return keys;
}
