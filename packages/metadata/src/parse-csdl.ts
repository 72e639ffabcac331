import { XMLParser } from "fast-xml-parser";
import { KNOWN_PRIMARY_NAMES } from "./known-primary-names.ts";
import { lookupAttributeOf, lookupValueProperty } from "./lookup-value-property.ts";
import { Metadata } from "./metadata.ts";
import type {
  AttributeDefinition,
  CollectionNavigationDefinition,
  EdmType,
  EntityDefinition,
  MetadataDocument,
  SingleValuedNavigationDefinition,
} from "./types.ts";

export interface ParsedCsdl {
  readonly document: MetadataDocument;
  /** Every EntityType in the document (abstract and non-Dataverse ones included). */
  readonly entityTypeNames: readonly string[];
  /** Every EntitySet in the entity container. */
  readonly entitySetNames: readonly string[];
}

export class CsdlError extends Error {
  override readonly name = "CsdlError";
}

interface XmlNode {
  [key: string]: unknown;
}

// Elements that may repeat: always arrays, so one code path handles one or many.
const ARRAY_ELEMENTS = new Set([
  "Schema",
  "EntityType",
  "Property",
  "NavigationProperty",
  "PropertyRef",
  "ReferentialConstraint",
  "EntitySet",
  "EntityContainer",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: true,
  // Descriptions and other annotations are not needed; skipping them halves the work.
  stopNodes: ["*.Annotation"],
  // isArray is also asked about attributes: EntitySet has an attribute named EntityType.
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ARRAY_ELEMENTS.has(name),
  processEntities: false,
});

interface RawType {
  name: string;
  baseType: string | undefined;
  key: string | undefined;
  properties: AttributeDefinition[];
  navigations: { name: string; type: string; constraint: string | undefined }[];
}

function asNodes(value: unknown): XmlNode[] {
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function str(node: XmlNode, attr: string): string | undefined {
  const v = node[attr];
  return typeof v === "string" ? v : undefined;
}

/** `mscrm.contact` / `Microsoft.Dynamics.CRM.contact` → `contact`. */
function localName(qualified: string): string {
  const i = qualified.lastIndexOf(".");
  return i < 0 ? qualified : qualified.slice(i + 1);
}

/**
 * Parse a CSDL `$metadata` document into entity definitions. Inherited attributes (task from
 * activitypointer) are flattened; types without an entity set or a key are left out of the
 * document but counted in `entityTypeNames`.
 */
export function parseCsdl(xml: string): ParsedCsdl {
  if (typeof xml !== "string" || xml.length === 0) throw new CsdlError("CSDL document is empty");
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  let root: XmlNode;
  try {
    root = parser.parse(text, true) as XmlNode;
  } catch (e) {
    throw new CsdlError(`CSDL document is not well-formed XML: ${(e as Error).message}`);
  }
  const edmx = root.Edmx as XmlNode | undefined;
  const services = edmx?.DataServices as XmlNode | undefined;
  if (!services) throw new CsdlError("Not a CSDL document: no edmx:Edmx/edmx:DataServices element");

  const types = new Map<string, RawType>();
  const sets = new Map<string, string>(); // entity type local name → entity set name
  const entitySetNames: string[] = [];
  const entityTypeNames: string[] = [];

  for (const schema of asNodes(services.Schema)) {
    for (const t of asNodes(schema.EntityType)) {
      const name = str(t, "Name");
      if (!name) continue;
      entityTypeNames.push(name);
      const keyNode = t.Key as XmlNode | undefined;
      const keyRef = keyNode ? asNodes(keyNode.PropertyRef)[0] : undefined;
      const properties: AttributeDefinition[] = [];
      for (const p of asNodes(t.Property)) {
        const pName = str(p, "Name");
        const pType = str(p, "Type");
        if (pName && pType?.startsWith("Edm.")) properties.push({ name: pName, type: pType as EdmType });
      }
      const navigations = asNodes(t.NavigationProperty).flatMap((n) => {
        const nName = str(n, "Name");
        const nType = str(n, "Type");
        if (!nName || !nType) return [];
        const rc = asNodes(n.ReferentialConstraint)[0];
        return [{ name: nName, type: nType, constraint: rc ? str(rc, "Property") : undefined }];
      });
      types.set(name, {
        name,
        baseType: str(t, "BaseType") ? localName(str(t, "BaseType")!) : undefined,
        key: keyRef ? str(keyRef, "Name") : undefined,
        properties,
        navigations,
      });
    }
    for (const container of asNodes(schema.EntityContainer)) {
      for (const s of asNodes(container.EntitySet)) {
        const setName = str(s, "Name");
        const typeName = str(s, "EntityType");
        if (!setName || !typeName) continue;
        entitySetNames.push(setName);
        sets.set(localName(typeName), setName);
      }
    }
  }

  // The chain of a type and its bases, most-derived first (cycle-safe).
  const chain = (name: string): RawType[] => {
    const out: RawType[] = [];
    const seen = new Set<string>();
    for (
      let t = types.get(name);
      t && !seen.has(t.name);
      t = t.baseType ? types.get(t.baseType) : undefined
    ) {
      seen.add(t.name);
      out.push(t);
    }
    return out;
  };

  const entities: EntityDefinition[] = [];
  for (const [name, setName] of sets) {
    const lineage = chain(name);
    const key = primaryIdOf(lineage);
    if (lineage.length === 0 || !key) continue;
    const attributes = new Map<string, AttributeDefinition>();
    for (const t of [...lineage].reverse()) for (const p of t.properties) attributes.set(p.name, p);
    const single: SingleValuedNavigationDefinition[] = [];
    const collection: CollectionNavigationDefinition[] = [];
    const navNames = new Set<string>();
    // Navigation properties are NOT inherited: every Dataverse table declares its own full set
    // (task has `regardingobjectid_contact_task`; activitypointer's `regardingobjectid_contact`
    // would be rejected by the server on a task).
    for (const t of lineage.slice(0, 1)) {
      for (const n of t.navigations) {
        if (navNames.has(n.name)) continue;
        navNames.add(n.name);
        const coll = /^Collection\((.+)\)$/.exec(n.type);
        if (coll) {
          collection.push({ name: n.name, targetEntity: localName(coll[1]!) });
          continue;
        }
        const lookupAttribute =
          (n.constraint && lookupAttributeOf(n.constraint)) || inferLookupAttribute(n.name, attributes);
        if (lookupAttribute) {
          single.push({ name: n.name, targetEntity: localName(n.type), lookupAttribute });
        }
      }
    }
    const primaryName = KNOWN_PRIMARY_NAMES.get(name);
    entities.push({
      logicalName: name,
      entitySetName: setName,
      primaryIdAttribute: key,
      ...(primaryName && attributes.has(primaryName) ? { primaryNameAttribute: primaryName } : {}),
      attributes: [...attributes.values()],
      singleValuedNavigations: single,
      collectionNavigations: collection,
    });
  }
  return { document: { entities }, entityTypeNames, entitySetNames };
}

/**
 * The table's primary id column. Usually the CSDL key, but a key inherited from an abstract base
 * type names the base's polymorphic id: systemuser and team carry `principal`'s `ownerid` as their
 * key, while Dataverse's PrimaryIdAttribute (what `systemusers(<id>)` and `retrieveRecord` take) is
 * their own `systemuserid` / `teamid`. So a Guid column `<table>id` declared by the table itself wins
 * over a key property declared on a base type. Activities keep `activityid`: task declares no
 * `taskid`, and `activityid` is what Dataverse uses for them.
 */
function primaryIdOf(lineage: readonly RawType[]): string | undefined {
  const key = lineage.find((t) => t.key)?.key;
  const self = lineage[0];
  if (!key || !self) return key;
  const keyDeclaredBySelf = self.properties.some((p) => p.name === key);
  const ownId = self.properties.find((p) => p.name === `${self.name}id` && p.type === "Edm.Guid");
  return !keyDeclaredBySelf && ownId ? ownId.name : key;
}

/**
 * Polymorphic navigation properties (`regardingobjectid_account_task`) carry no referential
 * constraint in CSDL. Their lookup column is the longest `_`-separated prefix of the name that
 * has a `_<prefix>_value` property: `regardingobjectid_account_task` → `regardingobjectid`.
 */
function inferLookupAttribute(
  navName: string,
  attributes: Map<string, AttributeDefinition>,
): string | undefined {
  const parts = navName.split("_");
  for (let i = parts.length; i > 0; i--) {
    const candidate = parts.slice(0, i).join("_");
    if (attributes.has(lookupValueProperty(candidate))) return candidate;
  }
  return undefined;
}

/** Parse CSDL straight into a queryable {@link Metadata}. */
export function metadataFromCsdl(xml: string): Metadata {
  return new Metadata(parseCsdl(xml).document);
}
