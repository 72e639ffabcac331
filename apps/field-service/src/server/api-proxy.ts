import { type IncomingMessage, request, type ServerResponse } from "node:http";

/** The Web API's path on both sides of the proxy. */
export const API_PATH = "/api/data/v9.2";

export interface ApiProxyOptions {
  /** Where the Web API really is: `http://127.0.0.1:5555` (origin only). */
  readonly target: () => string;
  /**
   * Our own origin as configured (`http://127.0.0.1:4173`), written into absolute URLs of answers.
   * Never taken from the request's `Host` header: a client could put anything there, from another
   * host to text that breaks out of a JSON string.
   */
  readonly origin: () => string;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
  "host",
]);

/**
 * Replace the Web API's own origin by ours in an answer. The Web API writes absolute URLs
 * (`@odata.context`, `@odata.nextLink`, `@odata.deltaLink`, `OData-EntityId`, $batch parts): left
 * alone, the browser would follow them cross-origin, where it has no CORS permission.
 */
export function rewriteOrigin(text: string, from: string, to: string): string {
  return from === to || !text.includes(from) ? text : text.split(from).join(to);
}

function isText(contentType: string | undefined): boolean {
  return !!contentType && /json|text|multipart|xml/i.test(contentType);
}

/**
 * Forward one request to the Web API. A failure below HTTP (refused, reset, the server going away
 * mid-answer) is passed on as what it is, a dropped connection, never as a made-up 502: the client
 * must see the same thing it would see talking to the server directly.
 */
export function proxyApiRequest(req: IncomingMessage, res: ServerResponse, options: ApiProxyOptions): void {
  const target = new URL(options.target());
  const ours = options.origin();
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("error", () => res.destroy());
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const upstream = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...headers, "content-length": String(body.length) },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (c: Buffer) => parts.push(c));
        answer.on("error", () => res.destroy());
        answer.on("aborted", () => res.destroy());
        answer.on("end", () => {
          if (!answer.complete) {
            res.destroy();
            return;
          }
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value === undefined || HOP_BY_HOP.has(name)) continue;
            out[name] = Array.isArray(value)
              ? value.map((v) => rewriteOrigin(v, target.origin, ours))
              : rewriteOrigin(value, target.origin, ours);
          }
          let payload = Buffer.concat(parts);
          if (isText(answer.headers["content-type"])) {
            payload = Buffer.from(rewriteOrigin(payload.toString("utf8"), target.origin, ours), "utf8");
          }
          const status = answer.statusCode ?? 502;
          if (status !== 204 && status !== 304) out["content-length"] = String(payload.length);
          res.writeHead(status, out);
          res.end(status === 204 || status === 304 ? undefined : payload);
        });
      },
    );
    upstream.on("error", () => res.destroy());
    res.on("close", () => {
      // The browser went away: stop waiting for the answer (the server may still apply the write,
      // exactly as it would have without the proxy).
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  });
}
