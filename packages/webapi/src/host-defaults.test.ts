import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { of } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { createWebApi } from "./create-web-api.ts";
import { hostDefaults } from "./host-defaults.ts";

const USER = "{7D577253-3EF0-4A0A-BB7F-8335C2596E70}";
const ACCOUNT = "00000000-0000-4000-8000-0000000000a1";

function xrmHost(clientUrl: unknown, userId: unknown = USER) {
  return {
    Xrm: {
      Utility: { getGlobalContext: () => ({ getClientUrl: () => clientUrl, userSettings: { userId } }) },
    },
  };
}

describe("hostDefaults: the model-driven app's org and user", () => {
  it("reads Xrm.Utility.getGlobalContext(): the Web API under getClientUrl() and the user id", () => {
    expect(hostDefaults(xrmHost("https://contoso.crm4.dynamics.com"))).toEqual({
      serverUrl: "https://contoso.crm4.dynamics.com/api/data/v9.2",
      userId: "7d577253-3ef0-4a0a-bb7f-8335c2596e70",
    });
    // On-premises: the org name is part of the client URL.
    expect(hostDefaults(xrmHost("https://crm.contoso.local/Contoso/", null))).toEqual({
      serverUrl: "https://crm.contoso.local/Contoso/api/data/v9.2",
    });
  });

  it("falls back to GetGlobalContext() (ClientGlobalContext.js.aspx in an HTML web resource)", () => {
    const scope = {
      GetGlobalContext: () => ({ getClientUrl: () => "https://org.example", userSettings: {} }),
    };
    expect(hostDefaults(scope)).toEqual({ serverUrl: "https://org.example/api/data/v9.2" });
  });

  it("is undefined outside a model-driven app or with a context that has no client URL", () => {
    expect(hostDefaults({})).toBeUndefined();
    expect(hostDefaults({ Xrm: {} })).toBeUndefined();
    expect(hostDefaults({ Xrm: { Utility: { getGlobalContext: () => null } } })).toBeUndefined();
    expect(
      hostDefaults({
        Xrm: {
          Utility: {
            getGlobalContext: () => {
              throw new Error("not ready");
            },
          },
        },
      }),
    ).toBeUndefined();
    expect(hostDefaults(xrmHost(""))).toBeUndefined();
    expect(hostDefaults(xrmHost(42))).toBeUndefined();
    // A malformed user id is left out rather than put into the database name.
    expect(hostDefaults(xrmHost("https://org.example", "me"))).toEqual({
      serverUrl: "https://org.example/api/data/v9.2",
    });
  });
});

describe("createWebApi inside a model-driven app (same-origin mode)", () => {
  const g = globalThis as { Xrm?: unknown };
  afterEach(() => {
    delete g.Xrm;
  });

  function recordingFetch() {
    const calls: {
      url: string;
      credentials: RequestCredentials | undefined;
      authorization: string | null;
    }[] = [];
    const fetchImpl: typeof fetch = async (input, init) => {
      calls.push({
        url: String(input),
        credentials: init?.credentials,
        authorization: new Headers(init?.headers).get("Authorization"),
      });
      return new Response(JSON.stringify({ accountid: ACCOUNT, name: "Contoso" }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    };
    return { calls, fetchImpl };
  }

  it("without serverUrl or getAccessToken: the org's Web API with the session cookie, one database per user", async () => {
    g.Xrm = xrmHost("https://contoso.crm4.dynamics.com").Xrm;
    const indexedDB = new IDBFactory();
    const { calls, fetchImpl } = recordingFetch();
    const api = createWebApi({
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
      fetch: fetchImpl,
      connectivity: of(false),
    });
    await api.online.retrieveRecord("account", ACCOUNT, "?$select=name");
    expect(calls).toEqual([
      {
        url: `https://contoso.crm4.dynamics.com/api/data/v9.2/accounts(${ACCOUNT})?$select=name`,
        credentials: "same-origin",
        authorization: null,
      },
    ]);
    await api.close();
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual([
      "xrm-offline:contoso.crm4.dynamics.com:7d577253-3ef0-4a0a-bb7f-8335c2596e70",
    ]);
  });

  it("an explicit serverUrl wins; serverUrl: null stays offline only", async () => {
    g.Xrm = xrmHost("https://contoso.crm4.dynamics.com").Xrm;
    const { calls, fetchImpl } = recordingFetch();
    const indexedDB = new IDBFactory();
    const explicit = createWebApi({
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
      fetch: fetchImpl,
      connectivity: of(false),
      serverUrl: "https://other.example/api/data/v9.2",
    });
    await explicit.online.retrieveRecord("account", ACCOUNT);
    await explicit.close();
    expect(calls.map((c) => c.url)).toEqual([`https://other.example/api/data/v9.2/accounts(${ACCOUNT})`]);

    const offline = createWebApi({
      metadata: bundledMetadata(),
      indexedDB,
      IDBKeyRange,
      fetch: fetchImpl,
      serverUrl: null,
    });
    await expect(offline.online.retrieveRecord("account", ACCOUNT)).rejects.toMatchObject({
      errorCode: expect.any(Number),
    });
    await offline.close();
    expect(calls).toHaveLength(1);
    expect((await indexedDB.databases()).map((d) => d.name).sort()).toEqual([
      "xrm-offline:local",
      "xrm-offline:other.example",
    ]);
  });
});
