import type { EdmType, EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { queryFunctionSql } from "../functions/query-function-sql.ts";
import { queryError, unknownQueryProperty } from "../http/wire.ts";
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

/**
 * Compile a `$filter` tree into a WHERE clause over the JSON rows of `entity`, checking every
 * property against metadata and every literal against the property's type. Strings compare
 * case-insensitively, as Dataverse (SQL Server collation) does.
 */
export function filterToSql(node: FilterNode, entity: EntityMetadata, metadata?: Metadata): SqlFragment {
  const params: unknown[] = [];

  const column = (name: string): { sql: string; type: EdmType } => {
    if (name.includes("/")) {
      if (!metadata) throw queryError(`The property path '${name}' is not supported here.`);
      return navigationPathSql(name, entity, metadata);
    }
    const attr = entity.attribute(name);
    if (!attr) throw unknownQueryProperty(name, entity.logicalName);
    return { sql: columnSql(attr.name), type: attr.type };
  };

  const property = (op: Operand): { sql: string; type: EdmType } => {
    if (op.type !== "property") throw queryError("The left side of a comparison must be a property.");
    if (op.name.includes("/")) return column(op.name);
    const attr = entity.attribute(op.name);
    if (!attr) throw unknownQueryProperty(op.name, entity.logicalName);
    return { sql: columnSql(attr.name), type: attr.type };
  };

  const collate = (type: EdmType) => (type === "Edm.String" ? " COLLATE NOCASE" : "");

  const walk = (n: FilterNode): string => {
    switch (n.type) {
      case "and":
      case "or":
        return `(${walk(n.left)} ${n.type.toUpperCase()} ${walk(n.right)})`;
      case "not":
        return `(NOT ${walk(n.operand)})`;
      case "compare": {
        let { left, right, op } = n;
        if (left.type === "literal" && right.type === "property") {
          [left, right] = [right, left];
          op = FLIP[op];
        }
        const col = property(left);
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
        const col = property(n.args[0]);
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
        return queryFunctionSql(n.call, column, params);
      case "in": {
        const col = property(n.left);
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
  return { sql: walk(node), params };
}
