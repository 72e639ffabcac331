/**
 * A throwaway node:http server for the transport's tests (not exported by the package).
 * Each test installs a handler; every request is recorded with its headers and body.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Lower-case names, as node parses them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface LocalServer {
  /** Service root of the fake org: `http://127.0.0.1:<port>/api/data/v9.2`. */
  readonly serverUrl: string;
  readonly origin: string;
  readonly requests: RecordedRequest[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

function headersOf(message: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function startLocalServer(): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  let handler: Handler = (_request, response) => {
    response.writeHead(500).end();
  };
  const server = createServer((message, response) => {
    const chunks: Buffer[] = [];
    message.on("data", (chunk: Buffer) => chunks.push(chunk));
    message.on("end", () => {
      const recorded: RecordedRequest = {
        method: message.method ?? "",
        url: message.url ?? "",
        headers: headersOf(message),
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, response)).catch((error: unknown) => {
        response.writeHead(599).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    serverUrl: `${origin}/api/data/v9.2`,
    origin,
    requests,
    handle(next) {
      handler = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** Answers with a JSON body (or none) and the given headers. */
export function reply(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const contentType =
    body === undefined || typeof body === "string"
      ? {}
      : { "Content-Type": "application/json; odata.metadata=minimal" };
  response.writeHead(status, { "OData-Version": "4.0", ...contentType, ...headers });
  response.end(text);
}
