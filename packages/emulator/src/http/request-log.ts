/** One request the emulator received, for tests to assert on. */
export interface RequestLogEntry {
  /** 1, 2, 3… in arrival order. */
  readonly seq: number;
  readonly startedAt: number;
  readonly method: string;
  /** As received: path and query, e.g. `/api/data/v9.2/accounts?$select=name`. */
  readonly url: string;
  /** Relative to the service root, decoded query excluded: `accounts`, `$batch`, `accounts(…)`. */
  readonly path: string;
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (cut at 64 KiB). */
  readonly body: string;
  /** HTTP status answered; 0 when the connection was dropped or the request never got an answer. */
  status: number;
  /** The injected fault, if any: `"429"`, `"503"`, `"500"`, `"reset-before"`, `"reset-after"`. */
  fault?: string;
  durationMs: number;
}

const MAX_BODY = 64 * 1024;

/** The last `limit` requests (a ring: long runs do not grow memory without bound). */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #limit: number;
  #seq = 0;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Called by the server when a request arrives. */
  start(
    init: Omit<RequestLogEntry, "seq" | "status" | "durationMs" | "body"> & { body: string },
  ): RequestLogEntry {
    const entry: RequestLogEntry = {
      ...init,
      body: init.body.length > MAX_BODY ? init.body.slice(0, MAX_BODY) : init.body,
      seq: ++this.#seq,
      status: 0,
      durationMs: 0,
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.splice(0, this.#entries.length - this.#limit);
    return entry;
  }

  /** Entries, oldest first (optionally only those matching `predicate`). */
  entries(predicate?: (e: RequestLogEntry) => boolean): readonly RequestLogEntry[] {
    return predicate ? this.#entries.filter(predicate) : [...this.#entries];
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Total requests received since start (not capped). */
  get total(): number {
    return this.#seq;
  }

  last(): RequestLogEntry | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
