import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { comparison, type Operand } from "./filter-comparison.ts";
import { type Token, tokenize } from "./filter-lexer.ts";
import { columnRef, resolveODataColumn } from "./query-columns.ts";
import { notSupportedOffline, parserError, syntaxError, unknownProperty } from "./query-errors.ts";
import type { CompareOperator, FilterNode, StringFunction } from "./query-plan.ts";

/**
 * Recursive-descent parser for OData `$filter`, with OData's precedence
 * (primary > not > eq/ne/gt/ge/lt/le > and > or). and/or chains are parsed in loops, so only
 * parentheses and `not` recurse, and that depth is capped.
 */

export const MAX_FILTER_DEPTH = 64;
export const MAX_FILTER_PREDICATES = 2000;

const COMPARE: ReadonlyMap<string, CompareOperator> = new Map([
  ["eq", "eq"],
  ["ne", "ne"],
  ["gt", "gt"],
  ["ge", "ge"],
  ["lt", "lt"],
  ["le", "le"],
]);
const FUNCTIONS: ReadonlySet<string> = new Set(["contains", "startswith", "endswith"]);

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
    return { t: "bool", node: comparison(left, op, right, this.#text), pos: left.pos };
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

  #toBool(o: Operand): FilterNode {
    if (o.t === "bool") return o.node;
    if (o.t === "column" && o.col.type === "boolean") {
      this.#countPredicate(o.pos);
      return { kind: "compare", op: "eq", column: o.col, value: { type: "boolean", value: true } };
    }
    throw syntaxError("a Boolean expression is expected", o.pos, this.#text);
  }
}
