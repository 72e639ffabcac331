import type { WebApiRequest } from "@xrm-offline/odata";
import type { ExpectedEntity } from "./expected-entity.ts";
import type { TransportError } from "./transport-error.ts";

/** A request inside a change set. `contentId` is assigned (1, 2, …, unique in the batch) when absent. */
export interface BatchRequest extends WebApiRequest {
  /** Content-ID; later requests of the same change set may refer to it as `$<id>` (URL, `@odata.bind`). */
  readonly contentId?: string;
  /** The record it writes: its answer must not name another (see ExpectedEntity). */
  readonly expect?: ExpectedEntity;
}

/**
 * One top-level part of a `$batch`: an atomic change set of writes (no GET allowed inside), or a
 * single request (a GET, or a write that stands alone).
 */
export type BatchPart =
  | { readonly kind: "changeset"; readonly requests: readonly BatchRequest[] }
  | { readonly kind: "request"; readonly request: WebApiRequest; readonly expect?: ExpectedEntity };

/**
 * - `succeeded`: 2xx answer.
 * - `failed`: error answer, or member of a change set that failed (rolled back; `rolledBack: true`
 *   when another request of the change set is the one that failed).
 * - `not-executed`: the server never ran it because the batch stopped at an earlier failure (no
 *   continue-on-error); safe to send again.
 * - `unknown`: the answer for it is missing or unreadable; it may or may not have been applied.
 */
export type BatchOutcome = "succeeded" | "failed" | "not-executed" | "unknown";

/** The answer for one request of a batch; results come one per request, in request order. */
export interface BatchResult {
  readonly outcome: BatchOutcome;
  /** Content-ID of a change-set request. */
  readonly contentId?: string;
  /** HTTP status of its answer (for a rolled-back request: that of the failure); 0 when none. */
  readonly status: number;
  /** Headers of its answer, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Lower-case GUID from `OData-EntityId`. */
  readonly entityId?: string;
  readonly etag?: string;
  /** Set for every outcome except `succeeded`. */
  readonly error?: TransportError;
  /** True when the change set failed because of another of its requests. */
  readonly rolledBack?: boolean;
}

/**
 * How the encoded batch is laid out, which the decoder needs to pair answers with requests: the
 * Content-ID of every request (the service echoes it on its answer) and what each write expects.
 */
export type BatchLayoutPart =
  | {
      readonly kind: "request";
      readonly contentId?: string;
      readonly method?: string;
      readonly expect?: ExpectedEntity;
    }
  | {
      readonly kind: "changeset";
      readonly contentIds: readonly string[];
      readonly methods?: readonly string[];
      readonly expects?: readonly (ExpectedEntity | undefined)[];
    };

export interface EncodedBatch {
  /** `batch_<uuid>` */
  readonly boundary: string;
  /** `multipart/mixed; boundary=batch_<uuid>`: the Content-Type of the `$batch` POST. */
  readonly contentType: string;
  readonly body: string;
  readonly layout: readonly BatchLayoutPart[];
  /** Number of requests (what Dataverse counts against its 1000-operation limit). */
  readonly requestCount: number;
}
