export { BUNDLED_TABLES } from "./bundled-tables.ts";
export { EntityMetadata } from "./entity-metadata.ts";
export {
  DEFAULT_FILE_MAX_KB,
  DEFAULT_IMAGE_MAX_KB,
  IMAGE_MAX_KB_LIMIT,
  imageColumnsOf,
  imageMaxSizeOf,
  isImageColumn,
} from "./image-columns.ts";
export { KNOWN_PRIMARY_NAMES } from "./known-primary-names.ts";
export { lookupAttributeOf, lookupValueProperty } from "./lookup-value-property.ts";
export { Metadata } from "./metadata.ts";
export { CsdlError, metadataFromCsdl, type ParsedCsdl, parseCsdl } from "./parse-csdl.ts";
export { selectTables } from "./select-tables.ts";
export type * from "./types.ts";
