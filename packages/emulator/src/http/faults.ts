import { catalogueEntry, ERRORS } from "@xrm-offline/odata";
import { type AnswerFaultKind, isAnswerFaultKind } from "./answer-faults.ts";
import { jsonResponse, type WireResponse } from "./wire.ts";

/** One injected fault. */
export type FaultSpec =
  /** An error response: 429 (service protection), 500 or 503, with `Retry-After` on 429/503. */
  | {
      readonly kind: "status";
      readonly status: 429 | 500 | 503;
      readonly code?: string;
      readonly message?: string;
      readonly retryAfter?: number;
    }
  /** Drop the connection before the request is processed: nothing is written. */
  | { readonly kind: "reset-before" }
  /** Process (and commit) the request, then drop the connection: the client never hears it worked. */
  | { readonly kind: "reset-after" }
  /** Process (and commit) the request, then spoil its answer (see answer-faults.ts). */
  | { readonly kind: "answer"; readonly answer: AnswerFaultKind }
  /** Let the request through (a gap in a script). */
  | { readonly kind: "pass" };

/** Shorthands: `429`, `"503"`, `"reset-after"`, … */
export type FaultInput =
  | FaultSpec
  | 429
  | 500
  | 503
  | "429"
  | "500"
  | "503"
  | "reset-before"
  | "reset-after"
  | AnswerFaultKind
  | "pass";

export interface FaultRequestInfo {
  readonly method: string;
  /** Path relative to the service root, e.g. `accounts(…)`, `$batch`. */
  readonly path: string;
}

export interface FaultOptions {
  /** Added delay per request, in ms: a number or a range drawn from the seeded generator. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Fraction (0..1) of eligible requests that fail with one of `failWith`. */
  readonly failRate?: number;
  /** What a random failure is (picked uniformly). Default: `[503]`. */
  readonly failWith?: readonly FaultInput[];
  /** Faults applied in order, one per eligible request, before any random failure. */
  readonly script?: readonly FaultInput[];
  /** Default `Retry-After` seconds for 429/503. Default 1. */
  readonly retryAfter?: number;
  /** Seed of the fault random generator (same seed → same sequence). */
  readonly seed?: number;
  /** Which requests faults apply to. Default: every request. */
  readonly appliesTo?: (req: FaultRequestInfo) => boolean;
}

export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault?: FaultSpec;
}

/** mulberry32: small, fast, seedable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalize(input: FaultInput): FaultSpec {
  if (typeof input === "object") return input;
  if (isAnswerFaultKind(input)) return { kind: "answer", answer: input };
  if (input === "reset-before" || input === "reset-after" || input === "pass") return { kind: input };
  return { kind: "status", status: Number(input) as 429 | 500 | 503 };
}

const DEFAULT_CODES: Record<429 | 500 | 503, string> = {
  429: ERRORS.ThrottlingRequestCount.code,
  500: ERRORS.UnexpectedError.code,
  503: ERRORS.UnexpectedError.code,
};

/**
 * Fault injection, changeable at any time (tests flip it mid-run): latency, a scripted sequence,
 * a seeded random failure rate, and a down switch that really closes the listener.
 */
export class FaultController {
  #options: FaultOptions = {};
  #script: FaultSpec[] = [];
  #random: () => number = rng(1);
  #down = false;
  readonly #setDown: (down: boolean) => Promise<void>;
  /** How many faults of each kind were injected (`"429"`, `"503"`, `"reset-after"`, …). */
  readonly injected: Map<string, number> = new Map();

  constructor(setDown: (down: boolean) => Promise<void>, options?: FaultOptions) {
    this.#setDown = setDown;
    if (options) this.set(options);
  }

  /** Replace the whole configuration (the script queue and the generator restart). */
  set(options: FaultOptions): void {
    this.#options = { ...options };
    this.#script = (options.script ?? []).map(normalize);
    this.#random = rng(options.seed ?? 1);
  }

  /** Change some settings, keeping the others (a new `script` replaces the queue; a new `seed` reseeds). */
  update(options: Partial<FaultOptions>): void {
    this.#options = { ...this.#options, ...options };
    if (options.script) this.#script = options.script.map(normalize);
    if (options.seed !== undefined) this.#random = rng(options.seed);
  }

  /** Append faults to the script queue. */
  enqueue(...faults: FaultInput[]): void {
    this.#script.push(...faults.map(normalize));
  }

  /** No latency, no failures, script cleared, counters kept. */
  clear(): void {
    this.set({});
  }

  get options(): FaultOptions {
    return this.#options;
  }

  /** Scripted faults not yet used. */
  get pending(): number {
    return this.#script.length;
  }

  get isDown(): boolean {
    return this.#down;
  }

  /** Close the listener and every open connection: new requests fail with a network error. */
  async down(): Promise<void> {
    if (this.#down) return;
    this.#down = true;
    await this.#setDown(true);
  }

  /** Listen again on the same address. */
  async up(): Promise<void> {
    if (!this.#down) return;
    await this.#setDown(false);
    this.#down = false;
  }

  /** What to do with one request (consumes a script entry / random draw when eligible). */
  decide(req: FaultRequestInfo): FaultDecision {
    const o = this.#options;
    const eligible = o.appliesTo ? o.appliesTo(req) : true;
    const lat = o.latencyMs;
    const latencyMs =
      lat === undefined ? 0 : typeof lat === "number" ? lat : lat.min + this.#random() * (lat.max - lat.min);
    if (!eligible) return { latencyMs };
    let fault: FaultSpec | undefined = this.#script.shift();
    if (!fault && (o.failRate ?? 0) > 0 && this.#random() < o.failRate!) {
      const choices = (o.failWith ?? [503]).map(normalize);
      fault = choices[Math.floor(this.#random() * choices.length)] ?? choices[0];
    }
    if (!fault || fault.kind === "pass") return { latencyMs };
    const label =
      fault.kind === "status"
        ? String(fault.status)
        : fault.kind === "answer"
          ? `answer:${fault.answer}`
          : fault.kind;
    this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
    return { latencyMs, fault };
  }

  /** The error response for a status fault. */
  response(fault: Extract<FaultSpec, { kind: "status" }>): WireResponse {
    const code = fault.code ?? DEFAULT_CODES[fault.status];
    const message =
      fault.message ??
      (fault.status === 503
        ? "Service Unavailable"
        : (catalogueEntry(code)?.message ?? "An unexpected error occurred."));
    const retryAfter = fault.retryAfter ?? this.#options.retryAfter ?? 1;
    const headers: Record<string, string> = fault.status === 500 ? {} : { "Retry-After": String(retryAfter) };
    return jsonResponse(fault.status, { error: { code, message } }, headers);
  }
}
