import { queryError, unknownQueryProperty } from "../http/wire.ts";
import type { FilterNode, Operand } from "./filter-parser.ts";

/**
 * Evaluate a `$filter` tree against a plain object (used for in-memory collections such as
 * EntityDefinitions). Comparisons are case-sensitive here, like metadata queries.
 */
export function evaluateFilter(
  node: FilterNode,
  row: Readonly<Record<string, unknown>>,
  typeName: string,
): boolean {
  const value = (op: Operand): unknown => {
    if (op.type === "literal") return op.value;
    if (!Object.hasOwn(row, op.name)) throw unknownQueryProperty(op.name, typeName);
    return row[op.name];
  };
  switch (node.type) {
    case "and":
      return evaluateFilter(node.left, row, typeName) && evaluateFilter(node.right, row, typeName);
    case "or":
      return evaluateFilter(node.left, row, typeName) || evaluateFilter(node.right, row, typeName);
    case "not":
      return !evaluateFilter(node.operand, row, typeName);
    case "compare": {
      const a = value(node.left);
      const b = value(node.right);
      if (node.op === "eq") return a === b;
      if (node.op === "ne") return a !== b;
      if (a === null || b === null || a === undefined || b === undefined) return false;
      const x = a as string | number;
      const y = b as string | number;
      return node.op === "gt" ? x > y : node.op === "ge" ? x >= y : node.op === "lt" ? x < y : x <= y;
    }
    case "function": {
      const a = value(node.args[0]);
      const b = value(node.args[1]);
      if (typeof a !== "string" || typeof b !== "string") return false;
      return node.name === "contains"
        ? a.includes(b)
        : node.name === "startswith"
          ? a.startsWith(b)
          : a.endsWith(b);
    }
    case "in": {
      const a = value(node.left);
      return node.values.some((v) => value(v) === a);
    }
    case "query-function":
      throw queryError(`Query functions do not apply to metadata queries.`);
    case "lambda":
      throw queryError(`Lambda operators do not apply to metadata queries.`);
  }
}
