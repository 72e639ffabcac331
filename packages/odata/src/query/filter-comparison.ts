import type { EdmType } from "@xrm-offline/metadata";
import { parserError, syntaxError } from "./query-errors.ts";
import type { ColumnRef, CompareOperator, FilterNode, Literal } from "./query-plan.ts";

/**
 * The typed `eq/ne/gt/ge/lt/le` of `$filter`: which operands may meet, checked like the
 * server's OData parser (a number column against a text literal is "A binary operator with
 * incompatible types…", code 0x0), and turned into a FilterNode.
 */

/** What the filter parser has read at one point: a literal, a column or a Boolean expression. */
export type Operand =
  | { readonly t: "literal"; readonly lit: Literal; readonly pos: number }
  | {
      readonly t: "column";
      readonly col: ColumnRef;
      readonly edm: EdmType;
      readonly name: string;
      readonly pos: number;
    }
  | { readonly t: "bool"; readonly node: FilterNode; readonly pos: number };

const OPERATOR_KIND: Record<CompareOperator, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};
/** `5 lt revenue` is `revenue gt 5`. */
const FLIP: Record<CompareOperator, CompareOperator> = {
  eq: "eq",
  ne: "ne",
  gt: "lt",
  ge: "le",
  lt: "gt",
  le: "ge",
};
const LITERAL_EDM: Record<Literal["type"], string> = {
  null: "null",
  string: "Edm.String",
  guid: "Edm.Guid",
  number: "Edm.Decimal",
  boolean: "Edm.Boolean",
  datetime: "Edm.DateTimeOffset",
  date: "Edm.Date",
};

function edmOf(o: Operand): string {
  return o.t === "column" ? o.edm : o.t === "literal" ? LITERAL_EDM[o.lit.type] : "Edm.Boolean";
}

function incompatible(a: string, b: string, op: CompareOperator): never {
  throw parserError(
    `A binary operator with incompatible types was detected. Found operand types '${a}' and '${b}' for operator kind '${OPERATOR_KIND[op]}'.`,
  );
}

/** `left op right` as a FilterNode; `text` is the whole filter, for error positions. */
export function comparison(left: Operand, op: CompareOperator, right: Operand, text: string): FilterNode {
  // contains(name,'x') eq true / ne false.
  if (left.t === "bool" || right.t === "bool") {
    const [b, other] = left.t === "bool" ? [left, right] : [right, left];
    if (
      b.t === "bool" &&
      other.t === "literal" &&
      other.lit.type === "boolean" &&
      (op === "eq" || op === "ne")
    ) {
      return other.lit.value === (op === "eq") ? b.node : { kind: "not", operand: b.node };
    }
    return incompatible("Edm.Boolean", edmOf(other), op);
  }
  if (left.t === "literal" && right.t === "literal") {
    throw syntaxError("a comparison needs a column on one side", left.pos, text);
  }
  if (left.t === "literal") return comparison(right, FLIP[op], left, text);
  if (right.t === "column") {
    const same =
      left.col.type === right.col.type ||
      (left.col.type.startsWith("date") && right.col.type.startsWith("date"));
    if (!same) incompatible(left.edm, right.edm, op);
    return { kind: "compare", op, column: left.col, value: { type: "column", column: right.col } };
  }
  const lit = right.lit;
  const type = left.col.type;
  const fits =
    lit.type === "null" ||
    lit.type === type ||
    (type.startsWith("date") && (lit.type === "date" || lit.type === "datetime"));
  if (!fits) incompatible(left.edm, LITERAL_EDM[lit.type], op);
  return { kind: "compare", op, column: left.col, value: lit };
}
