import { XMLParser } from "fast-xml-parser";
import { REQUEST_LIMITS, tooManyConditions } from "../http/limits.ts";
import { codeError } from "../http/wire.ts";
import type {
  FetchAttribute,
  FetchCondition,
  FetchEntity,
  FetchFilter,
  FetchLink,
  FetchOrder,
  FetchQuery,
} from "./fetch-query.ts";

type XmlNode = Record<string, unknown>;

/** Dataverse answers a malformed FetchXML document with InvalidArgument-class errors (0x80040203). */
export function invalidFetch(message: string): never {
  throw codeError("0x80040203", 400, message);
}

/** Dataverse caps link-entity elements at 15 per query ("Join operations" in the FetchXML docs). */
const MAX_LINKS = 15;
const MAX_FILTER_DEPTH = 50;

const parser = new XMLParser({
  ignoreAttributes: false,
  // Prefixed, so a condition's `value` attribute and its `<value>` children stay apart.
  attributeNamePrefix: "@_",
  preserveOrder: false,
  isArray: (name) =>
    ["attribute", "order", "filter", "condition", "link-entity", "value", "entity"].includes(name),
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

function attr(node: XmlNode, name: string): string | undefined {
  const v = node[`@_${name}`];
  return typeof v === "string" ? v : undefined;
}

function children(node: XmlNode, name: string): XmlNode[] {
  const v = node[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((c) => (typeof c === "object" && c !== null ? (c as XmlNode) : {}));
}

function bool(text: string | undefined): boolean {
  return text === "true" || text === "1";
}

function positiveInt(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    invalidFetch(`The '${what}' attribute must be a positive integer.`);
  return Number(text);
}

function parseCondition(node: XmlNode): FetchCondition {
  const attribute = attr(node, "attribute");
  const operator = attr(node, "operator");
  if (!attribute || !operator) invalidFetch("A condition needs 'attribute' and 'operator'.");
  // <value> children parse as strings, or as objects with #text when they carry attributes.
  const raw = node.value;
  const texts = (Array.isArray(raw) ? raw : []).map((v) =>
    typeof v === "string" ? v : String((v as XmlNode)["#text"] ?? ""),
  );
  const value = attr(node, "value");
  const entityName = attr(node, "entityname");
  return {
    attribute,
    operator,
    values: texts,
    ...(value !== undefined ? { value } : {}),
    ...(entityName !== undefined ? { entityName } : {}),
  };
}

/**
 * What the reader has met so far in one query: link-entity elements (at most 15) and, with them,
 * conditions (at most 500 conditions and link-entity elements together, as Dataverse counts).
 */
interface Counter {
  links: number;
  conditions: number;
}

function countConditions(counter: Counter, n: number): void {
  counter.conditions += n;
  if (counter.conditions > REQUEST_LIMITS.conditions) throw tooManyConditions();
}

function parseFilter(node: XmlNode, depth: number, counter: Counter): FetchFilter {
  if (depth > MAX_FILTER_DEPTH) invalidFetch("The filter is nested too deeply.");
  const type = attr(node, "type") ?? "and";
  if (type !== "and" && type !== "or") invalidFetch(`Invalid filter type '${type}'.`);
  const conditions = children(node, "condition");
  countConditions(counter, conditions.length);
  return {
    type,
    conditions: conditions.map(parseCondition),
    filters: children(node, "filter").map((f) => parseFilter(f, depth + 1, counter)),
    links: children(node, "link-entity").map((l) => parseLink(l, counter, "filter")),
  };
}

function parseAttribute(node: XmlNode): FetchAttribute {
  const name = attr(node, "name");
  if (!name) invalidFetch("An attribute needs a 'name'.");
  const alias = attr(node, "alias");
  const aggregate = attr(node, "aggregate");
  return {
    name,
    ...(alias !== undefined ? { alias } : {}),
    ...(aggregate !== undefined ? { aggregate } : {}),
    groupBy: bool(attr(node, "groupby")),
    distinct: bool(attr(node, "distinct")),
  };
}

function parseOrder(node: XmlNode): FetchOrder {
  const attribute = attr(node, "attribute");
  const alias = attr(node, "alias");
  if (!attribute && !alias) invalidFetch("An order needs an 'attribute' or an 'alias'.");
  return {
    ...(attribute !== undefined ? { attribute } : {}),
    ...(alias !== undefined ? { alias } : {}),
    descending: bool(attr(node, "descending")),
  };
}

function parseEntityBody(node: XmlNode, name: string, counter: Counter): FetchEntity {
  return {
    name,
    allAttributes: node["all-attributes"] !== undefined,
    attributes: children(node, "attribute").map(parseAttribute),
    orders: children(node, "order").map(parseOrder),
    filters: children(node, "filter").map((f) => parseFilter(f, 1, counter)),
    links: children(node, "link-entity").map((l) => parseLink(l, counter, "entity")),
  };
}

const JOIN_TYPES = new Set<string>(["inner", "outer", "matchfirstrowusingcrossapply"]);
const SEMI_JOIN_TYPES = new Set<string>(["exists", "in"]);
const FILTER_TYPES = new Set<string>(["any", "not any", "all", "not all"]);

/**
 * A `link-entity` under an `entity`/`link-entity` (`place` "entity": a join type, `exists` or `in`)
 * or under a `filter` (one of the filter link types). The types that only keep or drop the parent
 * row can't return columns, as the link-entity reference says.
 */
function parseLink(node: XmlNode, counter: Counter, place: "entity" | "filter"): FetchLink {
  counter.links++;
  countConditions(counter, 1);
  if (counter.links > MAX_LINKS) invalidFetch(`A query can have at most ${MAX_LINKS} link-entity elements.`);
  const name = attr(node, "name");
  const from = attr(node, "from");
  const to = attr(node, "to");
  if (!name || !from || !to) invalidFetch("A link-entity needs 'name', 'from' and 'to'.");
  const linkType = attr(node, "link-type") ?? "inner";
  if (place === "filter" && !FILTER_TYPES.has(linkType))
    invalidFetch(
      `A link-entity inside a filter must have link-type 'any', 'not any', 'all' or 'not all', not '${linkType}'.`,
    );
  if (place === "entity" && !JOIN_TYPES.has(linkType) && !SEMI_JOIN_TYPES.has(linkType))
    invalidFetch(
      FILTER_TYPES.has(linkType)
        ? `A link-entity of link-type '${linkType}' must be inside a filter element.`
        : `Invalid link-type '${linkType}'.`,
    );
  const n = counter.links;
  const body = parseEntityBody(node, name, counter);
  if (!JOIN_TYPES.has(linkType)) {
    if (body.allAttributes || body.attributes.length > 0 || body.orders.length > 0)
      invalidFetch(`A link-entity of link-type '${linkType}' can't return columns or order the results.`);
    if (body.links.length > 0)
      invalidFetch(
        `The emulator doesn't support a link-entity inside a link-entity of link-type '${linkType}'; put the condition in its filter.`,
      );
  }
  return {
    ...body,
    from,
    to,
    // Without an alias Dataverse names the columns `<table><n>.<column>`.
    alias: attr(node, "alias") ?? `${name}${n}`,
    linkType: linkType as FetchLink["linkType"],
  };
}

/** Parse a FetchXML document; a malformed one is a 400 (0x80040203), never a 500. */
export function parseFetchXml(text: string): FetchQuery {
  let doc: XmlNode;
  try {
    doc = parser.parse(text, true) as XmlNode;
  } catch (e) {
    invalidFetch(`The fetchXml is not well-formed XML: ${(e as Error).message.split("\n")[0]}`);
  }
  const fetch = doc.fetch;
  if (typeof fetch !== "object" || fetch === null || Array.isArray(fetch))
    invalidFetch("The fetchXml must have one <fetch> root element.");
  const root = fetch as XmlNode;
  const entities = children(root, "entity");
  if (entities.length !== 1) invalidFetch("The fetch element must contain exactly one entity element.");
  const entityNode = entities[0]!;
  const name = attr(entityNode, "name");
  if (!name) invalidFetch("The entity element needs a 'name'.");
  const top = positiveInt(attr(root, "top"), "top");
  const count = positiveInt(attr(root, "count"), "count");
  const page = positiveInt(attr(root, "page"), "page");
  if (top !== undefined && (count !== undefined || page !== undefined))
    invalidFetch("The top attribute can't be specified with paging attribute page or count.");
  if (top !== undefined && top > 5000) invalidFetch("The top attribute must not be greater than 5000.");
  if (count !== undefined && count > 5000) invalidFetch("The count attribute must not be greater than 5000.");
  const pagingCookie = attr(root, "paging-cookie");
  return {
    entity: parseEntityBody(entityNode, name, { links: 0, conditions: 0 }),
    ...(top !== undefined ? { top } : {}),
    ...(count !== undefined ? { count } : {}),
    ...(page !== undefined ? { page } : {}),
    ...(pagingCookie !== undefined ? { pagingCookie } : {}),
    distinct: bool(attr(root, "distinct")),
    aggregate: bool(attr(root, "aggregate")),
    returnTotalRecordCount: bool(attr(root, "returntotalrecordcount")),
  };
}
