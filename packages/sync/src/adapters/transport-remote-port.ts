import type { Metadata } from "@xrm-offline/metadata";
import { renderRequest, type WebApiRequest, type WriteOperation, XrmError } from "@xrm-offline/odata";
import {
  type BatchResult,
  type ExpectedEntity,
  type Transport,
  TransportError,
} from "@xrm-offline/transport";
import type { RemoteError, RemotePort, RemoteResult, RemoteWrite } from "../ports.ts";

export interface TransportRemotePortOptions {
  /** Renders operations to requests (entity set names, primary key columns, lookup binds). */
  readonly metadata: Metadata;
}

/**
 * The engine's RemotePort over `@xrm-offline/transport`: renders each write with odata's
 * `renderRequest` (creates POST their client GUID; updates carry `If-Match`), sends a single
 * request or a `$batch` of independent requests with `Prefer: odata.continue-on-error`, and turns
 * every TransportError into a RemoteError value.
 */
export function createTransportRemotePort(
  transport: Transport,
  options: TransportRemotePortOptions,
): RemotePort {
  const { metadata } = options;

  /**
   * The record a write is about, so the transport can tell its answer from another's (a reordered
   * `$batch`, a captive portal's page): creates must name it, nothing may name another.
   */
  const expectOf = (operation: WriteOperation): ExpectedEntity => {
    const idAttribute = metadata.entity(operation.entityLogicalName)?.primaryIdAttribute;
    return {
      id: operation.id,
      ...(idAttribute === undefined ? {} : { idAttribute }),
      ...(operation.kind === "create" ? { named: true } : {}),
    };
  };

  const render = (write: RemoteWrite): WebApiRequest =>
    renderRequest(metadata, write.operation, {
      ...(write.ifMatch !== undefined && write.ifMatch !== "*" ? { etag: write.ifMatch } : {}),
      ...(write.returnEtag ? { returnRepresentation: true } : {}),
    });

  return {
    bodyOf: (operation) => renderRequest(metadata, operation).body ?? {},

    async send(write, signal) {
      let request: WebApiRequest;
      try {
        request = render(write);
      } catch (error) {
        return { ok: false, error: remoteError(error) };
      }
      try {
        const response = await transport.send(request, { signal, expect: expectOf(write.operation) });
        return success(response.status, response.etag);
      } catch (error) {
        return { ok: false, error: remoteError(error) };
      }
    },

    async sendBatch(writes, signal) {
      // A write that cannot be rendered fails alone, before anything is sent.
      const results: (RemoteResult | undefined)[] = new Array(writes.length);
      const requests: { index: number; request: WebApiRequest; expect: ExpectedEntity }[] = [];
      writes.forEach((write, index) => {
        try {
          requests.push({ index, request: render(write), expect: expectOf(write.operation) });
        } catch (error) {
          results[index] = { ok: false, error: remoteError(error) };
        }
      });
      if (requests.length > 0) {
        let answers: BatchResult[];
        try {
          answers = await transport.sendBatch(
            requests.map((r) => ({ kind: "request", request: r.request, expect: r.expect })),
            { continueOnError: true, signal },
          );
        } catch (error) {
          return { ok: false, error: remoteError(error) };
        }
        requests.forEach((r, k) => {
          const answer = answers[k];
          results[r.index] =
            answer === undefined
              ? { ok: false, error: unknownPart() }
              : answer.outcome === "succeeded"
                ? success(answer.status, answer.etag)
                : { ok: false, error: answer.error ? remoteError(answer.error) : unknownPart() };
        });
      }
      return { ok: true, results: results.map((r) => r ?? { ok: false, error: unknownPart() }) };
    },

    async retrieve(operation, signal) {
      try {
        // The answer must be this record (a portal's page or foreign JSON is unknown, retried).
        const response = await transport.send(
          { method: "GET", url: `${operation.entitySetName}(${operation.id})`, headers: {} },
          { signal, expect: { ...expectOf(operation), named: true } },
        );
        const body = response.body;
        return typeof body === "object" && body !== null && !Array.isArray(body)
          ? { ok: true, record: body as Record<string, unknown> }
          : { ok: false, error: remoteError(new Error("The record answer is not a JSON object.")) };
      } catch (error) {
        const e = remoteError(error);
        if (e.status === 404) return { ok: true, record: null };
        return { ok: false, error: e };
      }
    },
  };
}

function success(status: number, etag: string | undefined): RemoteResult {
  return etag === undefined ? { ok: true, status } : { ok: true, status, etag };
}

export function remoteError(error: unknown): RemoteError {
  if (error instanceof TransportError) {
    return {
      status: error.status,
      errorCode: error.errorCode,
      message: error.message,
      retryable: error.retryable || error.kind === "auth" || error.kind === "not-executed",
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      // A part the server never ran was not applied; an unreadable one may have been.
      outcomeUnknown: error.kind === "not-executed" ? false : error.outcomeUnknown,
    };
  }
  const e = XrmError.from(error);
  return {
    status: e.httpStatus,
    errorCode: e.errorCode,
    message: e.message,
    retryable: e.retryable,
    outcomeUnknown: e.httpStatus === 0 && e.retryable,
  };
}

function unknownPart(): RemoteError {
  const e = XrmError.from({
    errorCode: "0x80040216",
    message: "The $batch answer had no readable part for this request.",
  });
  return { status: 0, errorCode: e.errorCode, message: e.message, retryable: true, outcomeUnknown: true };
}
