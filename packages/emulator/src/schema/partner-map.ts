/**
 * Partners of collection-valued navigation properties: `account.opportunity_customer_accounts` is
 * the other side of `opportunity.customerid_account`. CSDL says so in `Partner="…"`; the metadata
 * package does not keep it, so the emulator reads it itself. A deep insert or an associate through
 * a 1:N collection sets the partner lookup on the related row; a collection whose partner is its own
 * name is N:N (stored as association rows).
 */
export type PartnerMap = ReadonlyMap<string, ReadonlyMap<string, string>>;

const ENTITY_TYPE = /<EntityType\b([^>]*?)(\/?)>/g;
const NAVIGATION = /<NavigationProperty\b([^>]*?)\/?>/g;

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attrs);
  return m?.[1];
}

function localName(qualified: string): string {
  const i = qualified.lastIndexOf(".");
  return i < 0 ? qualified : qualified.slice(i + 1);
}

/**
 * `entity → (collection navigation → partner navigation)` from a CSDL document, with inherited
 * collection navigations (task inherits activitypointer's) flattened onto each derived type.
 */
export function partnersFromCsdl(xml: string): PartnerMap {
  const own = new Map<string, Map<string, string>>();
  const baseOf = new Map<string, string>();
  ENTITY_TYPE.lastIndex = 0;
  for (let m = ENTITY_TYPE.exec(xml); m; m = ENTITY_TYPE.exec(xml)) {
    const attrs = m[1] ?? "";
    const name = attr(attrs, "Name");
    if (!name) continue;
    const base = attr(attrs, "BaseType");
    if (base) baseOf.set(name, localName(base));
    const navs = new Map<string, string>();
    own.set(name, navs);
    if (m[2] === "/") continue; // <EntityType …/> has no body
    const end = xml.indexOf("</EntityType>", ENTITY_TYPE.lastIndex);
    const body = xml.slice(ENTITY_TYPE.lastIndex, end < 0 ? xml.length : end);
    NAVIGATION.lastIndex = 0;
    for (let n = NAVIGATION.exec(body); n; n = NAVIGATION.exec(body)) {
      const nAttrs = n[1] ?? "";
      const navName = attr(nAttrs, "Name");
      const type = attr(nAttrs, "Type");
      const partner = attr(nAttrs, "Partner");
      if (navName && partner && type?.startsWith("Collection(")) navs.set(navName, partner);
    }
  }
  const out = new Map<string, Map<string, string>>();
  for (const name of own.keys()) {
    const merged = new Map<string, string>();
    const seen = new Set<string>();
    // Most-derived last so it wins a name clash.
    const lineage: string[] = [];
    for (let t: string | undefined = name; t && !seen.has(t); t = baseOf.get(t)) {
      seen.add(t);
      lineage.unshift(t);
    }
    for (const t of lineage) for (const [k, v] of own.get(t) ?? []) merged.set(k, v);
    out.set(name, merged);
  }
  return out;
}

/** Plain-object form (for the generated bundled map) → PartnerMap. */
export function partnerMapFromJson(json: Record<string, Record<string, string>>): PartnerMap {
  return new Map(Object.entries(json).map(([entity, navs]) => [entity, new Map(Object.entries(navs))]));
}
