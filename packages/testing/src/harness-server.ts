import type { Emulator, FaultController, RequestLog } from "@xrm-offline/emulator";
import { XrmError, xrmError } from "@xrm-offline/odata";

/**
 * The server side of a harness: read what reached the server, change it as another user would,
 * and break it. Changes made here go through the emulator's own Web API handlers (no HTTP, no
 * token, no faults, not in the request log): they are "someone else", not the device.
 */
export interface HarnessServer {
  /** The service root, e.g. `http://127.0.0.1:40123/api/data/v9.2`. */
  readonly url: string;
  /** Rows of a table (logical name or entity set name) as plain objects by column name. */
  rows(table: string): Record<string, unknown>[];
  /** One row, or undefined. */
  row(table: string, id: string): Record<string, unknown> | undefined;
  count(table: string): number;
  /** Creates rows from Web API bodies (`@odata.bind` lookups, deep insert); returns their ids. */
  seed(table: string, rows: readonly Record<string, unknown>[]): string[];
  /** Another user updates a row (PATCH with `If-Match: *`); a missing row throws. */
  update(table: string, id: string, data: Record<string, unknown>): void;
  /** Another user deletes a row; a missing row throws. */
  delete(table: string, id: string): void;
  /** Latency, scripted or random failures (429, 503, resets), `down()` / `up()`. */
  readonly faults: FaultController;
  /** Every request the device sent (method, url, headers, body, status, fault). */
  readonly requestLog: RequestLog;
  /** Every delta token issued so far expires (the next delta pull makes a full resync). */
  expireDeltaTokens(): void;
  /** The emulator itself, for anything not covered here. */
  readonly emulator: Emulator;
}

function entitySet(emulator: Emulator, table: string): string {
  const e = emulator.metadata.entity(table) ?? emulator.metadata.entityBySetName(table);
  if (!e) throw xrmError("InvalidArgument", `The server has no table '${table}'.`);
  return e.entitySetName;
}

/** The error body of a failed emulator answer as an XrmError (the code and message the device would see). */
function answerError(status: number, body: string | undefined, what: string): XrmError {
  try {
    const parsed = JSON.parse(body ?? "") as { error?: { code?: unknown; message?: unknown } };
    const code = parsed.error?.code;
    const message = parsed.error?.message;
    if (typeof code === "string" && typeof message === "string") {
      return new XrmError({ code, message: `${what}: ${message}`, httpStatus: status });
    }
  } catch {
    // Not JSON: fall through.
  }
  return xrmError("UnexpectedError", `${what}: the server answered ${status}.`);
}

export function createHarnessServer(emulator: Emulator): HarnessServer {
  const write = (method: "PATCH" | "DELETE", table: string, id: string, data?: Record<string, unknown>) => {
    const set = entitySet(emulator, table);
    const res = emulator.handle({
      method,
      path: `${set}(${encodeURIComponent(id)})`,
      headers: { "If-Match": "*", "Content-Type": "application/json" },
      ...(data ? { body: JSON.stringify(data) } : {}),
    });
    if (res.status >= 400)
      throw answerError(res.status, res.body, `server.${method === "PATCH" ? "update" : "delete"}`);
  };
  return {
    url: emulator.url,
    rows: (table) => emulator.rows(table),
    row: (table, id) => emulator.row(table, id),
    count: (table) => emulator.count(table),
    seed: (table, rows) => {
      entitySet(emulator, table);
      return emulator.seed(table, rows);
    },
    update: (table, id, data) => write("PATCH", table, id, data),
    delete: (table, id) => write("DELETE", table, id),
    faults: emulator.faults,
    requestLog: emulator.requestLog,
    expireDeltaTokens: () => emulator.expireDeltaTokens(),
    emulator,
  };
}
