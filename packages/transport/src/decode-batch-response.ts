import type { BatchLayoutPart, BatchResult, EncodedBatch } from "./batch-types.ts";
import { errorFromResponse } from "./error-from-response.ts";
import { entityMismatch } from "./expected-entity.ts";
import { type HttpResponsePart, parseHttpResponse } from "./parse-http-response.ts";
import { boundaryOf, type MimePart, splitMultipart } from "./split-multipart.ts";
import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";
import { unknownOutcome } from "./unknown-outcome.ts";
import { entityIdFrom, isSuccessStatus, parseBody, untrustedSuccess } from "./web-api-response.ts";

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
  /**
   * The batch was sent with `Prefer: odata.continue-on-error`: every request gets an answer, so a
   * missing one is unknown, never "not executed".
   */
  readonly continueOnError?: boolean;
}

interface Answer {
  readonly contentId?: string;
  /** Undefined: the part is there but is not a readable HTTP response (a garbled status line). */
  readonly http?: HttpResponsePart;
}

type Item =
  | { readonly kind: "single"; readonly answer: Answer }
  | { readonly kind: "changeset"; readonly answers: Answer[] };

function unreadable(status: number, message: string, raw?: string): TransportError {
  // The batch reached the server and may have run in full or in part: outcome unknown.
  return unknownOutcome(status, `The $batch answer ${message}`, raw === undefined ? {} : { raw });
}

function answerOf(part: MimePart): Answer {
  const http = parseHttpResponse(part.content);
  const contentId = part.headers["content-id"]?.trim();
  return {
    ...(http === undefined ? {} : { http }),
    ...(contentId === undefined || contentId === "" ? {} : { contentId }),
  };
}

function readItems(response: BatchHttpResponse, boundary: string): Item[] {
  const top = splitMultipart(response.body, boundary);
  if (top === undefined) throw unreadable(response.status, "is not a valid multipart body", response.body);
  if (!top.complete) throw unreadable(response.status, "is truncated (no closing boundary)", response.body);
  const items: Item[] = [];
  for (const part of top.parts) {
    const inner = boundaryOf(part.headers["content-type"]);
    if (inner === undefined) {
      items.push({ kind: "single", answer: answerOf(part) });
      continue;
    }
    const nested = splitMultipart(part.content, inner);
    if (nested === undefined)
      throw unreadable(response.status, "has a change set that is not valid multipart");
    if (!nested.complete) throw unreadable(response.status, "has a truncated change set");
    const answers = nested.parts.map(answerOf);
    if (answers.length === 0) throw unreadable(response.status, "has an empty change set");
    items.push({ kind: "changeset", answers });
  }
  return items;
}

function unknownResult(status: number, contentId: string | undefined, why: string): BatchResult {
  return {
    outcome: "unknown",
    ...(contentId === undefined ? {} : { contentId }),
    status,
    headers: {},
    body: undefined,
    error: unreadable(status, why),
  };
}

function resultOf(
  answer: Answer,
  contentId: string | undefined,
  method: string | undefined,
  options: DecodeBatchOptions,
): BatchResult {
  const { http } = answer;
  const id = contentId === undefined ? {} : { contentId };
  if (http === undefined)
    return unknownResult(0, contentId, "has a part that is not a readable HTTP response");
  if (!isSuccessStatus(http.status)) {
    const error = errorFromResponse({ ...http, ...options });
    return { outcome: "failed", ...id, status: http.status, headers: http.headers, body: error.raw, error };
  }
  const text = options.redact === undefined ? http.text : options.redact(http.text);
  const untrusted = untrustedSuccess(method, http.status, http.headers, text);
  const parsed = parseBody(http.headers["content-type"], text);
  if (untrusted !== undefined || !parsed.ok) {
    return {
      outcome: "unknown",
      ...id,
      status: http.status,
      headers: http.headers,
      body: undefined,
      error: unknownOutcome(
        http.status,
        `HTTP ${http.status}: this $batch answer ${untrusted ?? "is not valid JSON"}`,
        { headers: http.headers, raw: text },
      ),
    };
  }
  const body = parsed.value;
  const entityId = entityIdFrom(http.headers["odata-entityid"]);
  const bodyEtag = (body as { "@odata.etag"?: unknown } | undefined)?.["@odata.etag"];
  const etag = http.headers.etag ?? (typeof bodyEtag === "string" ? bodyEtag : undefined);
  return {
    outcome: "succeeded",
    ...id,
    status: http.status,
    headers: http.headers,
    body,
    ...(entityId === undefined ? {} : { entityId }),
    ...(etag === undefined ? {} : { etag }),
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
  part: Extract<BatchLayoutPart, { kind: "changeset" }>,
  answers: readonly Answer[],
  status: number,
  options: DecodeBatchOptions,
): BatchResult[] {
  const ids = part.contentIds;
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
    const method = id === undefined ? undefined : part.methods?.[ids.indexOf(id)];
    const result = resultOf(answer, id, method, options);
    if (id !== undefined) byId.set(id, result);
    if (failure === undefined && result.outcome === "failed") failure = result;
  }
  return ids.map((id): BatchResult => {
    const own = byId.get(id);
    if (failure === undefined) return own ?? unknownResult(status, id, "has no answer for this request");
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

function itemIds(item: Item): (string | undefined)[] {
  return item.kind === "changeset" ? item.answers.map((a) => a.contentId) : [item.answer.contentId];
}

/**
 * Which layout part each answer item belongs to, or undefined when the answers cannot be paired
 * with the requests. An answer carrying Content-IDs goes to the request (or change set) that has
 * them, wherever it stands; one without goes to the next request not yet answered, in order (the
 * service answers in request order). An unknown or repeated Content-ID, a change set answered with
 * the Content-IDs of different parts, or more answers than requests: untrusted.
 */
function pairItems(layout: readonly BatchLayoutPart[], items: readonly Item[]): number[] | undefined {
  const owner = new Map<string, number>();
  layout.forEach((part, j) => {
    if (part.kind === "changeset") for (const id of part.contentIds) owner.set(id, j);
    else if (part.contentId !== undefined) owner.set(part.contentId, j);
  });
  const taken = new Set<number>();
  const targets: number[] = [];
  let cursor = 0;
  for (const item of items) {
    const ids = itemIds(item).filter((id): id is string => id !== undefined);
    let j: number | undefined;
    if (ids.length > 0) {
      const owners = ids.map((id) => owner.get(id));
      j = owners[0];
      if (j === undefined || owners.some((o) => o !== j)) return undefined;
      if (item.kind === "changeset" && layout[j]?.kind !== "changeset") return undefined;
    } else {
      j = cursor;
      while (taken.has(j)) j += 1;
    }
    if (j >= layout.length || taken.has(j)) return undefined;
    taken.add(j);
    targets.push(j);
    cursor = j + 1;
  }
  return targets;
}

/**
 * Pairs the answer of a `$batch` POST with the requests of `batch` (its layout): one result per
 * request, in request order. Pure.
 *
 * - A non-multipart answer is a rejection of the whole batch: its TransportError is thrown
 *   (2xx without multipart — a captive portal's page, JSON, an empty body — is thrown as
 *   `unknown-outcome`).
 * - A truncated or garbled multipart body throws an `unknown-outcome` TransportError: the engine
 *   must treat every request of the batch as "may have run".
 * - Answers are paired with requests by the Content-ID the service echoes (positionally when it
 *   echoes none). An answer that cannot be paired (unknown or repeated Content-ID, more answers
 *   than requests), or a success that names another record than the request's `expect`, means
 *   the pairing cannot be trusted: every request is `unknown`.
 * - A request without an answer is `unknown`, or `not-executed` when the batch ran without
 *   continue-on-error and an earlier request failed (the service stops at the first failure).
 * - A part that is not a readable HTTP response, or a success whose body cannot be read, is
 *   `unknown` (that request alone).
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
    throw unreadable(
      response.status,
      `is not multipart (${contentType ?? "no content type"})`,
      response.body,
    );
  }

  const items = readItems(response, boundary);
  const everyUnknown = (why: string): BatchResult[] =>
    layout.flatMap((part) =>
      part.kind === "changeset"
        ? part.contentIds.map((id) => unknownResult(response.status, id, why))
        : [unknownResult(response.status, part.contentId, why)],
    );
  const targets = pairItems(layout, items);
  if (targets === undefined) return everyUnknown("cannot be paired with the requests (Content-IDs or count)");

  const results: (BatchResult[] | undefined)[] = layout.map(() => undefined);
  for (const [k, item] of items.entries()) {
    const j = targets[k] ?? -1;
    const part = layout[j];
    if (part === undefined) continue;
    if (part.kind === "changeset") {
      const answers = item.kind === "changeset" ? item.answers : [item.answer];
      results[j] = changeSetResults(part, answers, response.status, options);
      continue;
    }
    if (item.kind !== "single") return everyUnknown("answers a single request with a change set");
    results[j] = [resultOf(item.answer, part.contentId, part.method, options)];
  }

  // A success naming another record: the answers went to the wrong requests.
  for (const [j, part] of layout.entries()) {
    const expects = part.kind === "changeset" ? (part.expects ?? []) : [part.expect];
    for (const [i, expect] of expects.entries()) {
      const result = results[j]?.[i];
      if (result?.outcome !== "succeeded" || expect === undefined) continue;
      const mismatch = entityMismatch(result, expect);
      if (mismatch !== undefined)
        return everyUnknown(`answers a request with another's answer (${mismatch})`);
    }
  }

  let failedBefore = false;
  return layout.flatMap((part, j) => {
    const own = results[j];
    if (own !== undefined) {
      if (own.some((r) => r.outcome === "failed")) failedBefore = true;
      return own;
    }
    const ids = part.kind === "changeset" ? part.contentIds : [part.contentId];
    // Without continue-on-error the service stops at the first failure: what follows never ran.
    const skipped = failedBefore && options.continueOnError !== true;
    return ids.map((id) =>
      skipped ? notExecuted(id) : unknownResult(response.status, id, "has no answer for this request"),
    );
  });
}
