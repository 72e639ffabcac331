import {
  parseQueryFunctionCall,
  type QueryFunctionCall,
  queryFunctionCallLength,
} from "../functions/query-function-call.ts";
import { REQUEST_LIMITS, tooManyConditions } from "../http/limits.ts";
import { queryError } from "../http/wire.ts";

/** Literal kinds of the OData URL syntax the server understands. */
export type LiteralKind = "string" | "number" | "boolean" | "null" | "guid" | "datetime" | "date";

export type Operand =
  | { readonly type: "property"; readonly name: string }
  | {
      readonly type: "literal";
      readonly kind: LiteralKind;
      readonly value: string | number | boolean | null;
    };

export type CompareOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type StringFunction = "contains" | "startswith" | "endswith";

export type FilterNode =
  | { readonly type: "and" | "or"; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly type: "not"; readonly operand: FilterNode }
  | { readonly type: "compare"; readonly op: CompareOp; readonly left: Operand; readonly right: Operand }
  | { readonly type: "function"; readonly name: StringFunction; readonly args: readonly [Operand, Operand] }
  | { readonly type: "in"; readonly left: Operand; readonly values: readonly Operand[] }
  | { readonly type: "query-function"; readonly call: QueryFunctionCall }
  /**
   * `<collection>/any(x:<body>)`, `<collection>/all(x:<body>)`, `<collection>/any()`. The
   * collection path may start with an enclosing lambda's variable (`c/opportunity_customer_contacts`);
   * properties in the body are `x/<name>`.
   */
  | {
      readonly type: "lambda";
      readonly op: "any" | "all";
      readonly collection: string;
      readonly variable?: string;
      readonly body?: FilterNode;
    };

type Token =
  | { readonly t: "(" | ")" | "," | ":"; readonly pos: number }
  | { readonly t: "ident"; readonly v: string; readonly pos: number }
  | { readonly t: "query-function"; readonly call: QueryFunctionCall; readonly pos: number }
  | {
      readonly t: "literal";
      readonly kind: LiteralKind;
      readonly v: string | number | boolean | null;
      readonly pos: number;
    };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\w:])/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?(?![\w.])/;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_./$]*/;
const MAX_DEPTH = 100;

function syntaxError(pos: number, text: string): never {
  throw queryError(`Syntax error at position ${pos} in '${text}'.`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === "," || ch === ":") {
      tokens.push({ t: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length)
          throw queryError(`There is an unterminated string literal at position ${i} in '${text}'.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ t: "literal", kind: "string", v: value, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const guid = GUID.exec(rest);
    if (guid && !/[\w-]/.test(rest[guid[0].length] ?? "")) {
      tokens.push({ t: "literal", kind: "guid", v: guid[0].toLowerCase(), pos: i });
      i += guid[0].length;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      tokens.push({ t: "literal", kind: "datetime", v: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const date = DATE.exec(rest);
    if (date) {
      tokens.push({ t: "literal", kind: "date", v: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      const n = Number(num[0].replace(/[mMdDfFlL]$/, ""));
      if (!Number.isFinite(n)) syntaxError(i, text);
      tokens.push({ t: "literal", kind: "number", v: n, pos: i });
      i += num[0].length;
      continue;
    }
    // `Microsoft.Dynamics.CRM.LastXHours(PropertyName='createdon',PropertyValue=1)`: its own syntax.
    const callLength = queryFunctionCallLength(rest);
    if (callLength > 0) {
      tokens.push({ t: "query-function", call: parseQueryFunctionCall(rest.slice(0, callLength)), pos: i });
      i += callLength;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      const v = ident[0];
      if (v === "true" || v === "false")
        tokens.push({ t: "literal", kind: "boolean", v: v === "true", pos: i });
      else if (v === "null") tokens.push({ t: "literal", kind: "null", v: null, pos: i });
      else tokens.push({ t: "ident", v, pos: i });
      i += v.length;
      continue;
    }
    syntaxError(i, text);
  }
  return tokens;
}

const COMPARE = new Set<string>(["eq", "ne", "gt", "ge", "lt", "le"]);
const FUNCTIONS = new Set<string>(["contains", "startswith", "endswith"]);
const LAMBDA = /\/(any|all)$/;

/**
 * A chain `t1 op t2 op … op tn` as a balanced tree, terms kept in order. `and` and `or` are
 * associative, so the meaning is the same as the left-deep tree a naive parser builds; the depth
 * is log2(n) instead of n, so a chain of the 500 conditions Dataverse allows stays far inside
 * SQLite's expression-depth limit of 1,000 and the call stack of every tree walk.
 */
function balanced(type: "and" | "or", terms: readonly FilterNode[], from = 0, to = terms.length): FilterNode {
  if (to - from === 1) return terms[from]!;
  const mid = (from + to) >>> 1;
  return { type, left: balanced(type, terms, from, mid), right: balanced(type, terms, mid, to) };
}

/**
 * Parse a `$filter` expression (comparisons, and/or/not, contains/startswith/endswith, in, query
 * functions, the lambda operators any/all).
 */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let i = 0;
  let depth = 0;
  const peek = () => tokens[i];
  const isWord = (w: string) => {
    const tok = tokens[i];
    return tok?.t === "ident" && tok.v === w;
  };
  const expect = (t: "(" | ")" | "," | ":") => {
    const tok = tokens[i];
    if (tok?.t !== t) syntaxError(tok?.pos ?? text.length, text);
    i++;
  };

  const operand = (): Operand => {
    const tok = tokens[i];
    if (!tok) syntaxError(text.length, text);
    if (tok.t === "ident") {
      i++;
      return { type: "property", name: tok.v };
    }
    if (tok.t === "literal") {
      i++;
      return { type: "literal", kind: tok.kind, value: tok.v };
    }
    return syntaxError(tok.pos, text);
  };

  let conditions = 0;
  const condition = <T extends FilterNode>(node: T): T => {
    if (++conditions > REQUEST_LIMITS.conditions) throw tooManyConditions();
    return node;
  };

  const primary = (): FilterNode => {
    const tok = peek();
    if (!tok) syntaxError(text.length, text);
    if (tok.t === "(") {
      i++;
      const inner = or();
      expect(")");
      return inner;
    }
    if (tok.t === "query-function") {
      i++;
      return condition({ type: "query-function", call: tok.call });
    }
    if (tok.t === "ident" && tokens[i + 1]?.t === "(" && LAMBDA.test(tok.v)) {
      i += 2;
      return condition(lambda(tok.v));
    }
    if (tok.t === "ident" && tokens[i + 1]?.t === "(") {
      if (!FUNCTIONS.has(tok.v)) throw queryError(`An unknown function with name '${tok.v}' was found.`);
      i += 2;
      const a = operand();
      expect(",");
      const b = operand();
      expect(")");
      return condition({ type: "function", name: tok.v as StringFunction, args: [a, b] });
    }
    const left = operand();
    const opTok = peek();
    if (opTok?.t === "ident" && opTok.v === "in") {
      i++;
      expect("(");
      const values: Operand[] = [operand()];
      while (peek()?.t === ",") {
        i++;
        values.push(operand());
      }
      expect(")");
      return condition({ type: "in", left, values });
    }
    if (opTok?.t !== "ident" || !COMPARE.has(opTok.v)) syntaxError(opTok?.pos ?? text.length, text);
    i++;
    return condition({ type: "compare", op: opTok.v as CompareOp, left, right: operand() });
  };

  // After `<collection>/any(` or `…/all(`: `)` alone (any only), or `x:<body>)`.
  const lambda = (word: string): FilterNode => {
    const op = word.endsWith("/any") ? "any" : "all";
    const collection = word.slice(0, -4);
    if (peek()?.t === ")") {
      if (op === "all") syntaxError(peek()!.pos, text);
      i++;
      return { type: "lambda", op, collection };
    }
    const variable = peek();
    if (variable?.t !== "ident" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable.v))
      syntaxError(variable?.pos ?? text.length, text);
    i++;
    expect(":");
    if (++depth > MAX_DEPTH) throw queryError("The $filter expression is nested too deeply.");
    const body = or();
    depth--;
    expect(")");
    return { type: "lambda", op, collection, variable: variable.v, body };
  };

  const unary = (): FilterNode => {
    if (isWord("not")) {
      i++;
      if (++depth > MAX_DEPTH) throw queryError("The $filter expression is nested too deeply.");
      const operandNode = unary();
      depth--;
      return { type: "not", operand: operandNode };
    }
    if (peek()?.t === "(") {
      if (++depth > MAX_DEPTH) throw queryError("The $filter expression is nested too deeply.");
      const node = primary();
      depth--;
      return node;
    }
    return primary();
  };

  const and = (): FilterNode => {
    const terms = [unary()];
    while (isWord("and")) {
      i++;
      terms.push(unary());
    }
    return balanced("and", terms);
  };

  function or(): FilterNode {
    const terms = [and()];
    while (isWord("or")) {
      i++;
      terms.push(and());
    }
    return balanced("or", terms);
  }

  if (tokens.length === 0) throw queryError("The $filter expression is empty.");
  const node = or();
  if (i < tokens.length) syntaxError(tokens[i]!.pos, text);
  return node;
}
