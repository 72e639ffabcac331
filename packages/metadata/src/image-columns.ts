import type { EntityMetadata } from "./entity-metadata.ts";

/**
 * Whether `name` is an image column of the table, from its CSDL alone. Dataverse gives every image
 * column — the primary `entityimage` and custom ones such as `new_photo` — an Edm.Binary property
 * and three companions ("Use image column data", Download URL): `<name>id` (Edm.Guid),
 * `<name>_timestamp` (Edm.Int64) and `<name>_url` (Edm.String). Other Edm.Binary properties
 * (`documentbody_binary`, `body_binary`) have no companions, so the companions decide.
 */
export function isImageColumn(entity: EntityMetadata, name: string): boolean {
  return (
    entity.attribute(name)?.type === "Edm.Binary" &&
    entity.attribute(`${name}id`)?.type === "Edm.Guid" &&
    entity.attribute(`${name}_timestamp`)?.type === "Edm.Int64" &&
    entity.attribute(`${name}_url`)?.type === "Edm.String"
  );
}

/** The table's image columns (see `isImageColumn`), in the metadata's order. */
export function imageColumnsOf(entity: EntityMetadata): string[] {
  const out: string[] = [];
  for (const a of entity.attributes()) if (isImageColumn(entity, a.name)) out.push(a.name);
  return out;
}
