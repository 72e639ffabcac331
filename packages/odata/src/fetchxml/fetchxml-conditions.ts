import type { EntityMetadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import { columnRef, type ResolvedColumn, resolveFetchColumn } from "../query/query-columns.ts";
import { instantOf } from "../query/query-compare.ts";
import { clip, fetchNoAttribute, notSupportedOffline } from "../query/query-errors.ts";
import type {
  ColumnRef,
  FilterNode,
  Literal,
  RelatedPath,
  RelativeDateOperator,
} from "../query/query-plan.ts";
import type { XmlElement } from "./fetchxml-tree.ts";

/**
 * FetchXML `<filter>` / `<condition>` → FilterNode, with the operator whitelist Microsoft
 * documents for mobile offline ("Supported Filter Operations Per Attribute Type in Mobile Offline
 * using FetchXML"). Metadata only knows Edm types, so each Edm type gets the union of the
 * Dataverse types it stands for (Edm.Int32 = Integer, Picklist, State, Status; Edm.Decimal =
 * Decimal, Money; Edm.String = String, EntityName; Edm.Guid = Guid, Lookup, Owner, Customer).
 * Everything else, and unknown operators, → QueryBuilderInvalidConditionOperator 0x80041120.
 */

const ALL = ["eq", "ne", "neq", "null", "not-null"];
const COMPARISON = ["gt", "ge", "lt", "le"];
const SET = ["in", "not-in"];
const TEXT = ["like", "not-like", "begins-with", "not-begin-with", "ends-with", "not-end-with"];
const USER = ["eq-userid", "ne-userid", "eq-useroruserteams"];
const RELATIVE: readonly RelativeDateOperator[] = [
  "today",
  "yesterday",
  "tomorrow",
  "last-seven-days",
  "next-seven-days",
  "this-week",
  "last-week",
  "next-week",
  "this-month",
  "last-month",
  "next-month",
  "this-year",
  "last-year",
  "next-year",
  "last-x-days",
  "next-x-days",
  "last-x-weeks",
  "next-x-weeks",
  "last-x-months",
  "next-x-months",
  "last-x-years",
  "next-x-years",
];
const DATE = ["on", "on-or-before", "on-or-after", ...RELATIVE, ...COMPARISON];

const ALLOWED: Readonly<Record<string, ReadonlySet<string>>> = {
  "Edm.String": new Set([...ALL, ...TEXT, ...SET]),
  "Edm.Guid": new Set([...ALL, ...SET, ...USER]),
  "Edm.Boolean": new Set([...ALL, ...SET]),
  "Edm.Int16": new Set([...ALL, ...COMPARISON, ...SET]),
  "Edm.Int32": new Set([...ALL, ...COMPARISON, ...SET]),
  "Edm.Int64": new Set([...ALL, ...COMPARISON]),
  "Edm.Decimal": new Set([...ALL, ...COMPARISON, ...SET]),
  "Edm.Double": new Set([...ALL, ...COMPARISON]),
  "Edm.Single": new Set([...ALL, ...COMPARISON]),
  "Edm.DateTimeOffset": new Set([...ALL, ...DATE]),
  "Edm.Date": new Set([...ALL, ...DATE]),
};

export const MAX_FETCH_FILTER_DEPTH = 32;
export const MAX_FETCH_CONDITIONS = 2000;

/** A link-entity conditions may name: many-to-one (`path`) or a one-to-many join (`join`, its alias). */
export interface ConditionLink {
  readonly entity: EntityMetadata;
  readonly path?: RelatedPath;
  readonly join?: string;
}

/** Where condition columns live: the fetch's table, and its link-entities by alias. */
export interface ConditionScope {
  readonly entity: EntityMetadata;
  readonly links: ReadonlyMap<string, ConditionLink>;
  conditions: number;
}

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

function invalidValue(value: string, column: string, edm: string): never {
  throw xrmError(
    "QueryBuilderInvalid_Value",
    `The value '${clip(value)}' of the condition on '${column}' is not valid for type '${edm}'.`,
  );
}

/** A condition value, typed by its column. */
export function fetchLiteral(c: ResolvedColumn, name: string, raw: string): Literal {
  const text = raw.trim();
  switch (c.type) {
    case "string":
      return { type: "string", value: raw };
    case "guid": {
      const m = GUID.exec(text);
      if (!m) invalidValue(raw, name, c.edm);
      return { type: "guid", value: m[1]!.toLowerCase() };
    }
    case "boolean": {
      const t = text.toLowerCase();
      if (t === "1" || t === "true") return { type: "boolean", value: true };
      if (t === "0" || t === "false") return { type: "boolean", value: false };
      return invalidValue(raw, name, c.edm);
    }
    case "number": {
      const n = text === "" ? Number.NaN : Number(text);
      const integer = c.edm === "Edm.Int16" || c.edm === "Edm.Int32" || c.edm === "Edm.Int64";
      if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) invalidValue(raw, name, c.edm);
      return { type: "number", value: n };
    }
    case "datetime":
    case "date":
      if (!/^\d{4}-\d{2}-\d{2}/.test(text) || instantOf(text) === null) invalidValue(raw, name, c.edm);
      return { type: text.length > 10 ? "datetime" : "date", value: text };
    default:
      throw notSupportedOffline(`Filtering on column '${name}' of type '${c.edm}'`);
  }
}

export function parseFetchFilter(el: XmlElement, scope: ConditionScope, depth = 0): FilterNode | undefined {
  if (depth > MAX_FETCH_FILTER_DEPTH) {
    throw xrmError(
      "QueryBuilderInvalid_Value",
      `Filters nested deeper than ${MAX_FETCH_FILTER_DEPTH} levels.`,
    );
  }
  const type = el.attrs.get("type") ?? "and";
  if (type !== "and" && type !== "or") throw xrmError("QueryBuilderInvalidFilterType");
  const children: FilterNode[] = [];
  for (const child of el.children) {
    const node =
      child.tag === "condition"
        ? parseCondition(child, scope)
        : child.tag === "filter"
          ? parseFetchFilter(child, scope, depth + 1)
          : invalidNode(child.tag, "filter");
    if (node) children.push(node);
  }
  if (children.length === 0) return undefined;
  if (children.length === 1) return children[0];
  return { kind: type, children };
}

export function invalidNode(tag: string, parent: string): never {
  throw xrmError(
    "QueryBuilderDeserializeInvalidNode",
    `The element node '${clip(tag)}' is not valid inside '${parent}' offline.`,
  );
}

function parseCondition(el: XmlElement, scope: ConditionScope): FilterNode {
  if (++scope.conditions > MAX_FETCH_CONDITIONS) {
    throw xrmError("QueryBuilderInvalid_Value", `More than ${MAX_FETCH_CONDITIONS} conditions.`);
  }
  const attribute = el.attrs.get("attribute");
  const operator = el.attrs.get("operator");
  if (!attribute || !operator) {
    throw xrmError("QueryBuilderAttributeNotFound", "A condition needs 'attribute' and 'operator'.");
  }
  const alias = el.attrs.get("entityname");
  const link = alias === undefined ? undefined : scope.links.get(alias);
  if (alias !== undefined && !link) {
    throw xrmError("QueryBuilderInvalid_Value", `No link-entity has the alias '${clip(alias)}'.`);
  }
  const entity = link?.entity ?? scope.entity;
  const c = resolveFetchColumn(entity, attribute);
  if (!c) throw fetchNoAttribute(entity.logicalName, attribute);
  if (!ALLOWED[c.edm]?.has(operator) || !c.type) {
    throw xrmError(
      "QueryBuilderInvalidConditionOperator",
      `The condition operator '${clip(operator)}' is not supported offline for '${attribute}' (${c.edm}).`,
    );
  }
  const column: ColumnRef = columnRef(c, c.type, link?.path, link?.join);
  const value = el.attrs.get("value");
  const otherColumn = el.attrs.get("valueof");
  const values = el.children.filter((v) => v.tag === "value").map((v) => v.text);
  const stray = el.children.find((v) => v.tag !== "value");
  if (stray) invalidNode(stray.tag, "condition");
  const one = (): Literal => {
    const v = value ?? values[0];
    if (v === undefined || values.length > 1) invalidValue(v ?? "", attribute, c.edm);
    return fetchLiteral(c, attribute, v);
  };

  if (otherColumn !== undefined) return columnComparison(operator, column, entity, otherColumn, c);
  switch (operator) {
    case "eq":
    case "ne":
    case "neq":
    case "gt":
    case "ge":
    case "lt":
    case "le":
      return { kind: "compare", op: operator === "neq" ? "ne" : operator, column, value: one() };
    case "null":
      return { kind: "compare", op: "eq", column, value: { type: "null", value: null } };
    case "not-null":
      return { kind: "compare", op: "ne", column, value: { type: "null", value: null } };
    case "like":
    case "not-like": {
      const node: FilterNode = { kind: "like", column, pattern: one().value as string };
      return operator === "like" ? node : { kind: "not", operand: node };
    }
    case "begins-with":
    case "not-begin-with":
    case "ends-with":
    case "not-end-with": {
      const fn = operator.includes("begin") ? "startswith" : "endswith";
      const node: FilterNode = { kind: "function", fn, column, value: one().value as string };
      return operator.startsWith("not-") ? { kind: "not", operand: node } : node;
    }
    case "in":
    case "not-in": {
      const list = values.length > 0 ? values : value !== undefined ? [value] : [];
      if (list.length === 0) invalidValue("", attribute, c.edm);
      const node: FilterNode = { kind: "in", column, values: list.map((v) => fetchLiteral(c, attribute, v)) };
      return operator === "in" ? node : { kind: "not", operand: node };
    }
    case "on":
    case "on-or-before":
    case "on-or-after":
      return { kind: "on", op: operator, column, date: one().value as string };
    case "eq-userid":
    case "ne-userid":
    case "eq-useroruserteams":
      return { kind: "user", op: operator, column };
    default: {
      const op = operator as RelativeDateOperator;
      if (!op.includes("-x-")) return { kind: "relative-date", op, column };
      const x = Number((value ?? values[0] ?? "").trim());
      if (!Number.isInteger(x) || x < 0 || x > 100_000) invalidValue(value ?? "", attribute, "Edm.Int32");
      return { kind: "relative-date", op, column, x };
    }
  }
}

/** `<condition attribute="revenue" operator="gt" valueof="creditlimit"/>`: column comparison. */
function columnComparison(
  operator: string,
  column: ColumnRef,
  entity: EntityMetadata,
  otherColumn: string,
  c: ResolvedColumn,
): FilterNode {
  const other = resolveFetchColumn(entity, otherColumn);
  if (!other) throw fetchNoAttribute(entity.logicalName, otherColumn);
  const ops = new Map([
    ["eq", "eq"],
    ["ne", "ne"],
    ["neq", "ne"],
    ["gt", "gt"],
    ["ge", "ge"],
    ["lt", "lt"],
    ["le", "le"],
  ] as const);
  const op = ops.get(operator as "eq");
  const sameType = other.type === c.type || (other.type?.startsWith("date") && c.type?.startsWith("date"));
  if (!op || !other.type || !sameType) {
    throw xrmError(
      "QueryBuilderInvalidConditionOperator",
      `'${operator}' can't compare '${c.property}' with column '${otherColumn}'.`,
    );
  }
  return {
    kind: "compare",
    op,
    column,
    value: { type: "column", column: columnRef(other, other.type, column.via, column.join) },
  };
}
