export { type BindParse, type BindReference, parseBindReference } from "./bind-reference.ts";
export { type CatalogueEntry, catalogueEntry, ERRORS, type ErrorName, xrmError } from "./error-catalogue.ts";
export { errorTypeFor, type SyncErrorType } from "./error-type.ts";
export {
  compileFilter,
  type EvaluationContext,
  type ResolveRelated,
  type Row,
  type RowPredicate,
} from "./filter-compile.ts";
export { normalizeGuid, normalizeRecordId } from "./guid.ts";
export { normalizeDelete } from "./normalize-delete.ts";
export { type NormalizeWriteInput, type NormalizeWriteOptions, normalizeWrite } from "./normalize-write.ts";
export {
  type EvaluateOptions,
  evaluateQuery,
  MAX_PAGE_SIZE,
  projectRecord,
  type QueryResult,
} from "./query-evaluate.ts";
export { MAX_OPTIONS_LENGTH, type ParseQueryOptionsSettings, parseQueryOptions } from "./query-options.ts";
export type * from "./query-plan.ts";
export { relatedPathsOf } from "./query-related-paths.ts";
export { type RenderOptions, renderRequest } from "./render-request.ts";
export { WRITE_LIMITS } from "./write-limits.ts";
export type * from "./write-operation.ts";
export { toErrorCode, toHexCode, XrmError } from "./xrm-error.ts";
