import type { EdmType, EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { type Token, tokenize } from "./filter-lexer.ts";
import { columnRef, resolveODataColumn } from "./query-columns.ts";
import { notSupportedOffline, parserError, syntaxError, unknownProperty } from "./query-errors.ts";
import type { ColumnRef, CompareOperator, FilterNode, Literal, StringFunction } from "./query-plan.ts";

/**
 * Recursive-descent parser for OData `$filter`, with OData's precedence
 * (primary > not > eq/ne/gt/ge/lt/le > and > or). and/or chains are parsed in loops, so only
 * parentheses and `not` recurse, and that depth is capped.
 */

export const MAX_FILTER_DEPTH = 64;
export const MAX_FILTER_PREDICATES = 2000;

type Operand =
  | { readonly t: "literal"; readonly lit: Literal; readonly pos: number }
  | {
      readonly t: "column";
      readonly col: ColumnRef;
      readonly edm: EdmType;
      readonly name: string;
      readonly pos: number;
    }
  | { readonly t: "bool"; readonly node: FilterNode; readonly pos: number };

const COMPARE: ReadonlyMap<string, CompareOperator> = new Map([
  ["eq", "eq"],
  ["ne", "ne"],
  ["gt", "gt"],
  ["ge", "ge"],
  ["lt", "lt"],
  ["le", "le"],
]);
const OPERATOR_KIND: Record<CompareOperator, string> = {
  eq: "Equal",
  ne: "NotEqual",
  gt: "GreaterThan",
  ge: "GreaterThanOrEqual",
  lt: "LessThan",
  le: "LessThanOrEqual",
};
const FLIP: Record<CompareOperator, CompareOperator> = {
  eq: "eq",
  ne: "ne",
  gt: "lt",
  ge: "le",
  lt: "gt",
  le: "ge",
};
const FUNCTIONS: ReadonlySet<string> = new Set(["contains", "startswith", "endswith"]);
const LITERAL_EDM: Record<Literal["type"], string> = {
  null: "null",
  string: "Edm.String",
  guid: "Edm.Guid",
  number: "Edm.Decimal",
  boolean: "Edm.Boolean",
  datetime: "Edm.DateTimeOffset",
  date: "Edm.Date",
};

export function parseFilter(metadata: Metadata, entity: EntityMetadata, text: string): FilterNode {
  return new FilterParser(metadata, entity, text).parse();
}

class FilterParser {
  readonly #metadata: Metadata;
  readonly #entity: EntityMetadata;
  readonly #text: string;
  readonly #tokens: Token[];
  #i = 0;
  #depth = 0;
  #predicates = 0;

  constructor(metadata: Metadata, entity: EntityMetadata, text: string) {
    this.#metadata = metadata;
    this.#entity = entity;
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parse(): FilterNode {
    if (this.#peek().kind === "eof") throw syntaxError("expression expected", 0, this.#text);
    const result = this.#toBool(this.#parseOr());
    const rest = this.#peek();
    if (rest.kind !== "eof") throw syntaxError(`unexpected '${rest.text}'`, rest.pos, this.#text);
    return result;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }
  #next(): Token {
    const t = this.#tokens[this.#i]!;
    if (t.kind !== "eof") this.#i++;
    return t;
  }
  #isKeyword(word: string): boolean {
    const t = this.#peek();
    return t.kind === "ident" && t.text === word;
  }
  #expect(kind: Token["kind"], what: string): Token {
    const t = this.#peek();
    if (t.kind !== kind) throw syntaxError(`${what} expected`, t.pos, this.#text);
    return this.#next();
  }
  #enter(pos: number): void {
    if (++this.#depth > MAX_FILTER_DEPTH) {
      throw syntaxError(`nesting deeper than ${MAX_FILTER_DEPTH} levels`, pos, this.#text);
    }
  }
  #countPredicate(pos: number): void {
    if (++this.#predicates > MAX_FILTER_PREDICATES) {
      throw syntaxError(`more than ${MAX_FILTER_PREDICATES} conditions`, pos, this.#text);
    }
  }

  #parseOr(): Operand {
    return this.#parseChain("or", () => this.#parseAnd());
  }
  #parseAnd(): Operand {
    return this.#parseChain("and", () => this.#parseComparison());
  }
  #parseChain(word: "and" | "or", operand: () => Operand): Operand {
    const first = operand();
    if (!this.#isKeyword(word)) return first;
    const children: FilterNode[] = [];
    const add = (o: Operand) => {
      const node = this.#toBool(o);
      // Flatten a and (b and c) into one list: same meaning, shallower tree.
      if (node.kind === word) children.push(...node.children);
      else children.push(node);
    };
    add(first);
    while (this.#isKeyword(word)) {
      this.#next();
      add(operand());
    }
    return { t: "bool", node: { kind: word, children }, pos: first.pos };
  }

  #parseComparison(): Operand {
    const left = this.#parseUnary();
    const t = this.#peek();
    const op = t.kind === "ident" ? COMPARE.get(t.text) : undefined;
    if (!op) return left;
    this.#next();
    const right = this.#parseUnary();
    this.#countPredicate(t.pos);
    return { t: "bool", node: this.#compare(left, op, right, t.pos), pos: left.pos };
  }

  #parseUnary(): Operand {
    if (!this.#isKeyword("not")) return this.#parsePrimary();
    const t = this.#next();
    this.#enter(t.pos);
    const operand = this.#parseUnary();
    this.#depth--;
    if (operand.t === "bool" || (operand.t === "column" && operand.col.type === "boolean")) {
      return { t: "bool", node: { kind: "not", operand: this.#toBool(operand) }, pos: t.pos };
    }
    throw syntaxError(
      "the operand of 'not' must be a Boolean expression (write not (x eq y))",
      operand.pos,
      this.#text,
    );
  }

  #parsePrimary(): Operand {
    const t = this.#peek();
    switch (t.kind) {
      case "(": {
        this.#next();
        this.#enter(t.pos);
        const inner = this.#parseOr();
        this.#depth--;
        this.#expect(")", "')' or an operator");
        return inner;
      }
      case "string":
        this.#next();
        return { t: "literal", lit: { type: "string", value: t.text }, pos: t.pos };
      case "guid":
        this.#next();
        return { t: "literal", lit: { type: "guid", value: t.text }, pos: t.pos };
      case "number": {
        this.#next();
        const value = Number(t.text);
        if (!Number.isFinite(value)) throw syntaxError(`number out of range '${t.text}'`, t.pos, this.#text);
        return { t: "literal", lit: { type: "number", value }, pos: t.pos };
      }
      case "datetime":
      case "date":
        this.#next();
        return { t: "literal", lit: { type: t.kind, value: t.text }, pos: t.pos };
      case "ident":
        return this.#parseIdentifier();
      case "eof":
        throw syntaxError("expression expected", t.pos, this.#text);
      default:
        throw syntaxError(`unexpected '${t.text}'`, t.pos, this.#text);
    }
  }

  #parseIdentifier(): Operand {
    const t = this.#next();
    if (t.text === "true" || t.text === "false") {
      return { t: "literal", lit: { type: "boolean", value: t.text === "true" }, pos: t.pos };
    }
    if (t.text === "null") return { t: "literal", lit: { type: "null", value: null }, pos: t.pos };
    if (this.#peek().kind === "(") return this.#parseFunction(t);
    if (t.text.includes(".")) throw syntaxError(`invalid property name '${t.text}'`, t.pos, this.#text);
    if (this.#peek().kind === "/") return this.#parsePath(t);
    const c = resolveODataColumn(this.#entity, t.text);
    if (!c) throw unknownProperty(this.#entity.logicalName, t.text);
    if (!c.type) throw notSupportedOffline(`Filtering on column '${t.text}' of type '${c.edm}'`);
    return { t: "column", col: columnRef(c, c.type), edm: c.edm, name: t.text, pos: t.pos };
  }

  /** `primarycontactid/contactid` (lookup id) or `primarycontactid/fullname` (related column). */
  #parsePath(first: Token): Operand {
    this.#next(); // "/"
    const second = this.#expect("ident", "property name");
    if (this.#peek().kind === "/" || this.#peek().kind === "(") {
      throw notSupportedOffline(`The filter path '${first.text}/${second.text}/…'`);
    }
    const entity = this.#entity;
    const nav = entity.singleValuedNavigation(first.text);
    if (!nav) {
      if (entity.collectionNavigation(first.text)) {
        throw notSupportedOffline(`Filtering on collection-valued navigation property '${first.text}'`);
      }
      throw unknownProperty(entity.logicalName, first.text);
    }
    const target = this.#metadata.entity(nav.targetEntity);
    if (!target) throw notSupportedOffline(`Filtering through '${first.text}' (table '${nav.targetEntity}')`);
    const lookup = resolveODataColumn(entity, nav.name)!;
    if (second.text === target.primaryIdAttribute) {
      return {
        t: "column",
        col: columnRef(lookup, "guid"),
        edm: "Edm.Guid",
        name: second.text,
        pos: first.pos,
      };
    }
    const attr = target.attribute(second.text);
    if (!attr) throw unknownProperty(target.logicalName, second.text);
    const c = resolveODataColumn(target, second.text)!;
    if (!c.type) throw notSupportedOffline(`Filtering on column '${second.text}' of type '${c.edm}'`);
    const via = lookup.related ?? {
      navigation: nav.name,
      lookupProperty: lookup.property,
      targetEntity: nav.targetEntity,
      targets: [nav.targetEntity],
    };
    return { t: "column", col: columnRef(c, c.type, via), edm: c.edm, name: second.text, pos: first.pos };
  }

  #parseFunction(name: Token): Operand {
    if (!FUNCTIONS.has(name.text)) {
      if (name.text.startsWith("Microsoft.Dynamics.CRM.")) {
        throw notSupportedOffline(`The query function '${name.text}' (use FetchXML instead)`);
      }
      throw parserError(
        `An unknown function with name '${name.text}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    this.#next(); // "("
    this.#enter(name.pos);
    const first = this.#parseOr();
    this.#expect(",", "','");
    const second = this.#parseOr();
    this.#expect(")", "')'");
    this.#depth--;
    this.#countPredicate(name.pos);
    if (
      first.t !== "column" ||
      first.col.type !== "string" ||
      second.t !== "literal" ||
      second.lit.type !== "string"
    ) {
      throw parserError(
        `No function signature for the function with name '${name.text}' matches the specified arguments. The function signatures considered are: ${name.text}(Edm.String column, Edm.String literal).`,
      );
    }
    const node: FilterNode = {
      kind: "function",
      fn: name.text as StringFunction,
      column: first.col,
      value: second.lit.value,
    };
    return { t: "bool", node, pos: name.pos };
  }

  #compare(left: Operand, op: CompareOperator, right: Operand, pos: number): FilterNode {
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
      throw parserError(
        `A binary operator with incompatible types was detected. Found a Boolean expression and '${this.#edmOf(other)}' for operator kind '${OPERATOR_KIND[op]}'.`,
      );
    }
    if (left.t === "literal" && right.t === "literal") {
      throw syntaxError("a comparison needs a column on one side", left.pos, this.#text);
    }
    if (left.t === "literal" && right.t === "column") return this.#compare(right, FLIP[op], left, pos);
    if (left.t !== "column") throw syntaxError("a column is expected", left.pos, this.#text);
    if (right.t === "column") {
      const same =
        left.col.type === right.col.type ||
        (left.col.type.startsWith("date") && right.col.type.startsWith("date"));
      if (!same) this.#incompatible(left.edm, right.edm, op);
      return { kind: "compare", op, column: left.col, value: { type: "column", column: right.col } };
    }
    const lit = (right as Extract<Operand, { t: "literal" }>).lit;
    const type = left.col.type;
    const fits =
      lit.type === "null" ||
      lit.type === type ||
      (type.startsWith("date") && (lit.type === "date" || lit.type === "datetime"));
    if (!fits) this.#incompatible(left.edm, LITERAL_EDM[lit.type], op);
    return { kind: "compare", op, column: left.col, value: lit };
  }

  #edmOf(o: Operand): string {
    return o.t === "column" ? o.edm : o.t === "literal" ? LITERAL_EDM[o.lit.type] : "Edm.Boolean";
  }

  #incompatible(a: string, b: string, op: CompareOperator): never {
    throw parserError(
      `A binary operator with incompatible types was detected. Found operand types '${a}' and '${b}' for operator kind '${OPERATOR_KIND[op]}'.`,
    );
  }

  #toBool(o: Operand): FilterNode {
    if (o.t === "bool") return o.node;
    if (o.t === "column" && o.col.type === "boolean") {
      this.#countPredicate(o.pos);
      return { kind: "compare", op: "eq", column: o.col, value: { type: "boolean", value: true } };
    }
    throw syntaxError("a Boolean expression is expected", o.pos, this.#text);
  }
}
