import type { EdmType, EntityMetadata } from "@xrm-offline/metadata";
import { queryFunctionSql } from "../functions/query-function-sql.ts";
import { queryError, unknownQueryProperty } from "../http/wire.ts";
import { collectionLink, type Schema } from "../schema/schema.ts";
import { normalizeDateTime } from "../write/coerce-value.ts";
import type { CompareOp, FilterNode, Operand } from "./filter-parser.ts";
import { navigationPathSql } from "./navigation-path.ts";

export interface SqlFragment {
  readonly sql: string;
  readonly params: unknown[];
}

const SAFE_NAME = /^[A-Za-z0-9_]+$/;

/** SQL for a column's value inside the JSON `data` of a stored row. */
export function columnSql(name: string): string {
  if (!SAFE_NAME.test(name)) throw queryError(`Invalid property name '${name}'.`);
  return `json_extract(data, '$."${name}"')`;
}

const SQL_OP: Record<CompareOp, string> = { eq: "=", ne: "<>", gt: ">", ge: ">=", lt: "<", le: "<=" };
const OP_KIND: Record<CompareOp, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};
const FLIP: Record<CompareOp, CompareOp> = { eq: "eq", ne: "ne", gt: "lt", ge: "le", lt: "gt", le: "ge" };
const NUMERIC = new Set<EdmType>([
  "Edm.Byte",
  "Edm.Int16",
  "Edm.Int32",
  "Edm.Int64",
  "Edm.Decimal",
  "Edm.Double",
  "Edm.Single",
]);

function literalTypeName(op: Extract<Operand, { type: "literal" }>): string {
  switch (op.kind) {
    case "string":
      return "Edm.String";
    case "number":
      return Number.isInteger(op.value) ? "Edm.Int32" : "Edm.Decimal";
    case "boolean":
      return "Edm.Boolean";
    case "guid":
      return "Edm.Guid";
    case "datetime":
      return "Edm.DateTimeOffset";
    case "date":
      return "Edm.Date";
    default:
      return "null";
  }
}

/** The stored form of a literal compared with a column of `type`, or a 400 on a type mismatch. */
function literalFor(type: EdmType, lit: Extract<Operand, { type: "literal" }>, opKind: string): unknown {
  const mismatch = () =>
    queryError(
      `A binary operator with incompatible types was detected. Found operand types '${type}' and '${literalTypeName(lit)}' for operator kind '${opKind}'.`,
    );
  if (NUMERIC.has(type)) {
    if (lit.kind !== "number") throw mismatch();
    return lit.value;
  }
  switch (type) {
    case "Edm.String":
      if (lit.kind !== "string") throw mismatch();
      return lit.value;
    case "Edm.Boolean":
      if (lit.kind !== "boolean") throw mismatch();
      return lit.value ? 1 : 0;
    case "Edm.Guid":
      if (lit.kind === "guid") return lit.value;
      if (lit.kind === "string" && /^[0-9a-fA-F-]{36}$/.test(String(lit.value)))
        return String(lit.value).toLowerCase();
      throw mismatch();
    case "Edm.DateTimeOffset":
      if (lit.kind === "datetime" || lit.kind === "date")
        return normalizeDateTime(String(lit.value)) ?? lit.value;
      throw mismatch();
    case "Edm.Date":
      if (lit.kind === "date") return lit.value;
      throw mismatch();
    default:
      if (lit.kind !== "string") throw mismatch();
      return lit.value;
  }
}

/** Where a part of the filter is evaluated: the row's table, its SQL name, a lambda's variable. */
interface Scope {
  readonly entity: EntityMetadata;
  /** SQL name of the row; `undefined` for the queried table itself (unqualified `data`). */
  readonly alias?: string;
  /** The lambda variable whose properties are this row's (`o` in `any(o:o/name eq 'x')`). */
  readonly variable?: string;
}

/** A lambda body's property path, with the lambda's variable taken off (`o/subject` → `subject`). */
function inScope(name: string, scope: Scope): string {
  if (scope.variable === undefined) return name;
  const prefix = `${scope.variable}/`;
  if (!name.startsWith(prefix))
    throw queryError(
      `The property '${name}' must be reached through the lambda variable '${scope.variable}'.`,
    );
  return name.slice(prefix.length);
}

/**
 * Compile a `$filter` tree into a WHERE clause over the JSON rows of `entity`, checking every
 * property against metadata and every literal against the property's type. Strings compare
 * case-insensitively, as Dataverse (SQL Server collation) does. `any`/`all` need the schema (its
 * relationships); without it they are refused.
 */
export function filterToSql(node: FilterNode, entity: EntityMetadata, schema?: Schema): SqlFragment {
  const params: unknown[] = [];
  const metadata = schema?.metadata;
  let lambdas = 0;

  const column = (rawName: string, scope: Scope): { sql: string; type: EdmType } => {
    const name = inScope(rawName, scope);
    if (name.includes("/")) {
      if (!metadata) throw queryError(`The property path '${name}' is not supported here.`);
      return navigationPathSql(name, scope.entity, metadata, scope.alias ?? "records");
    }
    const attr = scope.entity.attribute(name);
    if (!attr) throw unknownQueryProperty(name, scope.entity.logicalName);
    const sql = columnSql(attr.name);
    return {
      sql: scope.alias ? sql.replace("json_extract(data,", `json_extract(${scope.alias}.data,`) : sql,
      type: attr.type,
    };
  };

  const property = (op: Operand, scope: Scope): { sql: string; type: EdmType } => {
    if (op.type !== "property") throw queryError("The left side of a comparison must be a property.");
    return column(op.name, scope);
  };

  /**
   * `EXISTS` over the related rows of the collection: a one-to-many link matches rows whose lookup
   * points at this row (and at this table: polymorphic lookups share a column); a many-to-many
   * link goes through the associations table. `all(x:p)` is "no related row where not p".
   */
  const lambdaSql = (n: Extract<FilterNode, { type: "lambda" }>, scope: Scope): string => {
    if (!schema) throw queryError("The lambda operators any and all are not supported here.");
    const collection = inScope(n.collection, scope);
    if (collection.includes("/"))
      throw queryError(
        `The collection '${collection}' is reached through a lookup; Dataverse supports any/all only on a collection of the row itself.`,
      );
    const link = collectionLink(schema, scope.entity, collection);
    if (!link) {
      if (scope.entity.singleValuedNavigation(collection) || scope.entity.attribute(collection))
        throw queryError(`The property '${collection}' is not a collection-valued navigation property.`);
      throw unknownQueryProperty(collection, scope.entity.logicalName);
    }
    const alias = `lambda${++lambdas}`;
    const outer = scope.alias ?? "records";
    const target = link.target.logicalName;
    if (!SAFE_NAME.test(target)) throw queryError(`Invalid entity name '${target}'.`);
    let related: string;
    if (link.kind === "one-to-many") {
      const value = `_${link.lookupAttribute}_value`;
      if (!SAFE_NAME.test(value)) throw queryError(`Invalid property name '${value}'.`);
      related = `json_extract(${alias}.data, '$."${value}"') = ${outer}.id AND json_extract(${alias}.lookups, '$."${value}"') = ${outer}.entity`;
    } else {
      if (!SAFE_NAME.test(link.relationship))
        throw queryError(`Invalid relationship '${link.relationship}'.`);
      const rel = `'${link.relationship}'`;
      related = `${alias}.id IN (SELECT id2 FROM associations WHERE relationship = ${rel} AND entity1 = ${outer}.entity AND id1 = ${outer}.id AND entity2 = '${target}' UNION SELECT id1 FROM associations WHERE relationship = ${rel} AND entity2 = ${outer}.entity AND id2 = ${outer}.id AND entity1 = '${target}')`;
    }
    const rows = `SELECT 1 FROM records ${alias} WHERE ${alias}.entity = '${target}' AND ${related}`;
    if (!n.body || n.variable === undefined) return `EXISTS (${rows})`;
    const body = walk(n.body, { entity: link.target, alias, variable: n.variable });
    return n.op === "any"
      ? `EXISTS (${rows} AND (${body}))`
      : `NOT EXISTS (${rows} AND NOT coalesce((${body}), 0))`;
  };

  const collate = (type: EdmType) => (type === "Edm.String" ? " COLLATE NOCASE" : "");

  const walk = (n: FilterNode, scope: Scope): string => {
    switch (n.type) {
      case "and":
      case "or":
        return `(${walk(n.left, scope)} ${n.type.toUpperCase()} ${walk(n.right, scope)})`;
      case "not":
        return `(NOT ${walk(n.operand, scope)})`;
      case "lambda":
        return lambdaSql(n, scope);
      case "compare": {
        let { left, right, op } = n;
        if (left.type === "literal" && right.type === "property") {
          [left, right] = [right, left];
          op = FLIP[op];
        }
        const col = property(left, scope);
        if (right.type !== "literal") throw queryError("Comparing two properties is not supported.");
        if (right.kind === "null") {
          if (op === "eq") return `${col.sql} IS NULL`;
          if (op === "ne") return `${col.sql} IS NOT NULL`;
          return "0";
        }
        params.push(literalFor(col.type, right, OP_KIND[op]));
        // OData: `x ne 'a'` is true when x is null.
        if (op === "ne") return `(${col.sql} IS NULL OR ${col.sql} <> ?${collate(col.type)})`;
        return `${col.sql} ${SQL_OP[op]} ?${collate(col.type)}`;
      }
      case "function": {
        const col = property(n.args[0], scope);
        const arg = n.args[1];
        if (col.type !== "Edm.String" || arg.type !== "literal" || arg.kind !== "string") {
          throw queryError(
            `No function signature for the function with name '${n.name}' matches the specified arguments.`,
          );
        }
        const escaped = String(arg.value).replace(/[\\%_]/g, (c) => `\\${c}`);
        const pattern =
          n.name === "contains" ? `%${escaped}%` : n.name === "startswith" ? `${escaped}%` : `%${escaped}`;
        params.push(pattern);
        return `${col.sql} LIKE ? ESCAPE '\\'`;
      }
      case "query-function":
        return queryFunctionSql(n.call, (name) => column(name, scope), params);
      case "in": {
        const col = property(n.left, scope);
        const marks = n.values.map((v) => {
          if (v.type !== "literal" || v.kind === "null")
            throw queryError("The 'in' operator takes a list of literals.");
          params.push(literalFor(col.type, v, "In"));
          return "?";
        });
        return `${col.sql}${collate(col.type)} IN (${marks.join(", ")})`;
      }
    }
  };
  return { sql: walk(node, { entity }), params };
}
