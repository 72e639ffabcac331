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

/**
 * Dataverse's column size facts ("File columns", "Work with image column definitions using code"):
 * a file column's MaxSizeInKB defaults to 32,768 (32 MB); an image column's to 10,240 (10 MB), and
 * it can't be set above 30,720 (30 MB). The client refuses at the call by them, the emulator answers by them.
 */
export const DEFAULT_FILE_MAX_KB = 32_768;
export const DEFAULT_IMAGE_MAX_KB = 10_240;
export const IMAGE_MAX_KB_LIMIT = 30_720;

/** An image column's MaxSizeInKB: the one an admin set (if any), never above 30,720; else 10,240. */
export function imageMaxSizeOf(declaredKB: number | undefined): number {
  return Math.min(declaredKB ?? DEFAULT_IMAGE_MAX_KB, IMAGE_MAX_KB_LIMIT);
}
