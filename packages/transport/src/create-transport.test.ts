import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTransport } from "./create-transport.ts";
import { type LocalServer, reply, startLocalServer } from "./testing/local-server.ts";
import { TransportError } from "./transport-error.ts";

const ID = "00aa00aa-bb11-cc22-dd33-44ee44ee44ee";
let server: LocalServer;

beforeEach(async () => {
  server = await startLocalServer();
});
afterEach(async () => {
  await server.close();
});

/** The promise's rejection, asserted to be a TransportError. */
async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected a rejection");
}

/**
 * Headers fetch adds on its own; everything else must be ours. (The fetch spec adds
 * `Cache-Control`/`Pragma: no-cache` itself when a request carries `If-None-Match`.)
 */
const PLATFORM_HEADERS = new Set([
  "cache-control",
  "pragma",
  "host",
  "connection",
  "content-length",
  "accept-encoding",
  "accept-language",
  "sec-fetch-mode",
  "user-agent",
]);
function ours(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !PLATFORM_HEADERS.has(name)));
}

describe("send: request on the wire", () => {
  it("sends a GET with exactly the OData headers and the bearer token, to the resolved URL", async () => {
    server.handle((_req, res) => reply(res, 200, { "@odata.etag": 'W/"12"', name: "Contoso" }));
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: () => "token-abcdefgh",
    });
    const response = await transport.send({
      method: "GET",
      url: `accounts(${ID})?$select=name`,
      headers: {},
    });

    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req?.method).toBe("GET");
    expect(req?.url).toBe(`/api/data/v9.2/accounts(${ID})?$select=name`);
    expect(ours(req?.headers ?? {})).toEqual({
      "odata-maxversion": "4.0",
      "odata-version": "4.0",
      accept: "application/json",
      authorization: "Bearer token-abcdefgh",
    });
    expect(response).toEqual({
      status: 200,
      headers: expect.objectContaining({ "odata-version": "4.0" }),
      body: { "@odata.etag": 'W/"12"', name: "Contoso" },
      etag: 'W/"12"',
    });
  });

  it("sends a POST with a JSON body and reads the created id from OData-EntityId", async () => {
    server.handle((_req, res) =>
      reply(res, 204, undefined, { "OData-EntityId": `${server.serverUrl}/accounts(${ID.toUpperCase()})` }),
    );
    const transport = createTransport({ serverUrl: `${server.serverUrl}/`, userAgent: "xrm-offline-test" });
    const response = await transport.send({
      method: "POST",
      url: "accounts",
      headers: { Prefer: "odata.include-annotations=*", "If-None-Match": "null" },
      body: { name: "Sample Account", revenue: 5000000, "primarycontactid@odata.bind": `/contacts(${ID})` },
    });
    const [req] = server.requests;
    expect(req?.url).toBe("/api/data/v9.2/accounts");
    expect(ours(req?.headers ?? {})).toEqual({
      "odata-maxversion": "4.0",
      "odata-version": "4.0",
      accept: "application/json",
      "content-type": "application/json; charset=utf-8",
      prefer: "odata.include-annotations=*",
      "if-none-match": "null",
    });
    expect(req?.headers["user-agent"]).toBe("xrm-offline-test");
    expect(JSON.parse(req?.body ?? "")).toEqual({
      name: "Sample Account",
      revenue: 5000000,
      "primarycontactid@odata.bind": `/contacts(${ID})`,
    });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.entityId).toBe(ID);
    expect(response.headers["odata-entityid"]).toBe(`${server.serverUrl}/accounts(${ID.toUpperCase()})`);
  });

  it("lets request headers replace standard ones whatever their case, and takes ETag from the header", async () => {
    server.handle((_req, res) => reply(res, 201, { accountid: ID }, { ETag: 'W/"71004878"' }));
    const transport = createTransport({ serverUrl: server.serverUrl });
    const response = await transport.send({
      method: "PATCH",
      url: `/api/data/v9.2/accounts(${ID})`,
      headers: { accept: "application/json;odata.metadata=full", "if-match": "*" },
      body: { name: "x" },
    });
    const [req] = server.requests;
    expect(req?.url).toBe(`/api/data/v9.2/accounts(${ID})`);
    expect(req?.headers.accept).toBe("application/json;odata.metadata=full");
    expect(req?.headers["if-match"]).toBe("*");
    expect(req?.headers.authorization).toBeUndefined();
    expect(response.etag).toBe('W/"71004878"');
    expect(response.status).toBe(201);
  });

  it("follows an absolute @odata.nextLink under the service root", async () => {
    server.handle((_req, res) => reply(res, 200, { value: [] }));
    const transport = createTransport({ serverUrl: server.serverUrl });
    await transport.send({ method: "GET", url: `${server.serverUrl}/accounts?$skiptoken=abc`, headers: {} });
    expect(server.requests[0]?.url).toBe("/api/data/v9.2/accounts?$skiptoken=abc");
  });

  it("refuses, without sending anything, URLs outside the service root and unsafe headers or bodies", async () => {
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: () => "token-abcdefgh",
    });
    const cases: Promise<unknown>[] = [
      transport.send({ method: "GET", url: "https://evil.example/api/data/v9.2/accounts", headers: {} }),
      transport.send({ method: "GET", url: "../../../other", headers: {} }),
      transport.send({ method: "GET", url: "accounts\r\nX-Evil: 1", headers: {} }),
      transport.send({ method: "GET", url: "accounts", headers: { "X-Test": "a\r\nX-Evil: 1" } }),
      transport.send({ method: "GET", url: "accounts", headers: { "Bad Name": "1" } }),
      transport.send({ method: "GET", url: "accounts", headers: {}, body: { a: 1 } }),
      transport.send({ method: "TRACE" as "GET", url: "accounts", headers: {} }),
      transport.send({
        method: "POST",
        url: "accounts",
        headers: {},
        body: { n: 1n } as unknown as Record<string, unknown>,
      }),
    ];
    for (const attempt of cases) {
      const error = await failure(attempt);
      expect(error.kind).toBe("invalid-request");
      expect(error.code).toBe("0x80040203");
      expect(error.retryable).toBe(false);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("rejects a serverUrl that is not an absolute http(s) URL", () => {
    for (const serverUrl of ["", "api/data/v9.2", "ftp://x/api", "http://user:pw@host/api"]) {
      expect(() => createTransport({ serverUrl })).toThrow(TransportError);
    }
    expect(() => createTransport({ serverUrl: server.serverUrl, timeoutMs: 0 })).toThrow(TransportError);
    expect(createTransport({ serverUrl: "https://Org.Example.com/api/data/v9.2///?x=1#y" }).serviceRoot).toBe(
      "https://org.example.com/api/data/v9.2/",
    );
  });
});

describe("send: access token", () => {
  it("asks the provider once per request, and on a 401 once more with forceRefresh, then re-sends", async () => {
    const calls: unknown[] = [];
    let issued = 0;
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: async (options) => {
        calls.push(options);
        issued += 1;
        return `token-number-${issued}`;
      },
    });
    server.handle((req, res) => {
      if (req.headers.authorization === "Bearer token-number-1") {
        reply(res, 401, { error: { code: "0x80044300", message: "Expired token" } });
      } else reply(res, 204);
    });
    const response = await transport.send({ method: "DELETE", url: `accounts(${ID})`, headers: {} });
    expect(response.status).toBe(204);
    expect(calls).toEqual([undefined, { forceRefresh: true }]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer token-number-1",
      "Bearer token-number-2",
    ]);
    expect(server.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE"]);

    await transport.send({ method: "GET", url: "accounts", headers: {} });
    expect(calls).toEqual([undefined, { forceRefresh: true }, undefined]);
  });

  it("gives up after one refresh; the token never appears in the error, even when the server echoes it", async () => {
    let issued = 0;
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: () => `secret-token-${++issued}`,
    });
    server.handle((req, res) =>
      reply(res, 401, { error: { code: "0x80044300", message: `Bad ticket: ${req.headers.authorization}` } }),
    );
    const error = await failure(
      transport.send({ method: "POST", url: "accounts", headers: {}, body: { a: 1 } }),
    );
    expect(issued).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(error.kind).toBe("http");
    expect(error.status).toBe(401);
    expect(error.httpStatus).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.code).toBe("0x80044300");
    expect(error.message).toBe("Bad ticket: Bearer [redacted]");
    const everything = JSON.stringify([error, error.raw, error.message, error.headers, String(error.stack)]);
    expect(everything).not.toContain("secret-token-1");
    expect(everything).not.toContain("secret-token-2");
  });

  it("trims a token that ends with a newline", async () => {
    server.handle((_req, res) => reply(res, 204));
    const transport = createTransport({
      serverUrl: server.serverUrl,
      getAccessToken: () => "token-abcdefgh\n",
    });
    await transport.send({ method: "GET", url: "accounts", headers: {} });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer token-abcdefgh");
  });

  it("does not retry a 401 when there is no token provider", async () => {
    server.handle((_req, res) => reply(res, 401, { error: { code: "0x80044300", message: "No ticket" } }));
    const transport = createTransport({ serverUrl: server.serverUrl });
    const error = await failure(transport.send({ method: "GET", url: "accounts", headers: {} }));
    expect(error.status).toBe(401);
    expect(server.requests).toHaveLength(1);
  });

  it("reports a failing or empty token provider as an auth error and sends nothing", async () => {
    for (const getAccessToken of [
      () => Promise.reject(new Error("interaction_required")),
      () => {
        throw new Error("boom");
      },
      () => "",
      () => "  \n",
      () => "tok\r\nX-Evil: 1",
      () => 42 as unknown as string,
    ]) {
      const transport = createTransport({ serverUrl: server.serverUrl, getAccessToken });
      const error = await failure(transport.send({ method: "GET", url: "accounts", headers: {} }));
      expect(error.kind).toBe("auth");
      expect(error.code).toBe("0x80070005");
      expect(error.retryable).toBe(true);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("shares one forced refresh among concurrent 401s", async () => {
    let forced = 0;
    let current = "token-old-000";
    // The refresh ends only once all three requests hold their 401 (an event, not a delay): from
    // there each reaches the refresh in progress within microtasks, before the next event-loop
    // turn, so the test does not depend on how fast the machine is.
    let unauthorized = 0;
    let allUnauthorized!: () => void;
    const threeUnauthorized = new Promise<void>((resolve) => {
      allUnauthorized = resolve;
    });
    const fetchImpl = (async (url: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(url, init);
      if (response.status !== 401) return response;
      const text = await response.text();
      if (++unauthorized === 3) allUnauthorized();
      // Read already: handed over as a plain object, so nothing between here and the transport's
      // refresh waits for I/O.
      return {
        status: 401,
        statusText: response.statusText,
        headers: response.headers,
        text: async () => text,
      };
    }) as typeof fetch;
    const transport = createTransport({
      serverUrl: server.serverUrl,
      fetch: fetchImpl,
      getAccessToken: async (options) => {
        if (options?.forceRefresh) {
          forced += 1;
          await threeUnauthorized;
          await new Promise((resolve) => setImmediate(resolve)); // one turn: the others have joined
          current = "token-new-111";
        }
        return current;
      },
    });
    server.handle((req, res) =>
      req.headers.authorization === "Bearer token-new-111"
        ? reply(res, 200, { ok: true })
        : reply(res, 401, ""),
    );
    const results = await Promise.all(
      [1, 2, 3].map(() => transport.send({ method: "GET", url: "accounts", headers: {} })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(unauthorized).toBe(3);
    expect(forced).toBe(1);
  });
});

describe("credentials: cookie sessions (same origin) vs bearer tokens", () => {
  function recordingFetch() {
    const inits: RequestInit[] = [];
    const fetchImpl = (async (_url: string | URL | Request, init?: RequestInit) => {
      inits.push(init ?? {});
      return new Response("{}", { status: 200, headers: { "Content-Type": "application/json" } });
    }) as typeof fetch;
    return { inits, fetchImpl };
  }

  it('without getAccessToken: credentials "same-origin" and no Authorization header', async () => {
    const { inits, fetchImpl } = recordingFetch();
    const transport = createTransport({ serverUrl: "https://org.example/api/data/v9.2", fetch: fetchImpl });
    await transport.send({ method: "GET", url: "WhoAmI", headers: {} });
    expect(inits.map((i) => i.credentials)).toEqual(["same-origin"]);
    expect(Object.keys(inits[0]?.headers ?? {}).map((h) => h.toLowerCase())).not.toContain("authorization");
  });

  it("with getAccessToken: the bearer token and fetch's default credentials", async () => {
    const { inits, fetchImpl } = recordingFetch();
    const transport = createTransport({
      serverUrl: "https://org.example/api/data/v9.2",
      fetch: fetchImpl,
      getAccessToken: () => "token-abcdefgh",
    });
    await transport.send({ method: "GET", url: "WhoAmI", headers: {} });
    expect(inits.map((i) => [i.credentials, (i.headers as Record<string, string>).Authorization])).toEqual([
      [undefined, "Bearer token-abcdefgh"],
    ]);
  });

  it("an explicit credentials option is used as given", async () => {
    const { inits, fetchImpl } = recordingFetch();
    const transport = createTransport({
      serverUrl: "https://org.example/api/data/v9.2",
      fetch: fetchImpl,
      credentials: "include",
    });
    await transport.send({ method: "GET", url: "WhoAmI", headers: {} });
    expect(inits.map((i) => i.credentials)).toEqual(["include"]);
  });
});
