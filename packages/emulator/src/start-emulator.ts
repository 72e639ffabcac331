import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { DELTA_FLOOR_KEY } from "./change-tracking/delta-token.ts";
import { SERVICE_PATH, type ServerContext } from "./context.ts";
import type { FileColumnOptions } from "./files/file-columns.ts";
import { FileStore } from "./files/file-store.ts";
import { dispatch } from "./handlers/dispatch.ts";
import { FaultController, type FaultOptions } from "./http/faults.ts";
import { createRequestListener } from "./http/http-server.ts";
import { RequestLog } from "./http/request-log.ts";
import { checkSiteOptions, type SessionOptions } from "./http/session.ts";
import type { WireRequest, WireResponse } from "./http/wire.ts";
import { loadSchema } from "./schema/schema.ts";
import { RecordStore } from "./storage/record-store.ts";
import { createFromPlan } from "./write/apply-write.ts";
import { buildWritePlan } from "./write/payload.ts";

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** SQLite file path (created with its folder), or `:memory:` (default). */
  readonly database?: string;
  /** CSDL `$metadata` XML, or a Metadata object; default: the bundled tables. */
  readonly metadata?: string | Metadata;
  /** When set, every request must carry `Authorization: Bearer <accessToken>` or gets 401. */
  readonly accessToken?: string;
  /**
   * Cookie sessions, as Dataverse authenticates its own pages: `GET /login` sets the cookie, and Web
   * API requests carrying it (or the bearer token) are accepted, others get 401.
   */
  readonly session?: SessionOptions;
  /** Text web resources by name (`new_/page.html`), served at `/WebResources/<name>` on the same origin. */
  readonly webResources?: Readonly<Record<string, string>>;
  /** Fault injection from the start (change it later through `faults`). */
  readonly faults?: FaultOptions;
  /** Largest accepted request body (default 16 MiB); bigger → 413. */
  readonly maxBodyBytes?: number;
  /** Largest binary upload to a file or image column in one request (default 128 MiB, as Dataverse). */
  readonly maxFileBodyBytes?: number;
  /**
   * File columns by table and their MaxSizeInKB (default 32,768): `{ incident: { new_report: {} } }`.
   * Dataverse leaves file columns out of `$metadata`; image columns (`entityimage`, `new_photo`) are
   * known from it and are named here only to set their MaxSizeInKB (default 10,240, at most 30,720).
   */
  readonly fileColumns?: FileColumnOptions;
  /** The org's MaxUploadFileSize for note and email attachments (default 5,242,880 bytes). */
  readonly maxAttachmentBytes?: number;
  /** How many requests the request log keeps (default 10,000). */
  readonly requestLogLimit?: number;
}

export interface Emulator {
  /** The service root, e.g. `http://127.0.0.1:5555/api/data/v9.2` (no trailing slash). */
  readonly url: string;
  /** `http://127.0.0.1:5555` */
  readonly origin: string;
  readonly port: number;
  readonly metadata: Metadata;
  readonly faults: FaultController;
  readonly requestLog: RequestLog;
  readonly store: RecordStore;
  /** Stored rows of a table (logical name or entity set name), as plain objects by column name. */
  rows(table: string): Record<string, unknown>[];
  /** One stored row, or undefined. */
  row(table: string, id: string): Record<string, unknown> | undefined;
  count(table: string): number;
  /** Create rows through the server's own write path (Web API bodies: binds, deep insert); returns ids. */
  seed(table: string, rows: readonly Record<string, unknown>[]): string[];
  /** Answer a request without HTTP (same handlers; no auth, faults or log). */
  handle(req: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }): WireResponse;
  /** Make every delta token issued so far expired (next use → 0x80044352). */
  expireDeltaTokens(): void;
  /** Delete every row. */
  clear(): void;
  close(): Promise<void>;
}

function tableOf(metadata: Metadata, table: string): EntityMetadata {
  const e = metadata.entity(table) ?? metadata.entityBySetName(table);
  if (!e) throw new Error(`Unknown table '${table}'`);
  return e;
}

function plainRow(row: { version: number; data: Record<string, unknown>; lookups: Record<string, string> }) {
  const out: Record<string, unknown> = { "@odata.etag": `W/"${row.version}"`, ...row.data };
  for (const [prop, logical] of Object.entries(row.lookups)) {
    out[`${prop}@Microsoft.Dynamics.CRM.lookuplogicalname`] = logical;
  }
  return out;
}

/** Start a local Dataverse Web API. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkSiteOptions(options);
  const schema = loadSchema(options.metadata);
  const database = options.database ?? ":memory:";
  if (database !== ":memory:") mkdirSync(dirname(database), { recursive: true });
  const store = new RecordStore(database);
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const ctx: ServerContext = {
    schema,
    store,
    files: new FileStore(store.db),
    ...(options.fileColumns !== undefined ? { fileColumns: options.fileColumns } : {}),
    ...(options.maxAttachmentBytes !== undefined ? { maxAttachmentBytes: options.maxAttachmentBytes } : {}),
    root: () => `${origin}${SERVICE_PATH}`,
    deltaTokenFloor: () => Number(store.metaGet(DELTA_FLOOR_KEY) ?? 0),
  };
  const requestLog = new RequestLog(options.requestLogLimit);
  let server: Server;
  let port = options.port ?? 0;

  const listen = (s: Server) =>
    new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    }).then(() => sleep(10)); // let peers in this process see their sockets close

  const faults = new FaultController(async (down) => {
    if (down) await closeServer(server);
    else {
      server = makeServer();
      await listen(server);
    }
  }, options.faults);

  const listener = createRequestListener({
    dispatch: (req: WireRequest) => dispatch(ctx, req),
    faults,
    log: requestLog,
    site: {
      ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
      ...(options.session !== undefined ? { session: options.session } : {}),
      ...(options.webResources !== undefined ? { webResources: options.webResources } : {}),
    },
    origin: () => origin,
    maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
    maxFileBodyBytes: options.maxFileBodyBytes ?? 128 * 1024 * 1024,
  });
  const makeServer = () => {
    // Node refuses request lines over 16 KiB with a bare 431; Dataverse takes URLs up to 32 KB,
    // so let them through and answer longer ones with a JSON error (http/limits.ts).
    const s = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
      // Last line of defence: a failure while answering must never take the process down.
      listener(req, res).catch(() => {
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "application/json; odata.metadata=minimal" });
          res.end(
            JSON.stringify({ error: { code: "0x80040216", message: "An unexpected error occurred." } }),
          );
        } else res.destroy();
      });
    });
    s.keepAliveTimeout = 5000;
    return s;
  };
  server = makeServer();
  try {
    await listen(server);
  } catch (e) {
    store.close();
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  const shownHost =
    host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  origin = `http://${shownHost}:${port}`;

  return {
    url: `${origin}${SERVICE_PATH}`,
    origin,
    port,
    metadata: schema.metadata,
    faults,
    requestLog,
    store,
    rows: (table) => store.all(tableOf(schema.metadata, table).logicalName).map(plainRow),
    row: (table, id) => {
      const r = store.get(tableOf(schema.metadata, table).logicalName, id.toLowerCase());
      return r ? plainRow(r) : undefined;
    },
    count: (table) => store.count(tableOf(schema.metadata, table).logicalName),
    seed: (table, rows) => {
      const entity = tableOf(schema.metadata, table);
      return store.transaction(() =>
        rows.map((body) => createFromPlan(ctx, buildWritePlan(ctx, entity, body, "create", undefined)).id),
      );
    },
    handle: (req) => {
      const q = req.path.indexOf("?");
      return dispatch(ctx, {
        method: req.method.toUpperCase(),
        path: q < 0 ? req.path : req.path.slice(0, q),
        query: new URLSearchParams(q < 0 ? "" : req.path.slice(q + 1)),
        headers: new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        body: req.body ?? "",
      });
    },
    expireDeltaTokens: () => {
      store.metaSet(DELTA_FLOOR_KEY, String(store.nextVersion()));
      store.persistVersion();
    },
    clear: () => {
      store.clear();
      ctx.files.clear();
    },
    close: async () => {
      if (!faults.isDown) await closeServer(server);
      store.close();
    },
  };
}
