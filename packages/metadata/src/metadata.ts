import { EntityMetadata } from "./entity-metadata.ts";
import type { EntityDefinition, MetadataDocument } from "./types.ts";

/** A set of tables, indexed by logical name and by entity set name (both case-sensitive). */
export class Metadata {
  readonly #byLogicalName = new Map<string, EntityMetadata>();
  readonly #bySetName = new Map<string, EntityMetadata>();

  constructor(document: MetadataDocument) {
    for (const def of document.entities) {
      const entity = new EntityMetadata(def);
      this.#byLogicalName.set(def.logicalName, entity);
      this.#bySetName.set(def.entitySetName, entity);
    }
  }

  entity(logicalName: string): EntityMetadata | undefined {
    return this.#byLogicalName.get(logicalName);
  }
  entityBySetName(entitySetName: string): EntityMetadata | undefined {
    return this.#bySetName.get(entitySetName);
  }
  entities(): IterableIterator<EntityMetadata> {
    return this.#byLogicalName.values();
  }
  get size(): number {
    return this.#byLogicalName.size;
  }

  /**
   * A new Metadata with `extension` added: new tables are added; for an existing table, attributes
   * and navigation properties are merged (the extension's win on a name clash), so callers can add
   * custom columns and lookups such as `new_relatedopportunities_task` to a bundled table.
   */
  extend(extension: { entities: readonly Partial<EntityDefinition>[] }): Metadata {
    const merged = new Map<string, EntityDefinition>(
      [...this.#byLogicalName].map(([name, e]) => [name, e.definition]),
    );
    for (const ext of extension.entities) {
      if (!ext.logicalName) throw new TypeError("extend: every entity needs a logicalName");
      const base = merged.get(ext.logicalName);
      if (!base) {
        if (!ext.entitySetName || !ext.primaryIdAttribute) {
          throw new TypeError(
            `extend: new table ${ext.logicalName} needs entitySetName and primaryIdAttribute`,
          );
        }
        merged.set(ext.logicalName, {
          logicalName: ext.logicalName,
          entitySetName: ext.entitySetName,
          primaryIdAttribute: ext.primaryIdAttribute,
          ...(ext.primaryNameAttribute ? { primaryNameAttribute: ext.primaryNameAttribute } : {}),
          attributes: ext.attributes ?? [],
          singleValuedNavigations: ext.singleValuedNavigations ?? [],
          collectionNavigations: ext.collectionNavigations ?? [],
        });
        continue;
      }
      const mergeByName = <T extends { name: string }>(a: readonly T[], b: readonly T[] | undefined): T[] => {
        const m = new Map(a.map((x) => [x.name, x]));
        for (const x of b ?? []) m.set(x.name, x);
        return [...m.values()];
      };
      const primaryNameAttribute = ext.primaryNameAttribute ?? base.primaryNameAttribute;
      merged.set(ext.logicalName, {
        logicalName: base.logicalName,
        entitySetName: ext.entitySetName ?? base.entitySetName,
        primaryIdAttribute: ext.primaryIdAttribute ?? base.primaryIdAttribute,
        ...(primaryNameAttribute ? { primaryNameAttribute } : {}),
        attributes: mergeByName(base.attributes, ext.attributes),
        singleValuedNavigations: mergeByName(base.singleValuedNavigations, ext.singleValuedNavigations),
        collectionNavigations: mergeByName(base.collectionNavigations, ext.collectionNavigations),
      });
    }
    return new Metadata({ entities: [...merged.values()] });
  }

  toJSON(): MetadataDocument {
    return { entities: [...this.#byLogicalName.values()].map((e) => e.definition) };
  }
}
