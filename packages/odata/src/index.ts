export { type CatalogueEntry, catalogueEntry, ERRORS, type ErrorName, xrmError } from "./error-catalogue.ts";
export {
  compileFilter,
  type EvaluationContext,
  type ResolveRelated,
  type Row,
  type RowPredicate,
} from "./filter-compile.ts";
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
export type * from "./write-operation.ts";
export { toErrorCode, toHexCode, XrmError } from "./xrm-error.ts";
