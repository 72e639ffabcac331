export { type CatalogueEntry, catalogueEntry, ERRORS, type ErrorName, xrmError } from "./error-catalogue.ts";
export type * from "./write-operation.ts";
export { toErrorCode, toHexCode, XrmError } from "./xrm-error.ts";
