export { type BackoffOptions, backoffDelay } from "./backoff-delay.ts";
export type {
  BatchLayoutPart,
  BatchOutcome,
  BatchPart,
  BatchRequest,
  BatchResult,
  EncodedBatch,
} from "./batch-types.ts";
export {
  type AccessTokenProvider,
  type BatchOptions,
  type BinaryRequest,
  type BinaryResponse,
  createTransport,
  type SendOptions,
  type Transport,
  type TransportOptions,
} from "./create-transport.ts";
export {
  type BatchHttpResponse,
  type DecodeBatchOptions,
  decodeBatchResponse,
} from "./decode-batch-response.ts";
export {
  type DownloadedBytes,
  type DownloadOptions,
  type DownloadTarget,
  downloadFile,
} from "./download-file.ts";
export { type EncodeBatchOptions, encodeBatch, MAX_BATCH_REQUESTS } from "./encode-batch.ts";
export { type ErrorResponseInput, errorFromResponse } from "./error-from-response.ts";
export { type AnswerIdentity, type ExpectedEntity, entityMismatch } from "./expected-entity.ts";
export { serviceRoot } from "./resolve-url.ts";
export { type HeaderSource, retryAfterMs } from "./retry-after-ms.ts";
export {
  TRANSPORT_CODES,
  TransportError,
  type TransportErrorInit,
  type TransportErrorKind,
} from "./transport-error.ts";
export { unknownOutcome } from "./unknown-outcome.ts";
export {
  DEFAULT_SINGLE_REQUEST_MAX,
  type UploadOptions,
  type UploadProgress,
  type UploadTarget,
  uploadFile,
} from "./upload-file.ts";
export { untrustedSuccess, type WebApiResponse } from "./web-api-response.ts";
