import { type Emulator, type EmulatorOptions, startEmulator } from "../src/index.ts";

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body (undefined when there is none). */
  readonly json: Record<string, unknown> & {
    value?: Record<string, unknown>[];
    error?: { code: string; message: string };
  };
}

/** A tiny JSON client over real HTTP for the tests. */
export function client(emu: Emulator, defaults: Record<string, string> = {}) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> => {
    const url = /^https?:/.test(path) ? path : `${emu.url}/${path}`;
    const init: RequestInit = {
      method,
      headers: {
        Accept: "application/json",
        "OData-MaxVersion": "4.0",
        "OData-Version": "4.0",
        ...(body !== undefined ? { "Content-Type": "application/json; charset=utf-8" } : {}),
        ...defaults,
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    };
    const res = await fetch(url, init);
    const text = await res.text();
    let json: ApiResponse["json"] = {};
    if (text && (res.headers.get("content-type") ?? "").includes("json"))
      json = JSON.parse(text) as ApiResponse["json"];
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call("GET", path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) =>
      call("POST", path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) =>
      call("PATCH", path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call("PUT", path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call("DELETE", path, undefined, headers),
    call,
  };
}

export type Client = ReturnType<typeof client>;

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The GUID at the end of an `OData-EntityId` header. */
export function idFromEntityId(header: string | null): string {
  const m = /\(([0-9a-f-]{36})\)$/.exec(header ?? "");
  if (!m) throw new Error(`no id in OData-EntityId '${header}'`);
  return m[1]!;
}

export async function withEmulator(options: EmulatorOptions = {}): Promise<{ emu: Emulator; api: Client }> {
  const emu = await startEmulator({ database: ":memory:", ...options });
  return { emu, api: client(emu) };
}
