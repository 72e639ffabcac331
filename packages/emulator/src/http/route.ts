import { UNBOUND_FUNCTIONS } from "../functions/unbound-functions.ts";
import { normalizeGuid } from "../odata/guid.ts";
import { queryError } from "./wire.ts";

/** A key in parentheses: a primary-key GUID or alternate-key values (`name='x',code=1`). */
export type EntityKey =
  | { readonly kind: "id"; readonly id: string }
  | {
      readonly kind: "alternate";
      readonly values: ReadonlyArray<readonly [string, string | number | boolean]>;
    };

export type Route =
  | { readonly kind: "service-document" }
  | { readonly kind: "metadata" }
  | { readonly kind: "batch" }
  | { readonly kind: "function"; readonly name: string; readonly args: string }
  | { readonly kind: "entity-definitions"; readonly key?: EntityKey; readonly rest: readonly string[] }
  | { readonly kind: "collection"; readonly set: string }
  | { readonly kind: "count"; readonly set: string }
  | { readonly kind: "entity"; readonly set: string; readonly key: EntityKey }
  | { readonly kind: "property"; readonly set: string; readonly key: EntityKey; readonly property: string }
  | { readonly kind: "related-count"; readonly set: string; readonly key: EntityKey; readonly nav: string }
  | {
      readonly kind: "ref";
      readonly set: string;
      readonly key: EntityKey;
      readonly nav: string;
      readonly refKey?: EntityKey;
    };

/** Split a path on `/` outside quotes and parentheses. */
function segments(path: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  let quoted = false;
  for (const ch of path) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === "(") depth++;
    else if (!quoted && ch === ")") depth--;
    if (ch === "/" && depth === 0 && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** `name(key)` → { name, keyText }; `name` → { name }. */
function splitKey(segment: string): { name: string; keyText?: string } {
  const open = segment.indexOf("(");
  if (open < 0) return { name: segment };
  if (!segment.endsWith(")")) throw queryError(`Bad Request - Error in query syntax.`);
  return { name: segment.slice(0, open), keyText: segment.slice(open + 1, -1) };
}

function parseLiteral(text: string): string | number | boolean {
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2)
    return text.slice(1, -1).replace(/''/g, "'");
  if (text === "true") return true;
  if (text === "false") return false;
  const guid = normalizeGuid(text);
  if (guid) return guid;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw queryError(`Bad Request - Error in query syntax.`);
}

/** Parse the text between the parentheses of `accounts(…)`. */
export function parseKey(text: string): EntityKey {
  const id = normalizeGuid(text);
  if (id) return { kind: "id", id };
  const values: [string, string | number | boolean][] = [];
  let current = "";
  let quoted = false;
  const parts: string[] = [];
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    if (ch === "," && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw queryError(`Bad Request - Error in query syntax.`);
    values.push([part.slice(0, eq).trim(), parseLiteral(part.slice(eq + 1).trim())]);
  }
  return { kind: "alternate", values };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw queryError(`Bad Request - Error in query syntax.`);
  }
}

/** Parse a path relative to the service root (no leading slash; may still be percent-encoded). */
export function parseRoute(rawPath: string): Route {
  const path = rawPath.replace(/^\/+/, "").replace(/\/+$/, "");
  if (path === "") return { kind: "service-document" };
  const segs = segments(path).map(decode);
  const first = segs[0]!;
  if (first === "$metadata" && segs.length === 1) return { kind: "metadata" };
  if (first === "$batch" && segs.length === 1) return { kind: "batch" };
  const head = splitKey(first);
  if (UNBOUND_FUNCTIONS.has(head.name) && segs.length === 1) {
    return { kind: "function", name: head.name, args: head.keyText ?? "" };
  }
  if (head.name === "EntityDefinitions") {
    return {
      kind: "entity-definitions",
      ...(head.keyText !== undefined ? { key: parseKey(head.keyText) } : {}),
      rest: segs.slice(1),
    };
  }
  if (head.keyText === undefined) {
    if (segs.length === 1) return { kind: "collection", set: head.name };
    if (segs.length === 2 && segs[1] === "$count") return { kind: "count", set: head.name };
    throw queryError(`Bad Request - Error in query syntax.`);
  }
  const key = parseKey(head.keyText);
  if (segs.length === 1) return { kind: "entity", set: head.name, key };
  const second = splitKey(segs[1]!);
  if (segs.length === 2 && second.keyText === undefined) {
    return { kind: "property", set: head.name, key, property: second.name };
  }
  if (segs.length === 3 && segs[2] === "$count" && second.keyText === undefined) {
    return { kind: "related-count", set: head.name, key, nav: second.name };
  }
  if (segs.length === 3 && segs[2] === "$value" && second.keyText === undefined) {
    return { kind: "property", set: head.name, key, property: second.name };
  }
  if (segs.length === 3 && segs[2] === "$ref") {
    return {
      kind: "ref",
      set: head.name,
      key,
      nav: second.name,
      ...(second.keyText !== undefined ? { refKey: parseKey(second.keyText) } : {}),
    };
  }
  throw queryError(`Bad Request - Error in query syntax.`);
}
