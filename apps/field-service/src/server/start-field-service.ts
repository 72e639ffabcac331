import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Emulator, seedDemoData, startEmulator } from "@xrm-offline/emulator";
import { API_PATH, proxyApiRequest } from "./api-proxy.ts";
import { DEFAULT_DIST } from "./app-paths.ts";
import { buildFieldService } from "./build-field-service.ts";
import { serveStatic } from "./static-files.ts";

export interface FieldServiceOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /**
   * The Web API behind `/api/data/v9.2`: a running emulator (or anything with an `origin`).
   * Absent: an in-memory emulator seeded with the demo data is started, and closed with the server.
   */
  readonly emulator?: Pick<Emulator, "origin">;
  /** The built app. Default: apps/field-service/dist. */
  readonly distDir?: string;
  /**
   * The origin browsers reach this server at, written into the absolute URLs of Web API answers
   * (`@odata.context`, `@odata.nextLink`, `OData-EntityId`). Default: `http://<host>:<port>` as
   * listened on. Set it when the server sits behind a reverse proxy or listens on 0.0.0.0.
   */
  readonly publicOrigin?: string;
  /** "if-missing" (default): build when `distDir` has no index.html; true: always; false: never. */
  readonly build?: boolean | "if-missing";
}

export interface FieldService {
  /** The app: `http://127.0.0.1:4173/`. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  /** The Web API as the app sees it (same origin): `http://127.0.0.1:4173/api/data/v9.2`. */
  readonly serverUrl: string;
  /** The emulator this server started, when it started one. */
  readonly ownEmulator: Emulator | undefined;
  close(): Promise<void>;
}

function originOf(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new Error(`publicOrigin must be an http(s) origin such as https://app.example.com, got '${text}'`);
  return url.origin;
}

/**
 * Serve the field-service PWA and, on the same origin, the Web API it talks to (proxied), so the
 * browser needs no CORS and the service worker's scope covers both.
 */
export async function startFieldService(options: FieldServiceOptions = {}): Promise<FieldService> {
  const distDir = options.distDir ?? DEFAULT_DIST;
  const configuredOrigin = options.publicOrigin === undefined ? undefined : originOf(options.publicOrigin);
  const mode = options.build ?? "if-missing";
  if (mode === true || (mode === "if-missing" && !existsSync(join(distDir, "index.html")))) {
    await buildFieldService(distDir);
  }
  let ownEmulator: Emulator | undefined;
  let api = options.emulator;
  if (!api) {
    ownEmulator = await startEmulator();
    seedDemoData(ownEmulator);
    api = ownEmulator;
  }
  const target = api;
  // Known once listening (the port may be picked by the system); requests only arrive after that.
  let origin = "";
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === API_PATH || path.startsWith(`${API_PATH}/`) || path.startsWith(`${API_PATH}?`)) {
      proxyApiRequest(req, res, { target: () => target.origin, origin: () => origin });
      return;
    }
    serveStatic(distDir, req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  origin = configuredOrigin ?? `http://${shownHost}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    serverUrl: `${origin}${API_PATH}`,
    ownEmulator,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await ownEmulator?.close();
    },
  };
}
