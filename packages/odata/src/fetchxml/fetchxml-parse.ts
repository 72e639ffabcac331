import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import { relatedPathOf, resolveFetchColumn, targetPrimaryKeys } from "../query/query-columns.ts";
import { clip, fetchNoAttribute, notSupportedOffline } from "../query/query-errors.ts";
import type { ExpandPlan, FilterNode, JoinPlan, OrderKey, QueryPlan } from "../query/query-plan.ts";
import {
  type ConditionLink,
  type ConditionScope,
  invalidNode,
  parseFetchFilter,
} from "./fetchxml-conditions.ts";
import { parseXmlTree, type XmlElement } from "./fetchxml-tree.ts";

/**
 * The FetchXML subset offline reads run: `<fetch top|count|page|returntotalrecordcount>`, one
 * `<entity>` with `<attribute>`, `<all-attributes/>`, `<order>`, nested `<filter>`s and
 * `<link-entity>` along a single-valued lookup (many-to-one), which becomes an expand, or from a
 * parent to its children (one-to-many), which becomes a join with a row per child; either way the
 * linked columns come back as `alias.column` properties, as the Web API returns them.
 * Aggregation, paging cookies, many-to-many links and nested links are rejected (NotSupported).
 */

export type FetchPlanParts = Pick<
  QueryPlan,
  "select" | "filter" | "orderBy" | "top" | "expand" | "joins" | "distinct" | "count" | "page"
>;

const FETCH_MAX = 5000;
const BOOL = new Map([
  ["true", true],
  ["1", true],
  ["false", false],
  ["0", false],
]);

function positiveInt(el: XmlElement, name: string): number | undefined {
  const raw = el.attrs.get(name);
  if (raw === undefined) return undefined;
  const n = /^\d{1,9}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(n >= 1 && n <= FETCH_MAX)) {
    throw xrmError(
      "QueryBuilderInvalid_Value",
      `The fetch attribute '${name}' must be a whole number from 1 to ${FETCH_MAX}; found '${clip(raw)}'.`,
    );
  }
  return n;
}

function flag(el: XmlElement, name: string): boolean {
  const raw = el.attrs.get(name);
  if (raw === undefined) return false;
  const v = BOOL.get(raw.trim().toLowerCase());
  if (v === undefined) {
    throw xrmError(
      "QueryBuilderInvalid_Value",
      `The only valid values for ${name} attribute are 'true', 'false', '1', and '0'.`,
    );
  }
  return v;
}

export function parseFetchXml(metadata: Metadata, entity: EntityMetadata, xml: string): FetchPlanParts {
  const fetch = parseXmlTree(xml);
  if (fetch.tag !== "fetch") invalidNode(fetch.tag, "the document");
  if (flag(fetch, "aggregate")) throw notSupportedOffline("Grouping and aggregation");
  if (fetch.attrs.has("paging-cookie")) throw notSupportedOffline("The FetchXML paging cookie");
  const mapping = fetch.attrs.get("mapping");
  if (mapping !== undefined && mapping !== "logical") {
    throw xrmError(
      "QueryBuilderInvalid_Value",
      "The only valid values for mapping are 'logical' or 'internal' which is deprecated.",
    );
  }
  // Plain rows carry their primary key, so they are distinct either way; joined rows may repeat.
  const distinct = flag(fetch, "distinct");
  const top = positiveInt(fetch, "top");
  const count = positiveInt(fetch, "count");
  const page = positiveInt(fetch, "page");
  if (top !== undefined && (count !== undefined || page !== undefined)) {
    throw xrmError(
      "QueryBuilderInvalid_Value",
      "The fetch attributes 'top' and 'count'/'page' can't be combined.",
    );
  }
  const entities = fetch.children.filter((c) => c.tag === "entity");
  const other = fetch.children.find((c) => c.tag !== "entity");
  if (other) invalidNode(other.tag, "fetch");
  if (entities.length !== 1) {
    throw xrmError("QueryBuilderDeserializeInvalidNode", "A fetch needs exactly one 'entity' element.");
  }
  const el = entities[0]!;
  const name = el.attrs.get("name");
  if (name !== entity.logicalName) {
    if (name === undefined || !metadata.entity(name)) {
      throw xrmError("QueryBuilderNoEntity", `The entity '${clip(name ?? "")}' was not found.`);
    }
    throw xrmError("QueryBuilderEntitiesDontMatch");
  }

  // Link-entities first: conditions may name them through entityname="alias".
  const links = el.children
    .filter((c) => c.tag === "link-entity")
    .map((link, i) => parseLink(metadata, entity, link, i + 1));
  const expand: ExpandPlan[] = [];
  const joins: JoinPlan[] = [];
  const aliases = new Map<string, ConditionLink>();
  for (const link of links) {
    const alias = link.kind === "expand" ? link.plan.alias! : link.plan.alias;
    if (aliases.has(alias)) throw xrmError("InvalidArgument", "FetchXML should have unique aliases.");
    if (link.kind === "expand") {
      expand.push(link.plan);
      aliases.set(alias, { entity: link.target, path: link.plan });
    } else {
      joins.push(link.plan);
      aliases.set(alias, { entity: link.target, join: alias });
    }
  }
  const scope: ConditionScope = { entity, links: aliases, conditions: 0 };

  let select: string[] | "all" | undefined;
  const orderBy: OrderKey[] = [];
  const filters: FilterNode[] = [];
  for (const child of el.children) {
    switch (child.tag) {
      case "attribute":
        if (select !== "all") select = [...(select ?? []), ...attributeColumn(entity, child)];
        break;
      case "all-attributes":
        select = "all";
        break;
      case "order":
        orderBy.push(orderKey(entity, child));
        break;
      case "filter": {
        const f = parseFetchFilter(child, scope);
        if (f) filters.push(f);
        break;
      }
      case "link-entity":
        break;
      default:
        invalidNode(child.tag, "entity");
    }
  }
  const filter: FilterNode | undefined =
    filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { kind: "and", children: filters };
  return {
    // No <attribute> at all returns every column, as on the server.
    select: select === undefined ? "all" : [...new Set(select)],
    ...(filter ? { filter } : {}),
    orderBy,
    ...(top !== undefined ? { top } : {}),
    expand,
    ...(joins.length > 0 ? { joins, ...(distinct ? { distinct } : {}) } : {}),
    count: flag(fetch, "returntotalrecordcount"),
    ...(count !== undefined || page !== undefined
      ? { page: { size: count ?? FETCH_MAX, number: page ?? 1 } }
      : {}),
  };
}

function attributeColumn(entity: EntityMetadata, el: XmlElement): string[] {
  const name = el.attrs.get("name");
  if (!name) throw xrmError("QueryBuilderAttributeNotFound", "An 'attribute' element needs a 'name'.");
  if (el.attrs.has("aggregate") || el.attrs.has("groupby") || el.attrs.has("dategrouping")) {
    throw notSupportedOffline("Grouping and aggregation");
  }
  if (el.attrs.has("alias")) throw notSupportedOffline("An alias on a FetchXML attribute");
  if (el.children.length > 0) invalidNode(el.children[0]!.tag, "attribute");
  const c = resolveFetchColumn(entity, name);
  if (!c) throw fetchNoAttribute(entity.logicalName, name);
  return [c.property];
}

function orderKey(entity: EntityMetadata, el: XmlElement): OrderKey {
  if (el.attrs.has("alias")) throw notSupportedOffline("Ordering by an alias (aggregation)");
  const name = el.attrs.get("attribute");
  if (!name) throw xrmError("QueryBuilderAttributeNotFound", "An 'order' element needs an 'attribute'.");
  const c = resolveFetchColumn(entity, name);
  if (!c) throw fetchNoAttribute(entity.logicalName, name);
  if (!c.type) throw notSupportedOffline(`Ordering by column '${name}' of type '${c.edm}'`);
  return { property: c.property, type: c.type, descending: flag(el, "descending") };
}

type ParsedLink =
  | { readonly kind: "expand"; readonly plan: ExpandPlan; readonly target: EntityMetadata }
  | { readonly kind: "join"; readonly plan: JoinPlan; readonly target: EntityMetadata };

/**
 * `<link-entity name="contact" from="contactid" to="primarycontactid" alias="pc">`: many-to-one,
 * along the lookup `to` of the outer table to the primary key `from` of `name`.
 * `<link-entity name="systemuser" from="businessunitid" to="businessunitid" alias="u">` from a
 * businessunit: one-to-many, the children of `name` whose lookup `from` points at the outer row's
 * primary key `to`.
 */
function parseLink(metadata: Metadata, entity: EntityMetadata, el: XmlElement, ordinal: number): ParsedLink {
  const name = el.attrs.get("name") ?? "";
  const target = metadata.entity(name);
  if (!target) throw xrmError("QueryBuilderNoEntity", `The entity '${clip(name)}' was not found.`);
  const from = el.attrs.get("from") ?? target.primaryIdAttribute;
  const to = el.attrs.get("to") ?? entity.primaryIdAttribute;
  const linkType = el.attrs.get("link-type") ?? "inner";
  if (linkType !== "inner" && linkType !== "outer") {
    throw notSupportedOffline(`The link-type '${clip(linkType)}'`);
  }
  if (el.attrs.has("intersect") && flag(el, "intersect"))
    throw notSupportedOffline("A many-to-many link-entity");
  if (!target.attribute(from) && !resolveFetchColumn(target, from))
    throw fetchNoAttribute(target.logicalName, from);
  if (!resolveFetchColumn(entity, to)) throw fetchNoAttribute(entity.logicalName, to);
  const nav = entity.navigationFor(to, target.logicalName);
  const childLookup = target.lookup(from);
  const oneToMany =
    to === entity.primaryIdAttribute && childLookup?.targets.includes(entity.logicalName) === true;
  if (!oneToMany && (from !== target.primaryIdAttribute || !nav)) {
    throw notSupportedOffline(
      `A link-entity from '${entity.logicalName}.${to}' to '${target.logicalName}.${from}' (only many-to-one links along a lookup and one-to-many links to a lookup's parent are)`,
    );
  }
  const alias = el.attrs.get("alias") ?? `${target.logicalName}${ordinal}`;
  let select: string[] | "all" = [];
  let filter: FilterNode | undefined;
  const scope: ConditionScope = { entity: target, links: new Map(), conditions: 0 };
  for (const child of el.children) {
    switch (child.tag) {
      case "attribute":
        if (select !== "all") select = [...new Set([...select, ...attributeColumn(target, child)])];
        break;
      case "all-attributes":
        select = "all";
        break;
      case "filter": {
        const f = parseFetchFilter(child, scope);
        if (f) filter = filter ? { kind: "and", children: [filter, f] } : f;
        break;
      }
      case "link-entity":
        throw notSupportedOffline("A nested link-entity");
      case "order":
        throw notSupportedOffline("Ordering by a link-entity column");
      default:
        invalidNode(child.tag, "link-entity");
    }
  }
  if (oneToMany) {
    return {
      kind: "join",
      target,
      plan: {
        alias,
        entity: target.logicalName,
        primaryKey: target.primaryIdAttribute,
        lookupProperty: childLookup!.valueProperty,
        parentProperty: entity.primaryIdAttribute,
        parentEntity: entity.logicalName,
        select,
        ...(filter ? { filter } : {}),
        required: linkType === "inner",
      },
    };
  }
  const path = relatedPathOf(entity, to, nav!.name)!;
  return {
    kind: "expand",
    target,
    plan: {
      ...path,
      targetPrimaryKeys: targetPrimaryKeys(metadata, path),
      select,
      shape: "flattened",
      alias,
      required: linkType === "inner",
      ...(filter ? { filter } : {}),
    },
  };
}
