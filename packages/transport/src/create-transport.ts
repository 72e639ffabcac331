import type { WebApiRequest } from "@xrm-offline/odata";
import type { BatchPart, BatchResult } from "./batch-types.ts";
import { decodeBatchResponse } from "./decode-batch-response.ts";
import { encodeBatch } from "./encode-batch.ts";
import { errorFromResponse } from "./error-from-response.ts";
import { type ExpectedEntity, entityMismatch } from "./expected-entity.ts";
import { abortedBeforeSending, anySignal, fetchFailure } from "./fetch-failure.ts";
import { headersToObject, mergeHeaders, standardHeaders } from "./request-headers.ts";
import { resolveUrl, serviceRoot } from "./resolve-url.ts";
import { invalidRequest, TRANSPORT_CODES, TransportError } from "./transport-error.ts";
import { unknownOutcome } from "./unknown-outcome.ts";
import { isSuccessStatus, successResponse, type WebApiResponse } from "./web-api-response.ts";

/** Returns a bearer token. `forceRefresh` is set after the server answered 401 to the last one. */
export type AccessTokenProvider = (options?: { readonly forceRefresh?: boolean }) => string | Promise<string>;

export interface TransportOptions {
  /** Web API service root, e.g. `https://org.crm.dynamics.com/api/data/v9.2`. */
  readonly serverUrl: string;
  /** Called for every request; its token is held in memory for that request only. */
  readonly getAccessToken?: AccessTokenProvider;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /**
   * fetch's `credentials`. Default: `"same-origin"` without `getAccessToken` (inside Dataverse a
   * web resource is authenticated by the session cookie of its own origin), none with it.
   */
  readonly credentials?: RequestCredentials;
  /** Deadline of one HTTP exchange (each attempt), ms. Default 120 000; Infinity for none. */
  readonly timeoutMs?: number;
  /** Sent as User-Agent where the platform allows it (Node; browsers ignore it). */
  readonly userAgent?: string;
  /** Clock, for HTTP-date `Retry-After` values. Default Date.now. */
  readonly now?: () => number;
}

export interface SendOptions {
  readonly signal?: AbortSignal;
  /**
   * The record this write is about. Its answer is then held to what the Web API answers a write
   * (204, or an OData JSON document) and must not name another record; otherwise the send fails
   * with an `unknown-outcome` TransportError.
   */
  readonly expect?: ExpectedEntity;
}

export interface BatchOptions {
  /** Send `Prefer: odata.continue-on-error`: later parts still run after a failure. */
  readonly continueOnError?: boolean;
  readonly signal?: AbortSignal;
}

/** A request with a binary body, for file and image columns ("Use file column data"). */
export interface BinaryRequest {
  readonly method: "PATCH" | "GET" | "DELETE";
  /** Relative to the service root, or absolute (a chunked upload's `Location`). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is: a `Blob` slice is streamed by fetch, never copied into a string. */
  readonly body?: Blob | Uint8Array;
  /** "blob": a 2xx answer's body is read as a Blob (a download), never as text. */
  readonly responseType?: "blob";
}

/** A binary request's answer; `body` only with `responseType: "blob"`. */
export interface BinaryResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Blob;
}

export interface Transport {
  /** The normalised service root, ending with "/". */
  readonly serviceRoot: string;
  /** One request. Resolves for 2xx/304; rejects with a TransportError otherwise. No retries. */
  send(request: WebApiRequest, options?: SendOptions): Promise<WebApiResponse>;
  /** One `$batch` POST; one result per request, in order (see decodeBatchResponse). */
  sendBatch(parts: readonly BatchPart[], options?: BatchOptions): Promise<BatchResult[]>;
  /** A binary request (file upload chunk, file download). Resolves for 2xx with status and headers. */
  sendBinary(request: BinaryRequest, options?: SendOptions): Promise<BinaryResponse>;
}

interface Exchange {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string>;
  readonly text: string;
  /** A successful download's body (then `text` is empty). */
  readonly blob?: Blob;
}

const METHODS = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * HTTP to a Dataverse Web API. The only retry here is a single re-send after a 401 with a freshly
 * forced token; every other retry, and all backoff, belongs to the sync engine.
 */
export function createTransport(options: TransportOptions): Transport {
  const root = serviceRoot(options.serverUrl);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function") throw invalidRequest("No fetch implementation is available.");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0))
    throw invalidRequest(`timeoutMs must be a positive number, got ${String(options.timeoutMs)}.`);
  const now = options.now ?? Date.now;
  const getAccessToken = options.getAccessToken;
  const credentials = options.credentials ?? (getAccessToken === undefined ? "same-origin" : undefined);
  let refreshing: Promise<string> | undefined;

  async function token(forceRefresh: boolean): Promise<string> {
    if (getAccessToken === undefined) return "";
    let value: unknown;
    try {
      if (forceRefresh) {
        // Concurrent 401s share one forced refresh.
        refreshing ??= Promise.resolve(getAccessToken({ forceRefresh: true })).finally(() => {
          refreshing = undefined;
        });
        value = await refreshing;
      } else {
        value = await getAccessToken();
      }
    } catch (error) {
      throw new TransportError({
        kind: "auth",
        code: TRANSPORT_CODES.auth,
        message: "The access token provider failed.",
        retryable: true,
        cause: error,
      });
    }
    // A token read from a file or an env var may end with a newline; inner line breaks are refused.
    if (typeof value === "string") value = value.trim();
    if (typeof value !== "string" || value === "" || /[\r\n]/.test(value)) {
      throw new TransportError({
        kind: "auth",
        code: TRANSPORT_CODES.auth,
        message: "The access token provider returned no usable token.",
        retryable: true,
      });
    }
    return value;
  }

  async function attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Blob | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    asBlob = false,
  ): Promise<Exchange> {
    if (signal?.aborted) throw abortedBeforeSending(signal);
    const timeoutSignal = Number.isFinite(timeoutMs) ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [signal, timeoutSignal].filter((s): s is AbortSignal => s !== undefined);
    const combined =
      signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : anySignal(signals);
    const context = { callerSignal: signal, timeoutSignal, timeoutMs };
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers,
        ...(credentials === undefined ? {} : { credentials }),
        ...(body === undefined ? {} : { body: body as BodyInit }),
        ...(combined === undefined ? {} : { signal: combined }),
      });
    } catch (error) {
      throw fetchFailure(error, { ...context, answered: false });
    }
    try {
      if (asBlob && isSuccessStatus(response.status)) {
        // A file's bytes: kept as a Blob (the browser may keep a big one on disk), never as text.
        const blob = await response.blob();
        return {
          status: response.status,
          statusText: response.statusText,
          headers: headersToObject(response.headers),
          text: "",
          blob,
        };
      }
      const text = await response.text();
      return {
        status: response.status,
        statusText: response.statusText,
        headers: headersToObject(response.headers),
        text,
      };
    } catch (error) {
      throw fetchFailure(error, { ...context, answered: true });
    }
  }

  /** One request, with the 401 → forced refresh → one re-send rule. */
  async function exchange(
    method: string,
    url: string,
    baseHeaders: Record<string, string>,
    body: string | Blob | Uint8Array | undefined,
    signal: AbortSignal | undefined,
    asBlob = false,
  ): Promise<{ result: Exchange; redact: (text: string) => string }> {
    const used: string[] = [];
    const redact = (text: string): string =>
      used.reduce((t, secret) => (secret.length >= 8 ? t.split(secret).join("[redacted]") : t), text);
    const withToken = (bearer: string): Record<string, string> =>
      bearer === ""
        ? baseHeaders
        : { ...withoutAuthorization(baseHeaders), Authorization: `Bearer ${bearer}` };

    if (signal?.aborted) throw abortedBeforeSending(signal);
    const first = await token(false);
    used.push(first);
    let result = await attempt(method, url, withToken(first), body, signal, asBlob);
    if (result.status === 401 && getAccessToken !== undefined) {
      const second = await token(true);
      used.push(second);
      result = await attempt(method, url, withToken(second), body, signal, asBlob);
    }
    return { result, redact };
  }

  function baseHeaders(
    hasBody: boolean,
    extra: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> {
    const base = standardHeaders(hasBody);
    if (options.userAgent !== undefined) base["User-Agent"] = options.userAgent;
    return mergeHeaders(base, extra);
  }

  return {
    serviceRoot: root,

    async send(request, sendOptions = {}) {
      if (typeof request !== "object" || request === null)
        throw invalidRequest("The request must be an object.");
      if (!METHODS.has(request.method))
        throw invalidRequest(`Unsupported method ${JSON.stringify(request.method)}.`);
      const url = resolveUrl(root, request.url);
      let body: string | undefined;
      if (request.body !== undefined) {
        if (request.method === "GET") throw invalidRequest("A GET request cannot have a body.");
        try {
          body = JSON.stringify(request.body);
        } catch (error) {
          throw invalidRequest(`The body cannot be serialised to JSON (${(error as Error).message}).`);
        }
      }
      const headers = baseHeaders(body !== undefined, request.headers);
      const { result, redact } = await exchange(request.method, url, headers, body, sendOptions.signal);
      if (!isSuccessStatus(result.status)) throw errorFromResponse({ ...result, now: now(), redact });
      const expect = sendOptions.expect;
      const response = successResponse(
        result.status,
        result.headers,
        redact(result.text),
        expect === undefined ? undefined : request.method,
      );
      const mismatch = entityMismatch(response, expect);
      if (mismatch !== undefined) {
        throw unknownOutcome(
          response.status,
          `HTTP ${response.status}: the answer is not this write's (${mismatch})`,
          {
            headers: response.headers,
          },
        );
      }
      return response;
    },

    async sendBinary(request, sendOptions = {}) {
      if (typeof request !== "object" || request === null)
        throw invalidRequest("The request must be an object.");
      if (!["PATCH", "GET", "DELETE"].includes(request.method))
        throw invalidRequest(`Unsupported method ${JSON.stringify(request.method)}.`);
      const url = resolveUrl(root, request.url);
      const headers = baseHeaders(false, request.headers);
      const { result, redact } = await exchange(
        request.method,
        url,
        headers,
        request.body,
        sendOptions.signal,
        request.responseType === "blob",
      );
      if (!isSuccessStatus(result.status)) throw errorFromResponse({ ...result, now: now(), redact });
      return result.blob
        ? { status: result.status, headers: result.headers, body: result.blob }
        : { status: result.status, headers: result.headers };
    },

    async sendBatch(parts, batchOptions = {}) {
      const encoded = encodeBatch(parts, { serviceRoot: root });
      const extra: Record<string, string> = { "Content-Type": encoded.contentType };
      if (batchOptions.continueOnError) extra.Prefer = "odata.continue-on-error";
      const headers = baseHeaders(false, extra);
      const url = resolveUrl(root, "$batch");
      const { result, redact } = await exchange("POST", url, headers, encoded.body, batchOptions.signal);
      return decodeBatchResponse(
        encoded,
        { status: result.status, statusText: result.statusText, headers: result.headers, body: result.text },
        { now: now(), redact, continueOnError: batchOptions.continueOnError === true },
      );
    },
  };
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
}
