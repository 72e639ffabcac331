import type { MetadataDocument } from "./types.ts";

/**
 * A subset of a metadata document: only `tables`, and only the navigation properties whose target
 * is among them (a bundle cannot validate a bind to a table it does not know).
 */
export function selectTables(document: MetadataDocument, tables: readonly string[]): MetadataDocument {
  const wanted = new Set(tables);
  const missing = tables.filter((t) => !document.entities.some((e) => e.logicalName === t));
  if (missing.length > 0) throw new Error(`selectTables: not in the document: ${missing.join(", ")}`);
  return {
    entities: document.entities
      .filter((e) => wanted.has(e.logicalName))
      .map((e) => ({
        ...e,
        singleValuedNavigations: e.singleValuedNavigations.filter((n) => wanted.has(n.targetEntity)),
        collectionNavigations: e.collectionNavigations.filter((n) => wanted.has(n.targetEntity)),
      })),
  };
}
