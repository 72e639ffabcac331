import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { API_PATH, proxyApiRequest, rewriteOrigin } from "../src/server/api-proxy.ts";

describe("rewriteOrigin", () => {
  it("replaces every occurrence of the server's origin", () => {
    expect(
      rewriteOrigin(
        '{"a":"http://127.0.0.1:5555/x","b":"http://127.0.0.1:5555/y"}',
        "http://127.0.0.1:5555",
        "http://localhost:80",
      ),
    ).toBe('{"a":"http://localhost:80/x","b":"http://localhost:80/y"}');
  });
  it("leaves other text alone, including a longer port that starts the same", () => {
    expect(rewriteOrigin("http://127.0.0.1:55550/x", "http://127.0.0.1:5555/", "http://h/")).toBe(
      "http://127.0.0.1:55550/x",
    );
    expect(rewriteOrigin("nothing here", "http://a", "http://b")).toBe("nothing here");
  });
});

describe("proxyApiRequest", () => {
  let emulator: Emulator;
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    server = createServer((req, res) =>
      proxyApiRequest(req, res, { target: () => emulator.origin, origin: () => origin }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulator.close();
  });
  beforeEach(async () => {
    await emulator.faults.up();
    emulator.faults.clear();
    emulator.clear();
  });

  it("forwards a create and answers with URLs on the proxy's origin", async () => {
    const id = "7d3b8f6c-1a2b-4c3d-9e8f-0a1b2c3d4e5f";
    const res = await fetch(`${origin}${API_PATH}/accounts`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ accountid: id, name: "Via the proxy" }),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("odata-entityid")).toBe(`${origin}${API_PATH}/accounts(${id})`);
    expect(emulator.row("account", id)?.name).toBe("Via the proxy");
  });

  it("rewrites absolute URLs in bodies (context and next links)", async () => {
    emulator.seed("account", [{ name: "A" }, { name: "B" }, { name: "C" }]);
    const res = await fetch(`${origin}${API_PATH}/accounts?$select=name`, {
      headers: { Prefer: "odata.maxpagesize=2", Accept: "application/json" },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body["@odata.context"]).toBe(`${origin}${API_PATH}/$metadata#accounts(name)`);
    expect(String(body["@odata.nextLink"]).startsWith(`${origin}${API_PATH}/accounts?`)).toBe(true);
    expect(JSON.stringify(body)).not.toContain(emulator.origin);
  });

  it("passes the server's error answers through unchanged", async () => {
    const res = await fetch(`${origin}${API_PATH}/accounts(00000000-0000-0000-0000-000000000001)`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe("0x80040217");
  });

  it("turns a server that is down into a dropped connection, not an HTTP answer", async () => {
    await emulator.faults.down();
    await expect(fetch(`${origin}${API_PATH}/accounts`)).rejects.toThrow(TypeError);
  });

  it("drops the connection when the server applies a write and then drops its own", async () => {
    emulator.faults.enqueue("reset-after");
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    await expect(
      fetch(`${origin}${API_PATH}/accounts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ accountid: id, name: "Applied, unheard" }),
      }),
    ).rejects.toThrow(TypeError);
    expect(emulator.row("account", id)?.name).toBe("Applied, unheard");
  });

  it("forwards 429 with its Retry-After", async () => {
    emulator.faults.enqueue({ kind: "status", status: 429, retryAfter: 7 });
    const res = await fetch(`${origin}${API_PATH}/accounts`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  it("writes its configured origin into answers whatever the Host header says", async () => {
    emulator.seed("account", [{ name: "A" }, { name: "B" }, { name: "C" }]);
    const { port } = server.address() as AddressInfo;
    const get = (host: string) =>
      new Promise<{ status: number; text: string; entityId?: string }>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            path: `${API_PATH}/accounts?$select=name`,
            headers: { Host: host, Accept: "application/json", Prefer: "odata.maxpagesize=2" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => {
              text += c;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.end();
      });
    const honest = await get(new URL(origin).host);
    for (const host of ['a","injected":"1', "evil.example:8080"]) {
      const answer = await get(host);
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(honest.text);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["@odata.context", "@odata.nextLink", "value"]);
      expect(body["@odata.context"]).toBe(`${origin}${API_PATH}/$metadata#accounts(name)`);
      expect(String(body["@odata.nextLink"]).startsWith(`${origin}${API_PATH}/accounts?`)).toBe(true);
    }
  });
});
