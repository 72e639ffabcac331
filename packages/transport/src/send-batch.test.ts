import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BatchPart } from "./batch-types.ts";
import { createTransport } from "./create-transport.ts";
import { type LocalServer, reply, startLocalServer } from "./testing/local-server.ts";
import { TransportError } from "./transport-error.ts";

const ACCOUNT = "6cd81853-7b75-e911-a97a-000d3a34a1bd";
const CONTACT = "6ed81853-7b75-e911-a97a-000d3a34a1bd";
let server: LocalServer;

beforeEach(async () => {
  server = await startLocalServer();
});
afterEach(async () => {
  await server.close();
});

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected a rejection");
}

const PARTS: BatchPart[] = [
  {
    kind: "changeset",
    requests: [
      { method: "POST", url: "accounts", headers: {}, body: { name: "Account name" } },
      { method: "POST", url: "contacts", headers: {}, body: { firstname: "Contact first name" } },
      { method: "PATCH", url: "$1", headers: {}, body: { "primarycontactid@odata.bind": "$2" } },
    ],
  },
  { kind: "request", request: { method: "GET", url: `accounts(${ACCOUNT})?$select=name`, headers: {} } },
];

/** The answer Dataverse gives to PARTS, written with LF only (as some proxies and clients do). */
function answer(): string {
  return [
    "--batchresponse_9595d3ae-48f6-414f-a3aa-a3a33559859e",
    "Content-Type: multipart/mixed; boundary=changesetresponse_0c1567a5-ad0d-48fa-b81d-e6db05cad01c",
    "",
    ...["1", "2", "3"].flatMap((id) => [
      "--changesetresponse_0c1567a5-ad0d-48fa-b81d-e6db05cad01c",
      "Content-Type: application/http",
      "Content-Transfer-Encoding: binary",
      `Content-ID: ${id}`,
      "",
      "HTTP/1.1 204 No Content",
      "OData-Version: 4.0",
      ...(id === "3"
        ? []
        : [
            `OData-EntityId: ${server.serverUrl}/${id === "1" ? "accounts" : "contacts"}(${id === "1" ? ACCOUNT : CONTACT})`,
          ]),
      "",
    ]),
    "--changesetresponse_0c1567a5-ad0d-48fa-b81d-e6db05cad01c--",
    "--batchresponse_9595d3ae-48f6-414f-a3aa-a3a33559859e",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json; odata.metadata=minimal; odata.streaming=true",
    "OData-Version: 4.0",
    "",
    `{"@odata.etag":"W/\\"7\\"","name":"Account name","accountid":"${ACCOUNT}"}`,
    "--batchresponse_9595d3ae-48f6-414f-a3aa-a3a33559859e--",
    "",
  ].join("\n");
}

const BATCH_CONTENT_TYPE = "multipart/mixed; boundary=batchresponse_9595d3ae-48f6-414f-a3aa-a3a33559859e";

describe("sendBatch", () => {
  it("POSTs $batch with the exact headers and body, and pairs every answer with its request", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "Content-Type": BATCH_CONTENT_TYPE, "OData-Version": "4.0" });
      res.end(answer());
    });
    const transport = createTransport({ serverUrl: server.serverUrl, getAccessToken: () => "batch-token-1" });
    const results = await transport.sendBatch(PARTS, { continueOnError: true });

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/api/data/v9.2/$batch");
    const boundary = /^multipart\/mixed; boundary=(batch_[0-9a-f-]{36})$/.exec(
      req?.headers["content-type"] ?? "",
    )?.[1];
    expect(boundary).toBeDefined();
    expect(req?.headers.prefer).toBe("odata.continue-on-error");
    expect(req?.headers["odata-version"]).toBe("4.0");
    expect(req?.headers["odata-maxversion"]).toBe("4.0");
    expect(req?.headers.accept).toBe("application/json");
    expect(req?.headers.authorization).toBe("Bearer batch-token-1");
    const changeset = /boundary=(changeset_[0-9a-f-]{36})\r\n/.exec(req?.body ?? "")?.[1];
    const root = `${server.serverUrl}/`;
    const inner = (id: string, line: string, body: string) =>
      [
        `--${changeset}`,
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        `Content-ID: ${id}`,
        "",
        line,
        "Content-Type: application/json; type=entry",
        "",
        body,
      ].join("\r\n");
    expect(req?.body).toBe(
      [
        `--${boundary}`,
        `Content-Type: multipart/mixed; boundary=${changeset}`,
        "",
        inner("1", `POST ${root}accounts HTTP/1.1`, '{"name":"Account name"}'),
        inner("2", `POST ${root}contacts HTTP/1.1`, '{"firstname":"Contact first name"}'),
        inner("3", "PATCH $1 HTTP/1.1", '{"primarycontactid@odata.bind":"$2"}'),
        `--${changeset}--`,
        `--${boundary}`,
        "Content-Type: application/http",
        "Content-Transfer-Encoding: binary",
        "Content-ID: 4",
        "",
        `GET ${root}accounts(${ACCOUNT})?$select=name HTTP/1.1`,
        "Accept: application/json",
        "",
        `--${boundary}--`,
        "",
      ].join("\r\n"),
    );

    expect(results.map((r) => [r.outcome, r.contentId, r.status, r.entityId])).toEqual([
      ["succeeded", "1", 204, ACCOUNT],
      ["succeeded", "2", 204, CONTACT],
      ["succeeded", "3", 204, undefined],
      ["succeeded", "4", 200, undefined],
    ]);
    expect(results[3]?.body).toEqual({ "@odata.etag": 'W/"7"', name: "Account name", accountid: ACCOUNT });
    expect(results[3]?.etag).toBe('W/"7"');
  });

  it("without continue-on-error sends no Prefer and reports the parts after a failure as not executed", async () => {
    server.handle((_req, res) => {
      res.writeHead(400, {
        "Content-Type": "multipart/mixed; boundary=batchresponse_s",
        "OData-Version": "4.0",
      });
      res.end(
        [
          "--batchresponse_s",
          "Content-Type: multipart/mixed; boundary=changesetresponse_s",
          "",
          "--changesetresponse_s",
          "Content-Type: application/http",
          "Content-Transfer-Encoding: binary",
          "Content-ID: 2",
          "",
          "HTTP/1.1 400 Bad Request",
          "Content-Type: application/json; odata.metadata=minimal",
          "",
          '{"error":{"code":"0x80040203","message":"Invalid argument."}}',
          "--changesetresponse_s--",
          "--batchresponse_s--",
          "",
        ].join("\r\n"),
      );
    });
    const transport = createTransport({ serverUrl: server.serverUrl });
    const results = await transport.sendBatch(PARTS);
    expect(server.requests[0]?.headers.prefer).toBeUndefined();
    expect(results.map((r) => [r.outcome, r.contentId, r.rolledBack, r.error?.errorCode])).toEqual([
      ["failed", "1", true, 0x80040203],
      ["failed", "2", undefined, 0x80040203],
      ["failed", "3", true, 0x80040203],
      ["not-executed", "4", undefined, 0x80004004],
    ]);
  });

  it("re-sends the identical batch once after a 401 with a refreshed token", async () => {
    let n = 0;
    server.handle((req, res) => {
      if (req.headers.authorization === "Bearer batch-token-1") return reply(res, 401, "");
      res.writeHead(200, { "Content-Type": BATCH_CONTENT_TYPE });
      res.end(answer());
    });
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: () => `batch-token-${++n}`,
    });
    const results = await transport.sendBatch(PARTS);
    expect(results).toHaveLength(4);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
    expect(server.requests[1]?.headers.authorization).toBe("Bearer batch-token-2");
  });

  it("throws the server's error when the whole batch is refused (429 with Retry-After)", async () => {
    server.handle((_req, res) =>
      reply(
        res,
        429,
        {
          error: {
            code: "0x80072321",
            message: "Combined execution time of incoming requests exceeded limit.",
          },
        },
        { "Retry-After": "12" },
      ),
    );
    const transport = createTransport({ serverUrl: server.serverUrl });
    const error = await failure(transport.sendBatch(PARTS));
    expect(error.kind).toBe("http");
    expect(error.status).toBe(429);
    expect(error.errorCode).toBe(0x80072321);
    expect(error.retryAfterMs).toBe(12_000);
    expect(error.retryable).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
  });

  it("a truncated answer throws a protocol error whose outcome is unknown", async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { "Content-Type": BATCH_CONTENT_TYPE });
      res.end(answer().slice(0, 400));
    });
    const transport = createTransport({ serverUrl: server.serverUrl });
    const error = await failure(transport.sendBatch(PARTS));
    expect(error.kind).toBe("unknown-outcome");
    expect(error.outcomeUnknown).toBe(true);
    expect(error.retryable).toBe(true);
  });

  it("a batch timeout is retryable with an unknown outcome", async () => {
    server.handle(() => {
      /* never answers */
    });
    const transport = createTransport({ serverUrl: server.serverUrl, timeoutMs: 80 });
    const error = await failure(transport.sendBatch(PARTS));
    expect(error.kind).toBe("timeout");
    expect(error.outcomeUnknown).toBe(true);
  });

  it("sends nothing for an invalid batch", async () => {
    const transport = createTransport({ serverUrl: server.serverUrl });
    const error = await failure(
      transport.sendBatch([
        { kind: "changeset", requests: [{ method: "GET", url: "accounts", headers: {} }] },
      ]),
    );
    expect(error.kind).toBe("invalid-request");
    expect(server.requests).toHaveLength(0);
  });
});
