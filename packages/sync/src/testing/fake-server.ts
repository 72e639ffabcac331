import { ERRORS, toErrorCode, type WriteOperation } from "@xrm-offline/odata";
import type {
  RemoteBatchResult,
  RemoteError,
  RemotePort,
  RemoteRecordResult,
  RemoteResult,
  RemoteWrite,
} from "../ports.ts";

/**
 * What happens to the next request (a `$batch` or a single one):
 * - "503" / "500": answered with that status, nothing applied;
 * - "429": throttled with `Retry-After: retryAfterMs`, nothing applied;
 * - "reset-before": the connection drops before the server sees it;
 * - "reset-after": the server applies it, then the connection drops (the answer is lost);
 * - "hang-after": the server applies it and the answer never comes (until the signal aborts):
 *   a client crash in mid-flight;
 * - "truncate-after": applied, but only the first half of the `$batch` answer arrives.
 * - "unreadable-after": applied, then a 2xx answer the client cannot read (cut short, empty, a
 *   captive portal's page, JSON where multipart was due): what the transport adapter reports —
 *   status 200, "unexpected", outcome unknown — for the whole request;
 * - "garble-after": applied; one `$batch` part's answer is unreadable (a single request: as
 *   "unreadable-after").
 */
export type Fault =
  | {
      readonly kind:
        | "503"
        | "500"
        | "reset-before"
        | "reset-after"
        | "hang-after"
        | "truncate-after"
        | "unreadable-after"
        | "garble-after";
    }
  | { readonly kind: "429"; readonly retryAfterMs: number };

export interface ServerRow {
  readonly id: string;
  readonly version: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/** One request as the server saw it. */
export interface RequestLog {
  readonly kind: "single" | "batch" | "retrieve";
  readonly writes: readonly RemoteWrite[];
  readonly fault: Fault["kind"] | null;
}

const code = (name: keyof typeof ERRORS) => toErrorCode(ERRORS[name].code);

/**
 * A small in-memory Dataverse for the engine's unit tests, speaking RemotePort directly:
 * creates with client GUIDs (duplicate → 412 0x80040237), updates with `If-Match` (* or ETag;
 * missing → 404, stale → 412 0x80060882), deletes (missing → 404; lookups pointing at a deleted
 * row are cleared), lookups must point at existing rows (404), and scripted faults.
 */
export class FakeServer implements RemotePort {
  readonly tables: Map<string, Map<string, ServerRow>> = new Map();
  readonly log: RequestLog[] = [];
  /** Every write the server applied, in order. */
  readonly applied: WriteOperation[] = [];
  /** Faults for the next requests, in order. */
  readonly faults: Fault[] = [];
  /** Every request fails like a refused connection while true. */
  down = false;
  /** Per-write verdict before applying it: a permanent or transient error of that write alone. */
  reject?: (write: RemoteWrite) => RemoteError | undefined;
  /** Called for each request before it is processed (tests use it to write mid-flight). */
  onRequest?: (log: RequestLog) => void;
  /** A "hang-after" request is waiting for its signal to abort. */
  hung = 0;
  #version = 1000;

  /** A row as if another user had created or changed it. */
  put(entity: string, id: string, values: Record<string, unknown>): ServerRow {
    const row = { id, version: ++this.#version, values };
    this.#table(entity).set(id, row);
    return row;
  }

  get(entity: string, id: string): ServerRow | undefined {
    return this.tables.get(entity)?.get(id);
  }

  /** All rows of all tables as plain values, sorted: `{ "account(id)": {...} }`. */
  snapshot(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [entity, rows] of [...this.tables].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [id, row] of [...rows].sort(([a], [b]) => a.localeCompare(b)))
        out[`${entity}(${id})`] = { ...row.values };
    }
    return out;
  }

  /** The body as this fake's wire would carry it: columns, and each lookup bound to `/<table>s(<id>)`. */
  bodyOf(operation: WriteOperation): Readonly<Record<string, unknown>> {
    if (operation.kind === "delete") return {};
    const body: Record<string, unknown> = { ...operation.columns };
    for (const b of operation.lookups) {
      body[`${b.navigationProperty}@odata.bind`] =
        b.targetId === null ? null : `/${b.targetEntity}s(${b.targetId})`;
    }
    return body;
  }

  async send(write: RemoteWrite, signal: AbortSignal): Promise<RemoteResult> {
    const { fault, early } = this.#begin("single", [write]);
    if (early) return { ok: false, error: early };
    const result = this.#apply(write);
    const late = await this.#after(fault, signal);
    return late ? { ok: false, error: late } : result;
  }

  async sendBatch(writes: readonly RemoteWrite[], signal: AbortSignal): Promise<RemoteBatchResult> {
    const { fault, early } = this.#begin("batch", writes);
    if (early) return { ok: false, error: early };
    const results = writes.map((w) => this.#apply(w));
    if (fault === "unreadable-after") return { ok: false, error: unreadableAnswer() };
    if (fault === "garble-after") {
      const k = Math.floor(results.length / 2);
      return {
        ok: true,
        results: results.map((r, i) => (i === k ? { ok: false, error: unreadableAnswer() } : r)),
      };
    }
    if (fault === "truncate-after") {
      const kept = Math.floor(results.length / 2);
      return {
        ok: true,
        results: results.map((r, i) =>
          i < kept ? r : { ok: false, error: error(0, "UnexpectedError", "Truncated answer.", true, true) },
        ),
      };
    }
    const late = await this.#after(fault, signal);
    return late ? { ok: false, error: late } : { ok: true, results };
  }

  async retrieve(operation: WriteOperation): Promise<RemoteRecordResult> {
    this.log.push({ kind: "retrieve", writes: [], fault: null });
    if (this.down)
      return { ok: false, error: error(0, "ConnectionFailed", "Connection refused.", true, false) };
    const row = this.get(operation.entityLogicalName, operation.id);
    return { ok: true, record: row ? { ...row.values, "@odata.etag": etagOf(row) } : null };
  }

  #begin(kind: "single" | "batch", writes: readonly RemoteWrite[]) {
    const fault = this.down ? null : (this.faults.shift() ?? null);
    const entry: RequestLog = { kind, writes, fault: this.down ? "reset-before" : (fault?.kind ?? null) };
    this.log.push(entry);
    this.onRequest?.(entry);
    let early: RemoteError | undefined;
    if (this.down) early = error(0, "ConnectionFailed", "Connection refused.", true, false);
    else if (fault?.kind === "503") early = error(503, "UnexpectedError", "Service Unavailable", true, false);
    else if (fault?.kind === "500")
      early = error(500, "UnexpectedError", "Internal Server Error", true, false);
    else if (fault?.kind === "429") {
      early = {
        ...error(429, "ThrottlingRequestCount", undefined, true, false),
        retryAfterMs: fault.retryAfterMs,
      };
    } else if (fault?.kind === "reset-before")
      early = error(0, "ConnectionFailed", "socket hang up", true, true);
    return { fault: fault?.kind ?? null, early };
  }

  async #after(fault: Fault["kind"] | null, signal: AbortSignal): Promise<RemoteError | undefined> {
    if (fault === "reset-after") return error(0, "ConnectionFailed", "socket hang up", true, true);
    if (fault === "unreadable-after" || fault === "garble-after") return unreadableAnswer();
    if (fault === "hang-after") {
      this.hung++;
      await new Promise<void>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }).finally(() => {
        this.hung--;
      });
    }
    return undefined;
  }

  #apply(write: RemoteWrite): RemoteResult {
    const rejected = this.reject?.(write);
    if (rejected) return { ok: false, error: rejected };
    const op = write.operation;
    const table = this.#table(op.entityLogicalName);
    const existing = table.get(op.id);
    if (op.kind === "delete") {
      if (!existing) return { ok: false, error: notFound(op.entityLogicalName, op.id) };
      table.delete(op.id);
      this.#unlink(op.id);
      this.applied.push(op);
      return { ok: true, status: 204 };
    }
    for (const b of op.lookups) {
      if (b.targetId !== null && !this.get(b.targetEntity, b.targetId)) {
        return { ok: false, error: notFound(b.targetEntity, b.targetId) };
      }
    }
    const values: Record<string, unknown> = { ...(existing?.values ?? {}), ...op.columns };
    for (const b of op.lookups) values[`_${b.lookupAttribute}_value`] = b.targetId;
    if (op.kind === "create") {
      if (existing) {
        return { ok: false, error: error(412, "DuplicateRecord", undefined, false, false) };
      }
    } else {
      if (!existing) return { ok: false, error: notFound(op.entityLogicalName, op.id) };
      if (write.ifMatch !== undefined && write.ifMatch !== "*" && write.ifMatch !== etagOf(existing)) {
        return { ok: false, error: error(412, "ConcurrencyVersionMismatch", undefined, false, false) };
      }
    }
    const row = this.put(op.entityLogicalName, op.id, values);
    this.applied.push(op);
    return write.returnEtag ? { ok: true, status: 204, etag: etagOf(row) } : { ok: true, status: 204 };
  }

  /** Dataverse's "remove link" cascade: lookups pointing at a deleted row are cleared. */
  #unlink(id: string): void {
    for (const rows of this.tables.values()) {
      for (const [rowId, row] of rows) {
        const cleared = Object.entries(row.values).filter(
          ([k, v]) => k.startsWith("_") && k.endsWith("_value") && v === id,
        );
        if (cleared.length === 0) continue;
        const values = { ...row.values };
        for (const [k] of cleared) values[k] = null;
        rows.set(rowId, { ...row, values });
      }
    }
  }

  #table(entity: string): Map<string, ServerRow> {
    let t = this.tables.get(entity);
    if (!t) {
      t = new Map();
      this.tables.set(entity, t);
    }
    return t;
  }
}

export function etagOf(row: ServerRow): string {
  return `W/"${row.version}"`;
}

function error(
  status: number,
  name: keyof typeof ERRORS,
  message: string | undefined,
  retryable: boolean,
  outcomeUnknown: boolean,
): RemoteError {
  return {
    status,
    errorCode: code(name),
    message: message ?? ERRORS[name].message,
    retryable,
    outcomeUnknown,
  };
}

/** A 2xx answer that could not be read, as the transport adapter reports it. */
function unreadableAnswer(): RemoteError {
  return error(
    200,
    "UnexpectedError",
    "HTTP 200: the answer is an HTML page; the request may or may not have been applied.",
    true,
    true,
  );
}

function notFound(entity: string, id: string): RemoteError {
  return error(404, "ObjectDoesNotExist", `Entity '${entity}' With Id = ${id} Does Not Exist`, false, false);
}
