import { lookupValueProperty } from "./lookup-value-property.ts";
import type {
  AttributeDefinition,
  CollectionNavigationDefinition,
  EntityDefinition,
  LookupDefinition,
  SingleValuedNavigationDefinition,
} from "./types.ts";

/**
 * One table's metadata with case-sensitive indexes. Names are looked up in `Map`s, never on plain
 * objects, so hostile names such as `__proto__` or `constructor` simply are not found.
 */
export class EntityMetadata {
  readonly definition: EntityDefinition;
  readonly #attributes: Map<string, AttributeDefinition>;
  readonly #single: Map<string, SingleValuedNavigationDefinition>;
  readonly #collection: Map<string, CollectionNavigationDefinition>;
  readonly #lookups: Map<string, LookupDefinition>;

  constructor(definition: EntityDefinition) {
    this.definition = definition;
    this.#attributes = new Map(definition.attributes.map((a) => [a.name, a]));
    this.#single = new Map(definition.singleValuedNavigations.map((n) => [n.name, n]));
    this.#collection = new Map(definition.collectionNavigations.map((n) => [n.name, n]));
    const lookups = new Map<string, { targets: string[]; navigations: SingleValuedNavigationDefinition[] }>();
    for (const nav of definition.singleValuedNavigations) {
      let entry = lookups.get(nav.lookupAttribute);
      if (!entry) {
        entry = { targets: [], navigations: [] };
        lookups.set(nav.lookupAttribute, entry);
      }
      if (!entry.targets.includes(nav.targetEntity)) entry.targets.push(nav.targetEntity);
      entry.navigations.push(nav);
    }
    this.#lookups = new Map(
      [...lookups].map(([attribute, e]) => [
        attribute,
        {
          attribute,
          valueProperty: lookupValueProperty(attribute),
          targets: e.targets,
          navigations: e.navigations,
        },
      ]),
    );
  }

  get logicalName(): string {
    return this.definition.logicalName;
  }
  get entitySetName(): string {
    return this.definition.entitySetName;
  }
  get primaryIdAttribute(): string {
    return this.definition.primaryIdAttribute;
  }
  get primaryNameAttribute(): string | undefined {
    return this.definition.primaryNameAttribute;
  }

  attribute(name: string): AttributeDefinition | undefined {
    return this.#attributes.get(name);
  }
  attributes(): IterableIterator<AttributeDefinition> {
    return this.#attributes.values();
  }
  singleValuedNavigation(name: string): SingleValuedNavigationDefinition | undefined {
    return this.#single.get(name);
  }
  singleValuedNavigations(): IterableIterator<SingleValuedNavigationDefinition> {
    return this.#single.values();
  }
  collectionNavigation(name: string): CollectionNavigationDefinition | undefined {
    return this.#collection.get(name);
  }
  collectionNavigations(): IterableIterator<CollectionNavigationDefinition> {
    return this.#collection.values();
  }
  /** The lookup column `attribute` (`primarycontactid`, `regardingobjectid`), with all its targets. */
  lookup(attribute: string): LookupDefinition | undefined {
    return this.#lookups.get(attribute);
  }
  lookups(): IterableIterator<LookupDefinition> {
    return this.#lookups.values();
  }
  /** The navigation property of lookup `attribute` that points at `targetEntity`, if any. */
  navigationFor(attribute: string, targetEntity: string): SingleValuedNavigationDefinition | undefined {
    return this.#lookups.get(attribute)?.navigations.find((n) => n.targetEntity === targetEntity);
  }
}
