import type { BatchLayoutPart, BatchResult, EncodedBatch } from "./batch-types.ts";
import { errorFromResponse } from "./error-from-response.ts";
import { type HttpResponsePart, parseHttpResponse } from "./parse-http-response.ts";
import { boundaryOf, type MimePart, splitMultipart } from "./split-multipart.ts";
import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";
import { entityIdFrom, isSuccessStatus, parseBody } from "./web-api-response.ts";

/** The `$batch` POST's answer as it came off the wire. */
export interface BatchHttpResponse {
  readonly status: number;
  readonly statusText?: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface DecodeBatchOptions {
  /** Clock for HTTP-date `Retry-After` values. */
  readonly now?: number;
  /** Applied to every body before anything is taken from it (the transport removes its token). */
  readonly redact?: (text: string) => string;
}

interface Answer {
  readonly contentId?: string;
  readonly http: HttpResponsePart;
}

type Item =
  | { readonly kind: "single"; readonly answer: Answer }
  | { readonly kind: "changeset"; readonly answers: Answer[] };

function unreadable(status: number, message: string, raw?: string): TransportError {
  // The batch reached the server and may have run in full or in part: outcome unknown.
  return new TransportError({
    kind: "protocol",
    code: TRANSPORT_CODES.unexpected,
    message: `The $batch response ${message}; the requests may or may not have been applied.`,
    status,
    retryable: true,
    outcomeUnknown: true,
    ...(raw === undefined ? {} : { raw: raw.slice(0, 4096) }),
  });
}

function answerOf(part: MimePart): Answer | undefined {
  const http = parseHttpResponse(part.content);
  if (http === undefined) return undefined;
  const contentId = part.headers["content-id"];
  return contentId === undefined || contentId === "" ? { http } : { http, contentId };
}

function readItems(response: BatchHttpResponse, boundary: string): Item[] {
  const top = splitMultipart(response.body, boundary);
  if (top === undefined) throw unreadable(response.status, "is not a valid multipart body", response.body);
  if (!top.complete) throw unreadable(response.status, "is truncated (no closing boundary)", response.body);
  const items: Item[] = [];
  for (const part of top.parts) {
    const inner = boundaryOf(part.headers["content-type"]);
    if (inner === undefined) {
      const answer = answerOf(part);
      if (answer === undefined) throw unreadable(response.status, "has a part that is not an HTTP response");
      items.push({ kind: "single", answer });
      continue;
    }
    const nested = splitMultipart(part.content, inner);
    if (nested === undefined)
      throw unreadable(response.status, "has a change set that is not valid multipart");
    if (!nested.complete) throw unreadable(response.status, "has a truncated change set");
    const answers: Answer[] = [];
    for (const innerPart of nested.parts) {
      const answer = answerOf(innerPart);
      if (answer === undefined)
        throw unreadable(response.status, "has a change-set part that is not an HTTP response");
      answers.push(answer);
    }
    if (answers.length === 0) throw unreadable(response.status, "has an empty change set");
    items.push({ kind: "changeset", answers });
  }
  if (items.length === 0) throw unreadable(response.status, "has no parts");
  return items;
}

function resultOf(answer: Answer, options: DecodeBatchOptions): BatchResult {
  const { http } = answer;
  const contentId = answer.contentId === undefined ? {} : { contentId: answer.contentId };
  if (!isSuccessStatus(http.status)) {
    const error = errorFromResponse({ ...http, ...options });
    return {
      outcome: "failed",
      ...contentId,
      status: http.status,
      headers: http.headers,
      body: error.raw,
      error,
    };
  }
  const text = options.redact === undefined ? http.text : options.redact(http.text);
  const parsed = parseBody(http.headers["content-type"], text);
  if (!parsed.ok) {
    const error = new TransportError({
      kind: "protocol",
      code: TRANSPORT_CODES.unexpected,
      message: `HTTP ${http.status}: the body of this batch answer is not valid JSON.`,
      status: http.status,
      retryable: true,
      outcomeUnknown: true,
      headers: http.headers,
      raw: text.slice(0, 4096),
    });
    return {
      outcome: "unknown",
      ...contentId,
      status: http.status,
      headers: http.headers,
      body: undefined,
      error,
    };
  }
  const body = parsed.value;
  const entityId = entityIdFrom(http.headers["odata-entityid"]);
  const bodyEtag = (body as { "@odata.etag"?: unknown } | undefined)?.["@odata.etag"];
  const etag = http.headers.etag ?? (typeof bodyEtag === "string" ? bodyEtag : undefined);
  return {
    outcome: "succeeded",
    ...contentId,
    status: http.status,
    headers: http.headers,
    body,
    ...(entityId === undefined ? {} : { entityId }),
    ...(etag === undefined ? {} : { etag }),
  };
}

function missingAnswer(status: number, contentId: string | undefined): BatchResult {
  return {
    outcome: "unknown",
    ...(contentId === undefined ? {} : { contentId }),
    status: 0,
    headers: {},
    body: undefined,
    error: unreadable(status, "has no answer for this request"),
  };
}

function notExecuted(contentId: string | undefined): BatchResult {
  return {
    outcome: "not-executed",
    ...(contentId === undefined ? {} : { contentId }),
    status: 0,
    headers: {},
    body: undefined,
    error: new TransportError({
      kind: "not-executed",
      code: TRANSPORT_CODES.aborted,
      message: "Not executed: the batch stopped at an earlier failure.",
      retryable: true,
    }),
  };
}

/**
 * The results of a change set. Dataverse answers a failed change set with the failing request's
 * answer alone (reference §4.3): that error is given to every request of the change set, and the
 * others are marked `rolledBack` when the culprit is known by its Content-ID.
 */
function changeSetResults(
  ids: readonly string[],
  answers: readonly Answer[],
  status: number,
  options: DecodeBatchOptions,
): BatchResult[] {
  const byId = new Map<string, BatchResult>();
  const positional = answers.length === ids.length;
  let failure: BatchResult | undefined;
  for (const [k, answer] of answers.entries()) {
    const id =
      answer.contentId !== undefined && ids.includes(answer.contentId)
        ? answer.contentId
        : positional
          ? ids[k]
          : undefined;
    const result = resultOf(id === undefined ? answer : { ...answer, contentId: id }, options);
    if (id !== undefined) byId.set(id, result);
    if (failure === undefined && result.outcome === "failed") failure = result;
  }
  return ids.map((id): BatchResult => {
    const own = byId.get(id);
    if (failure === undefined) return own ?? missingAnswer(status, id);
    if (own !== undefined && own.outcome === "failed") return own;
    const culpritKnown = [...byId.values()].includes(failure);
    return {
      outcome: "failed",
      contentId: id,
      status: failure.status,
      headers: {},
      body: undefined,
      ...(failure.error === undefined ? {} : { error: failure.error }),
      ...(culpritKnown ? { rolledBack: true } : {}),
    };
  });
}

/**
 * Pairs the answer of a `$batch` POST with the requests of `batch` (its layout): one result per
 * request, in request order. Pure.
 *
 * - A non-multipart answer is a rejection of the whole batch: its TransportError is thrown
 *   (2xx without multipart is unreadable: thrown with `outcomeUnknown`).
 * - A truncated or garbled multipart body throws a protocol TransportError with
 *   `outcomeUnknown: true`: the engine must treat every request of the batch as "may have run".
 * - Answers are taken in order (the server runs parts in order); a change-set answer is matched to
 *   its change set by Content-ID when it carries one, so a server that leaves out earlier answers
 *   cannot shift failures onto the wrong request (skipped requests become `unknown`).
 * - Requests after the last answer were not run (the batch stopped at a failure, or the server
 *   skipped them): `not-executed`, safe to send again.
 */
export function decodeBatchResponse(
  batch: EncodedBatch | readonly BatchLayoutPart[],
  response: BatchHttpResponse,
  options: DecodeBatchOptions = {},
): BatchResult[] {
  const layout: readonly BatchLayoutPart[] = Array.isArray(batch) ? batch : (batch as EncodedBatch).layout;
  const contentType = response.headers["content-type"];
  let boundary = boundaryOf(contentType);
  if (boundary === undefined && (contentType === undefined || /^\s*multipart\//i.test(contentType))) {
    // Some servers omit the parameter; the first delimiter line names it (DynamicsWebApi does this).
    boundary = /^\s*--([^\s]{1,200})\s*$/m.exec(response.body.split(/\r?\n/, 8).join("\n"))?.[1];
  }
  if (boundary === undefined) {
    if (!isSuccessStatus(response.status)) {
      throw errorFromResponse({
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        text: response.body,
        ...options,
      });
    }
    throw unreadable(response.status, "is not multipart", response.body);
  }

  const items = readItems(response, boundary);
  const results: BatchResult[][] = layout.map(() => []);
  let cursor = 0;
  for (const item of items) {
    const ids = item.kind === "changeset" ? item.answers.map((a) => a.contentId) : [item.answer.contentId];
    let target = cursor;
    if (ids.some((id) => id !== undefined)) {
      for (let j = cursor; j < layout.length; j += 1) {
        const part = layout[j];
        if (
          part?.kind === "changeset" &&
          ids.some((id) => id !== undefined && part.contentIds.includes(id))
        ) {
          target = j;
          break;
        }
      }
    }
    if (target >= layout.length)
      throw unreadable(response.status, "has more answers than the batch has parts");
    for (let j = cursor; j < target; j += 1) {
      const part = layout[j];
      results[j] =
        part?.kind === "changeset"
          ? part.contentIds.map((id) => missingAnswer(response.status, id))
          : [missingAnswer(response.status, undefined)];
    }
    const part = layout[target];
    const answers = item.kind === "changeset" ? item.answers : [item.answer];
    if (part?.kind === "changeset") {
      results[target] = changeSetResults(part.contentIds, answers, response.status, options);
    } else {
      const only = answers[0];
      if (answers.length !== 1 || only === undefined) {
        throw unreadable(response.status, "answers a single request with several responses");
      }
      results[target] = [resultOf({ http: only.http }, options)];
    }
    cursor = target + 1;
  }
  for (let j = cursor; j < layout.length; j += 1) {
    const part = layout[j];
    results[j] =
      part?.kind === "changeset" ? part.contentIds.map((id) => notExecuted(id)) : [notExecuted(undefined)];
  }
  return results.flat();
}
