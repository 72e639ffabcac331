import { randomUUID } from "node:crypto";
import { SERVICE_PATH, type ServerContext } from "../context.ts";
import { checkBatchItems } from "../http/limits.ts";
import { parsePrefer } from "../http/prefer.ts";
import { errorResponse, queryError, toXrmError, type WireRequest, type WireResponse } from "../http/wire.ts";
import { type BatchItem, type BatchOperation, parseBatch } from "./multipart-parser.ts";
import { type BatchResponseItem, writeBatchResponse } from "./multipart-writer.ts";

export const MAX_BATCH_OPERATIONS = 1000;

/** Thrown inside a change set's transaction to roll it back. */
class ChangeSetFailed extends Error {
  constructor(
    readonly response: WireResponse,
    readonly contentId: string | undefined,
  ) {
    super("change set failed");
  }
}

/** An inner URL (absolute, server-relative, root-relative or `$n…`) → path + query relative to the root. */
function toInnerRequest(
  op: BatchOperation,
  contentIds: ReadonlyMap<string, string> | undefined,
): WireRequest {
  let url = op.url;
  if (/^https?:\/\//i.test(url)) {
    const u = new URL(url);
    url = `${u.pathname}${u.search}`;
  }
  if (url.startsWith(`${SERVICE_PATH}/`)) url = url.slice(SERVICE_PATH.length + 1);
  else if (url.startsWith("/") && !url.startsWith("/$")) {
    throw queryError(`The batch request URL '${op.url}' is not under the service root.`);
  }
  const q = url.indexOf("?");
  return {
    method: op.method,
    path: q < 0 ? url : url.slice(0, q),
    query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
    headers: op.headers,
    body: op.body,
    ...(contentIds ? { contentIds } : {}),
  };
}

/** Creates in a batch answer with both `Location` and `OData-EntityId`. */
function withLocation(response: WireResponse): WireResponse {
  const entityId = response.headers["OData-EntityId"];
  if (response.status === 204 && entityId && response.body === undefined) {
    return {
      ...response,
      headers: { "OData-Version": "4.0", Location: entityId, "OData-EntityId": entityId },
    };
  }
  return response;
}

function runOperation(op: BatchOperation, dispatch: (r: WireRequest) => WireResponse): WireResponse {
  let inner: WireRequest;
  try {
    inner = toInnerRequest(op, undefined);
  } catch (e) {
    return errorResponse(toXrmError(e));
  }
  return withLocation(dispatch(inner));
}

function runChangeSet(
  ctx: ServerContext,
  operations: readonly BatchOperation[],
  dispatch: (r: WireRequest) => WireResponse,
): { ok: boolean; item: BatchResponseItem } {
  const boundary = `changesetresponse_${randomUUID()}`;
  try {
    const parts = ctx.store.transaction(() => {
      const contentIds = new Map<string, string>();
      const out: { response: WireResponse; contentId?: string }[] = [];
      for (const op of operations) {
        let response: WireResponse;
        if (op.method === "GET") {
          response = errorResponse(queryError("GET requests are not allowed inside a change set."));
        } else {
          try {
            response = withLocation(dispatch(toInnerRequest(op, contentIds)));
          } catch (e) {
            response = errorResponse(toXrmError(e));
          }
        }
        if (response.status >= 400) throw new ChangeSetFailed(response, op.contentId);
        if (op.contentId !== undefined && response.entityUrl)
          contentIds.set(op.contentId, response.entityUrl);
        out.push({ response, ...(op.contentId !== undefined ? { contentId: op.contentId } : {}) });
      }
      return out;
    });
    return { ok: true, item: { kind: "changeset", boundary, parts } };
  } catch (e) {
    if (!(e instanceof ChangeSetFailed)) throw e;
    // The whole change set rolled back; only the failing part is reported.
    const part = { response: e.response, ...(e.contentId !== undefined ? { contentId: e.contentId } : {}) };
    return { ok: false, item: { kind: "changeset", boundary, parts: [part] } };
  }
}

function countOperations(items: readonly BatchItem[]): number {
  return items.reduce((n, item) => n + (item.kind === "operation" ? 1 : item.operations.length), 0);
}

/**
 * `POST /$batch`. Change sets are atomic (one SQLite transaction); without
 * `Prefer: odata.continue-on-error` processing stops at the first failure and the batch answers
 * 400 with the parts processed so far; with it, 200 and every part.
 */
export function executeBatch(
  ctx: ServerContext,
  req: WireRequest,
  dispatch: (r: WireRequest) => WireResponse,
): WireResponse {
  const items = parseBatch(req.headers.get("content-type"), req.body);
  checkBatchItems(items);
  const total = countOperations(items);
  if (total > MAX_BATCH_OPERATIONS) {
    throw queryError(
      `The current change set contains too many operations. A maximum number of '${MAX_BATCH_OPERATIONS}' operations are allowed in a change set.`,
    );
  }
  const continueOnError = parsePrefer(req.headers.get("prefer")).continueOnError;
  const results: BatchResponseItem[] = [];
  let failed = false;
  for (const item of items) {
    if (item.kind === "operation") {
      const response = runOperation(item.operation, dispatch);
      results.push({
        kind: "operation",
        response,
        ...(item.operation.contentId !== undefined ? { contentId: item.operation.contentId } : {}),
      });
      failed = response.status >= 400;
    } else {
      const run = runChangeSet(ctx, item.operations, dispatch);
      results.push(run.item);
      failed = !run.ok;
    }
    if (failed && !continueOnError) break;
  }
  const boundary = `batchresponse_${randomUUID()}`;
  const stopped = failed && !continueOnError;
  return {
    status: stopped ? 400 : 200,
    headers: {
      "Content-Type": `multipart/mixed; boundary=${boundary}`,
      "OData-Version": "4.0",
      ...(continueOnError ? { "Preference-Applied": "odata.continue-on-error" } : {}),
    },
    body: writeBatchResponse(boundary, results),
  };
}
