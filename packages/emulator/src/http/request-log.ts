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
  /**
   * The body as text: cut at 64 KiB, empty for requests refused before it was read (401, 413,
   * URL too long), and emptied for the oldest entries once the log holds 16 Mi characters.
   */
  readonly body: string;
  /** HTTP status answered; 0 when the connection was dropped or the request never got an answer. */
  status: number;
  /** The injected fault, if any: `"429"`, `"503"`, `"500"`, `"reset-before"`, `"reset-after"`. */
  fault?: string;
  durationMs: number;
}

const MAX_BODY = 64 * 1024;
/** Body text the log holds in all; past it the oldest entries' bodies are dropped (set to ""). */
const MAX_HELD_BODY_CHARS = 16 * 1024 * 1024;

/**
 * A copy of the first `max` characters that does not keep `text` alive: V8 may answer `slice` with
 * a view into the original string, and a log of 64 KiB views would hold every 15 MB body whole.
 */
function detachedPrefix(text: string, max: number): string {
  return text.length > max ? Buffer.from(text.slice(0, max), "utf8").toString("utf8") : text;
}

/** The last `limit` requests (a ring: long runs do not grow memory without bound). */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #limit: number;
  #seq = 0;
  #heldChars = 0;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** Called by the server when a request arrives. */
  start(
    init: Omit<RequestLogEntry, "seq" | "status" | "durationMs" | "body"> & { body: string },
  ): RequestLogEntry {
    const entry: RequestLogEntry = {
      ...init,
      body: detachedPrefix(init.body, MAX_BODY),
      seq: ++this.#seq,
      status: 0,
      durationMs: 0,
    };
    this.#entries.push(entry);
    this.#heldChars += entry.body.length;
    if (this.#entries.length > this.#limit) {
      for (const gone of this.#entries.splice(0, this.#entries.length - this.#limit))
        this.#heldChars -= gone.body.length;
    }
    // Many large bodies: keep every entry, drop the oldest bodies first.
    for (let i = 0; this.#heldChars > MAX_HELD_BODY_CHARS && i < this.#entries.length - 1; i++) {
      const old = this.#entries[i] as { body: string };
      this.#heldChars -= old.body.length;
      old.body = "";
    }
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
    this.#heldChars = 0;
  }
}
