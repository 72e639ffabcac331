import { bundledMetadata } from "../bundled-metadata.ts";
import type { Metadata } from "../metadata.ts";
import type { EntityDefinition } from "../types.ts";

/**
 * The custom lookup of updateRecord.md's "Update related opportunity column on task" example
 * (`new_relatedopportunities_task`, task → opportunity). No real org's bundled metadata has it, so
 * tests of that example add it with `extend`.
 */
export const SEED_CUSTOM_LOOKUP: { readonly entities: readonly Partial<EntityDefinition>[] } = {
  entities: [
    {
      logicalName: "task",
      attributes: [{ name: "_new_relatedopportunities_value", type: "Edm.Guid" }],
      singleValuedNavigations: [
        {
          name: "new_relatedopportunities_task",
          targetEntity: "opportunity",
          lookupAttribute: "new_relatedopportunities",
        },
      ],
    },
  ],
};

/** The bundled metadata plus the seed pages' custom lookup: every seed example validates against it. */
export function seedExampleMetadata(base: Metadata = bundledMetadata()): Metadata {
  return base.extend(SEED_CUSTOM_LOOKUP);
}
