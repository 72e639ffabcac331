export type * from "./contract/sync-contract.ts";
export { base64ByteLength, base64ToBytes, bytesToBase64, isBase64 } from "./edm/base64.ts";
export { normalizeGuid, normalizeRecordId } from "./edm/guid.ts";
export {
  type CatalogueEntry,
  catalogueEntry,
  ERRORS,
  type ErrorName,
  xrmError,
} from "./errors/error-catalogue.ts";
export { errorTypeFor, type SyncErrorType } from "./errors/error-type.ts";
export { isRetryableStatus } from "./errors/retryable-status.ts";
export { toErrorCode, toHexCode, XrmError } from "./errors/xrm-error.ts";
export {
  compileFilter,
  type EvaluationContext,
  type ResolveRelated,
  type Row,
  type RowPredicate,
} from "./query/filter-compile.ts";
export { loadFetchXmlReader, planQuery } from "./query/plan-query.ts";
export { valueTypeOf } from "./query/query-columns.ts";
export {
  compareForSort,
  fold,
  type Normalized,
  normalize,
  normalizeLiteral,
  TEXT_KEY_VERSION,
  textKey,
  textKeyHead,
} from "./query/query-compare.ts";
export {
  type EvaluateOptions,
  evaluateQuery,
  MAX_PAGE_SIZE,
  projectRecord,
  type QueryResult,
} from "./query/query-evaluate.ts";
export type { ResolveChildren } from "./query/query-joined-row.ts";
export {
  type FetchXmlReader,
  MAX_OPTIONS_LENGTH,
  type ParseQueryOptionsSettings,
  parseQueryOptions,
} from "./query/query-options.ts";
export type * from "./query/query-plan.ts";
export { relatedPathsOf } from "./query/query-related-paths.ts";
export { decodeSkipToken, type SkipPosition } from "./query/query-skip-token.ts";
export { serviceRootOf } from "./service-root.ts";
export { binaryColumns, binaryColumnsOf } from "./write/binary-columns.ts";
export { type BindParse, type BindReference, parseBindReference } from "./write/bind-reference.ts";
export {
  ATTACHMENT_BODY_COLUMNS,
  BLOB_APART_MIN_CHARS,
  type BlobRef,
  blobRef,
  checkAttachmentBody,
  DEFAULT_MAX_UPLOAD_FILE_SIZE,
  isBlobRef,
} from "./write/blob-ref.ts";
export { normalizeDelete } from "./write/normalize-delete.ts";
export {
  type NormalizeWriteInput,
  type NormalizeWriteOptions,
  normalizeWrite,
} from "./write/normalize-write.ts";
export { type RenderOptions, renderRequest } from "./write/render-request.ts";
export {
  checkRequestBytes,
  checkRequestSize,
  MAX_REQUEST_BYTES,
  requestBytes,
} from "./write/request-size.ts";
export { resolveEntity } from "./write/resolve-entity.ts";
export { WRITE_LIMITS } from "./write/write-limits.ts";
export type * from "./write/write-operation.ts";
