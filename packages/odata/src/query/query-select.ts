import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { relatedPathOf, resolveODataColumn, targetPrimaryKeys } from "./query-columns.ts";
import { notSupportedOffline, parserError, syntaxError, unknownProperty } from "./query-errors.ts";
import type { ExpandPlan, OrderKey } from "./query-plan.ts";

/** `$select`, `$orderby` and `$expand` of OData options, checked against metadata. */

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const NESTED_OPTIONS_REJECTED_OFFLINE: ReadonlySet<string> = new Set([
  "$filter",
  "$orderby",
  "$top",
  "$skip",
  "$expand",
  "$count",
  "$levels",
  "$search",
  "$apply",
  "$compute",
]);

function isBlank(c: string | undefined): boolean {
  // `+` is a form-encoded space.
  return c === " " || c === "+" || c === "\t" || c === "\r" || c === "\n";
}

/** Trim blanks (a loop, not a regex: `/\s+$/` is quadratic on long runs of spaces). */
function trimList(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s[a])) a++;
  while (b > a && isBlank(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Split on `sep` at parenthesis depth 0 and outside '…' literals. */
export function splitTopLevel(text: string, sep: string, option: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") inString = !inString;
    if (inString) continue;
    if (c === "(") depth++;
    else if (c === ")") {
      if (--depth < 0) throw syntaxError("unbalanced ')'", i, text);
    } else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (inString) throw syntaxError(`unterminated string literal in ${option}`, text.length, text);
  if (depth !== 0) throw syntaxError(`')' expected in ${option}`, text.length, text);
  parts.push(text.slice(start));
  return parts;
}

/** `$select=name,primarycontactid` → row properties (`name`, `_primarycontactid_value`), or "all". */
export function parseSelect(entity: EntityMetadata, text: string): string[] | "all" {
  const out: string[] = [];
  for (const raw of splitTopLevel(text, ",", "$select")) {
    const name = trimList(raw);
    if (name === "*") return "all";
    if (name === "") throw syntaxError("property name expected in $select", 0, text);
    if (!NAME.test(name)) {
      if (name.includes("/")) throw notSupportedOffline(`Selecting a related table's column ('${name}')`);
      throw syntaxError(`invalid property name '${name}' in $select`, text.indexOf(name), text);
    }
    const c = resolveODataColumn(entity, name);
    if (!c) throw unknownProperty(entity.logicalName, name);
    if (!out.includes(c.property)) out.push(c.property);
  }
  return out;
}

/** `$orderby=name desc,createdon` → sort keys. */
export function parseOrderBy(entity: EntityMetadata, text: string): OrderKey[] {
  const keys: OrderKey[] = [];
  for (const raw of splitTopLevel(text, ",", "$orderby")) {
    const words = trimList(raw)
      .split(/[\s+]+/)
      .filter((w) => w !== "");
    const [name, dir, extra] = words;
    if (!name) throw syntaxError("property name expected in $orderby", 0, text);
    if (extra !== undefined || (dir !== undefined && dir !== "asc" && dir !== "desc")) {
      throw syntaxError(`'asc' or 'desc' expected after '${name}' in $orderby`, text.indexOf(name), text);
    }
    if (!NAME.test(name)) {
      if (name.includes("/")) throw notSupportedOffline(`Ordering by a related table's column ('${name}')`);
      throw syntaxError(`invalid property name '${name}' in $orderby`, text.indexOf(name), text);
    }
    const c = resolveODataColumn(entity, name);
    if (!c) throw unknownProperty(entity.logicalName, name);
    if (!c.type) throw notSupportedOffline(`Ordering by column '${name}' of type '${c.edm}'`);
    keys.push({ property: c.property, type: c.type, descending: dir === "desc" });
  }
  return keys;
}

/** `$expand=primarycontactid($select=fullname),parentaccountid` → single-valued expands. */
export function parseExpand(metadata: Metadata, entity: EntityMetadata, text: string): ExpandPlan[] {
  const out: ExpandPlan[] = [];
  for (const raw of splitTopLevel(text, ",", "$expand")) {
    const item = trimList(raw);
    const open = item.indexOf("(");
    const name = open < 0 ? item : item.slice(0, open);
    if (!NAME.test(name)) {
      throw syntaxError(`navigation property name expected in $expand, found '${name}'`, 0, text);
    }
    if (open >= 0 && !item.endsWith(")"))
      throw syntaxError(`')' expected after '${name}(' in $expand`, 0, text);
    const inner = open < 0 ? undefined : item.slice(open + 1, -1);
    const nav = entity.singleValuedNavigation(name);
    if (!nav) {
      if (entity.collectionNavigation(name)) {
        throw notSupportedOffline(`Expanding collection-valued navigation property '${name}'`);
      }
      throw unknownProperty(entity.logicalName, name);
    }
    const target = metadata.entity(nav.targetEntity);
    if (!target) throw notSupportedOffline(`Expanding '${name}' to table '${nav.targetEntity}'`);
    const path = relatedPathOf(entity, nav.lookupAttribute, nav.name)!;
    let select: string[] | "all" = "all";
    if (inner !== undefined) {
      for (const opt of splitTopLevel(inner, ";", `$expand ${name}`)) {
        const eq = opt.indexOf("=");
        const optName = trimList(eq < 0 ? opt : opt.slice(0, eq));
        const lower = optName.toLowerCase();
        if (lower === "$select" && eq >= 0) select = parseSelect(target, opt.slice(eq + 1));
        else if (NESTED_OPTIONS_REJECTED_OFFLINE.has(lower)) {
          throw notSupportedOffline(`The nested query option '${optName}' in $expand (only $select is)`);
        } else throw parserError(`The query option '${optName}' is not valid inside $expand.`);
      }
    }
    if (out.some((e) => e.navigation === nav.name)) {
      throw parserError(`The navigation property '${name}' is expanded more than once.`);
    }
    out.push({
      ...path,
      targetPrimaryKeys: targetPrimaryKeys(metadata, path),
      select,
      shape: "nested",
      required: false,
    });
  }
  return out;
}
