import { type EntityMetadata, Metadata, parseCsdl } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import bundledPartners from "./bundled-partners.generated.json" with { type: "json" };
import { generateCsdl } from "./generate-csdl.ts";
import { type PartnerMap, partnerMapFromJson, partnersFromCsdl } from "./partner-map.ts";

/** What the emulator serves: the tables, the CSDL it answers `$metadata` with, and nav partners. */
export interface Schema {
  readonly metadata: Metadata;
  readonly csdl: string;
  readonly partners: PartnerMap;
}

/** How a collection-valued navigation property links rows. */
export type CollectionLink =
  | { readonly kind: "one-to-many"; readonly target: EntityMetadata; readonly lookupAttribute: string }
  | { readonly kind: "many-to-many"; readonly target: EntityMetadata; readonly relationship: string };

/**
 * Build the schema from CSDL text, a Metadata object, or (default) the bundled metadata.
 * A Metadata object gets a generated CSDL document; partners come from the bundled map.
 */
export function loadSchema(source?: string | Metadata): Schema {
  if (typeof source === "string") {
    const parsed = parseCsdl(source);
    return { metadata: new Metadata(parsed.document), csdl: source, partners: partnersFromCsdl(source) };
  }
  const metadata = source ?? bundledMetadata();
  const partners = partnerMapFromJson(bundledPartners as Record<string, Record<string, string>>);
  return { metadata, csdl: generateCsdl(metadata, partners), partners };
}

/** The link behind collection navigation `navName` of `entity`, or undefined when unknown. */
export function collectionLink(
  schema: Schema,
  entity: EntityMetadata,
  navName: string,
): CollectionLink | undefined {
  const nav = entity.collectionNavigation(navName);
  if (!nav) return undefined;
  const target = schema.metadata.entity(nav.targetEntity);
  if (!target) return undefined;
  const partner = schema.partners.get(entity.logicalName)?.get(navName);
  if (partner === navName) return { kind: "many-to-many", target, relationship: navName };
  const single = partner ? target.singleValuedNavigation(partner) : undefined;
  if (single) return { kind: "one-to-many", target, lookupAttribute: single.lookupAttribute };
  // No partner known: the only lookup on the target that points back here, if there is exactly one.
  const back = [...target.singleValuedNavigations()].filter((n) => n.targetEntity === entity.logicalName);
  const attrs = new Set(back.map((n) => n.lookupAttribute));
  if (attrs.size === 1) return { kind: "one-to-many", target, lookupAttribute: [...attrs][0]! };
  return undefined;
}
