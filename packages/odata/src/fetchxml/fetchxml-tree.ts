import { XMLParser, XMLValidator } from "fast-xml-parser";
import { xrmError } from "../errors/error-catalogue.ts";
import { clip } from "../query/query-errors.ts";

/**
 * FetchXML text → a small element tree (tag, attributes in a Map, children, text), via
 * fast-xml-parser. Malformed XML, DOCTYPEs (entity expansion) and oversized input are refused
 * with InvalidXml 0x80040201, the code the server gives for unreadable FetchXML.
 */

export interface XmlElement {
  readonly tag: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

/** FetchXML longer than this is refused (the server's URL limit is 32 KB). */
export const MAX_FETCHXML_LENGTH = 32_768;
const MAX_DEPTH = 40;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MAX_DEPTH,
});

function invalidXml(detail: string): never {
  throw xrmError("InvalidXml", `Invalid XML: ${detail}`);
}

type Ordered = Record<string, unknown>;

function convert(node: Ordered, depth: number): XmlElement | string | undefined {
  if (depth > MAX_DEPTH) invalidXml(`elements nested deeper than ${MAX_DEPTH}`);
  let tag: string | undefined;
  let body: unknown;
  for (const [k, v] of Object.entries(node)) {
    if (k === ":@") continue;
    tag = k;
    body = v;
  }
  if (tag === undefined) return undefined;
  if (tag === "#text") return String(body ?? "");
  if (tag.startsWith("#") || tag.startsWith("?")) return undefined; // comments, processing instructions
  const attrs = new Map<string, string>();
  const rawAttrs = node[":@"];
  if (rawAttrs && typeof rawAttrs === "object") {
    for (const [k, v] of Object.entries(rawAttrs as Record<string, unknown>)) attrs.set(k, String(v));
  }
  const children: XmlElement[] = [];
  let text = "";
  for (const child of Array.isArray(body) ? (body as Ordered[]) : []) {
    const c = convert(child, depth + 1);
    if (typeof c === "string") text += c;
    else if (c) children.push(c);
  }
  return { tag, attrs, children, text };
}

/** The document element of `xml`. */
export function parseXmlTree(xml: string): XmlElement {
  if (xml.length > MAX_FETCHXML_LENGTH) {
    invalidXml(`the FetchXML is ${xml.length} characters long; at most ${MAX_FETCHXML_LENGTH} are accepted`);
  }
  if (/<!DOCTYPE/i.test(xml)) invalidXml("DOCTYPE declarations are not allowed");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) invalidXml(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (e) {
    invalidXml(clip(e instanceof Error ? e.message : String(e)));
  }
  const roots = (Array.isArray(doc) ? (doc as Ordered[]) : [])
    .map((n) => convert(n, 0))
    .filter((n): n is XmlElement => typeof n === "object");
  if (roots.length !== 1) invalidXml("expected exactly one root element");
  return roots[0]!;
}
