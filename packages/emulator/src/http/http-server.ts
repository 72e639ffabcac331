import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { SERVICE_PATH } from "../context.ts";
import { spoilAnswer } from "./answer-faults.ts";
import type { FaultController } from "./faults.ts";
import { checkUrlLength, REQUEST_LIMITS } from "./limits.ts";
import type { RequestLog, RequestLogEntry } from "./request-log.ts";
import { isAuthorized, type SiteOptions, sitePage } from "./session.ts";
import {
  errorResponse,
  fail,
  notFoundSegment,
  toXrmError,
  type WireRequest,
  type WireResponse,
} from "./wire.ts";

export interface HttpHandlerOptions {
  readonly dispatch: (req: WireRequest) => WireResponse;
  readonly faults: FaultController;
  readonly log: RequestLog;
  /** Bearer token, cookie session and web resources (see session.ts). */
  readonly site: SiteOptions;
  /** `http://host:port`, known once the server listens. */
  readonly origin: () => string;
  readonly maxBodyBytes: number;
  /** Largest binary upload (`Content-Type: application/octet-stream`, file and image columns). */
  readonly maxFileBodyBytes?: number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

/** Reads and discards a request body (so the connection stays usable), holding none of it. */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req.on("end", resolve);
    req.on("error", () => resolve());
    req.resume();
  });
}

function send(res: ServerResponse, response: WireResponse, extraHeaders: Record<string, string> = {}): void {
  const body = response.bytes ?? response.body ?? "";
  const headers: Record<string, string | number> = { ...response.headers, ...extraHeaders };
  if (response.status !== 204 && response.status !== 304)
    headers["Content-Length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  res.writeHead(response.status, headers);
  res.end(response.status === 204 || response.status === 304 ? undefined : body);
}

function headerMap(req: IncomingMessage): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) map.set(k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v);
  }
  return map;
}

/**
 * The Node `http` request listener: body limit, bearer-token check, fault injection and the
 * request log around the synchronous Web API dispatcher.
 */
export function createRequestListener(options: HttpHandlerOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const rawUrl = req.url ?? "/";
    const method = (req.method ?? "GET").toUpperCase();
    const q = rawUrl.indexOf("?");
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const path =
      pathname === SERVICE_PATH
        ? ""
        : pathname.startsWith(`${SERVICE_PATH}/`)
          ? pathname.slice(SERVICE_PATH.length + 1)
          : undefined;
    const headers = headerMap(req);
    let entry: RequestLogEntry | undefined;
    const finish = (status: number, fault?: string) => {
      if (!entry) return;
      entry.status = status;
      if (fault) entry.fault = fault;
      entry.durationMs = Date.now() - started;
    };
    const logStart = (body: string) => {
      entry = options.log.start({
        startedAt: started,
        method,
        url: rawUrl,
        path: path ?? pathname,
        headers: Object.fromEntries(headers),
        body,
      });
    };

    // The site's own pages (sign-in, web resources) handle their session themselves; they read no body.
    if (path === undefined) {
      const page = sitePage(options.site, options.origin(), {
        method,
        pathname,
        rawUrl,
        query: new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1)),
        headers,
      });
      if (page) {
        logStart("");
        await drain(req);
        send(res, page);
        finish(page.status);
        return;
      }
    }

    // Auth comes first: without the token or the session cookie a client gets 401 and nothing
    // else — its body is drained unread (never buffered, never logged), so unauthenticated
    // uploads cost no memory.
    if (!isAuthorized(options.site, headers)) {
      logStart("");
      await drain(req);
      res.writeHead(401, { "WWW-Authenticate": "Bearer", "Content-Length": 0 });
      res.end();
      finish(401);
      return;
    }
    try {
      checkUrlLength(rawUrl, REQUEST_LIMITS.urlChars);
    } catch (e) {
      logStart("");
      await drain(req);
      const response = errorResponse(toXrmError(e));
      send(res, response);
      finish(response.status);
      return;
    }

    let bodyBytes: Buffer;
    const limit = headers.get("content-type")?.startsWith("application/octet-stream")
      ? (options.maxFileBodyBytes ?? options.maxBodyBytes)
      : options.maxBodyBytes;
    try {
      bodyBytes = await readBody(req, limit);
    } catch (e) {
      logStart("");
      if (e instanceof BodyTooLarge) {
        const response = errorResponse(
          fail("RequestTooLarge", `The request body exceeds the maximum size of ${limit} bytes.`),
        );
        send(res, response, { Connection: "close" });
        finish(response.status);
      } else {
        req.socket.destroy();
        finish(0);
      }
      return;
    }
    const body = bodyBytes.toString("utf8");
    logStart(body);

    const decision = options.faults.decide({ method, path: path ?? pathname });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const fault = decision.fault;
    if (fault?.kind === "reset-before") {
      req.socket.destroy();
      finish(0, "reset-before");
      return;
    }
    if (fault?.kind === "status") {
      const response = options.faults.response(fault);
      send(res, response);
      finish(response.status, String(fault.status));
      return;
    }

    const response =
      path === undefined
        ? errorResponse(notFoundSegment(pathname.split("/").filter(Boolean)[0] ?? pathname))
        : options.dispatch({
            method,
            path,
            query: new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1)),
            headers,
            body,
            bodyBytes,
          });

    if (fault?.kind === "reset-after") {
      // The write is committed; the client only sees a dropped connection.
      req.socket.destroy();
      finish(0, "reset-after");
      return;
    }
    if (fault?.kind === "answer") {
      // The write is committed; the client gets an answer it cannot trust.
      const spoiled = spoilAnswer(fault.answer, response);
      send(res, spoiled);
      finish(spoiled.status, `answer:${fault.answer}`);
      return;
    }
    send(res, response);
    finish(response.status);
  };
}
