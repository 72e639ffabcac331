import type { LookupBinding, WriteOperation } from "@xrm-offline/odata";
import type { Prng } from "./prng.ts";

/**
 * Random offline sessions for the model-based fault tests, shared by the fake stack (unit tests)
 * and the real one (store + transport + emulator). Tables and columns are real Dataverse ones so
 * the emulator accepts them.
 */
export type FaultKind =
  | "503"
  | "500"
  | "429"
  | "reset-before"
  | "reset-after"
  | "down"
  | "up"
  | "hang"
  // Answers we can't trust (applied by the server, the answer spoiled on the way back).
  | "truncate"
  | "empty"
  | "html"
  | "json"
  | "garble-status"
  | "missing-parts"
  | "reorder-parts";

/** The answer faults, for the model tests that mix them in. */
export const ANSWER_FAULTS: readonly FaultKind[] = [
  "truncate",
  "empty",
  "html",
  "json",
  "garble-status",
  "missing-parts",
  "reorder-parts",
];

export type Step =
  | { readonly kind: "write"; readonly operation: WriteOperation }
  | { readonly kind: "online"; readonly value: boolean }
  | { readonly kind: "restart" }
  | { readonly kind: "fault"; readonly fault: FaultKind; readonly retryAfterMs?: number }
  | { readonly kind: "wait"; readonly ms: number }
  | { readonly kind: "sync" }
  /** The device's wall clock steps by `ms` (±1 h): NTP, the user, a time zone fix. */
  | { readonly kind: "clock"; readonly ms: number };

interface TableSpec {
  readonly set: string;
  readonly columns: readonly string[];
  readonly lookup: {
    readonly attribute: string;
    readonly navigation: string;
    readonly target: "account" | "contact";
  };
}

export const MODEL_TABLES: Readonly<Record<"account" | "contact", TableSpec>> = {
  account: {
    set: "accounts",
    columns: ["name", "telephone1", "fax"],
    lookup: { attribute: "primarycontactid", navigation: "primarycontactid", target: "contact" },
  },
  contact: {
    set: "contacts",
    columns: ["firstname", "lastname", "telephone1"],
    lookup: { attribute: "parentcustomerid", navigation: "parentcustomerid_account", target: "account" },
  },
};

/** The column every create and update sets to `s<step>`, to check per-record order on the server. */
export const STEP_COLUMN = "description";

export interface SequenceOptions {
  readonly steps: number;
  /** Fault kinds to draw from (the real stack has no "hang"). */
  readonly faults: readonly FaultKind[];
  /** Mix in wall-clock steps of ±1 h. */
  readonly clockSteps?: boolean;
}

/** A deterministic GUID from the PRNG (version 4 layout). */
function randomGuid(rnd: Prng): string {
  const hex = (n: number) => Array.from({ length: n }, () => rnd.int(16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + rnd.int(4)).toString(16)}${hex(3)}-${hex(12)}`;
}

/** A random session: local writes valid against the local state, mixed with faults and flaps. */
export function generateSequence(rnd: Prng, options: SequenceOptions): Step[] {
  const alive: { entity: "account" | "contact"; id: string }[] = [];
  /** Current lookup target of each record (its one lookup column), to delete only unreferenced ones. */
  const pointsAt = new Map<string, string | null>();
  const note = (id: string, lookups: readonly LookupBinding[]) => {
    for (const b of lookups) pointsAt.set(id, b.targetId);
  };
  const steps: Step[] = [];
  let online = true;
  for (let n = 1; n <= options.steps; n++) {
    const r = rnd();
    const marker = { [STEP_COLUMN]: `s${String(n).padStart(4, "0")}` };
    if (r < 0.28 || alive.length === 0) {
      const entity = rnd.pick(["account", "contact"] as const);
      const spec = MODEL_TABLES[entity];
      const id = randomGuid(rnd);
      const lookups = linkMaybe(rnd, spec, alive, 0.4, false);
      steps.push({
        kind: "write",
        operation: create(entity, id, { ...columns(rnd, spec, n), ...marker }, lookups),
      });
      alive.push({ entity, id });
      note(id, lookups);
    } else if (r < 0.55) {
      const target = rnd.pick(alive);
      const spec = MODEL_TABLES[target.entity];
      const lookups = linkMaybe(rnd, spec, alive, 0.25, true);
      note(target.id, lookups);
      steps.push({
        kind: "write",
        operation: {
          kind: "update",
          entityLogicalName: target.entity,
          entitySetName: spec.set,
          id: target.id,
          columns: { ...columns(rnd, spec, n), ...marker },
          lookups,
        },
      });
    } else if (r < 0.62) {
      // Only records no live record points at: what a delete does to lookups pointing at the
      // record depends on each relationship's cascade (remove link, cascade, restrict), which is
      // the server's business, not the replay's.
      const referenced = new Set(alive.map((a) => pointsAt.get(a.id)).filter((t) => t != null));
      const free = alive.filter((a) => !referenced.has(a.id));
      if (free.length === 0) {
        steps.push({ kind: "wait", ms: 1 });
        continue;
      }
      const target = rnd.pick(free);
      alive.splice(alive.indexOf(target), 1);
      pointsAt.delete(target.id);
      steps.push({
        kind: "write",
        operation: {
          kind: "delete",
          entityLogicalName: target.entity,
          entitySetName: MODEL_TABLES[target.entity].set,
          id: target.id,
        },
      });
    } else if (r < 0.68) {
      online = !online;
      steps.push({ kind: "online", value: online });
    } else if (r < 0.73) {
      steps.push({ kind: "restart" });
    } else if (r < 0.85) {
      const fault = rnd.pick(options.faults);
      steps.push(
        fault === "429" ? { kind: "fault", fault, retryAfterMs: 1 + rnd.int(20) } : { kind: "fault", fault },
      );
    } else if (r < 0.95) {
      // A clock step takes some of the waits' share when asked for.
      if (options.clockSteps && rnd.chance(0.3))
        steps.push({ kind: "clock", ms: rnd.chance(0.5) ? -3_600_000 : 3_600_000 });
      else steps.push({ kind: "wait", ms: rnd.int(40) });
    } else {
      steps.push({ kind: "sync" });
    }
  }
  return steps;
}

function create(
  entity: "account" | "contact",
  id: string,
  cols: Record<string, unknown>,
  lookups: LookupBinding[],
): WriteOperation {
  return {
    kind: "create",
    entityLogicalName: entity,
    entitySetName: MODEL_TABLES[entity].set,
    id,
    columns: cols,
    lookups,
    deepInsert: [],
  };
}

function columns(rnd: Prng, spec: TableSpec, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of spec.columns) if (rnd.chance(0.5)) out[c] = `${c}-${n}`;
  return out;
}

function linkMaybe(
  rnd: Prng,
  spec: TableSpec,
  alive: readonly { entity: string; id: string }[],
  p: number,
  mayClear: boolean,
): LookupBinding[] {
  const targets = alive.filter((a) => a.entity === spec.lookup.target);
  const binding = (targetId: string | null): LookupBinding => ({
    navigationProperty: spec.lookup.navigation,
    lookupAttribute: spec.lookup.attribute,
    targetEntity: spec.lookup.target,
    targetId,
  });
  if (targets.length > 0 && rnd.chance(p)) return [binding(rnd.pick(targets).id)];
  if (mayClear && rnd.chance(0.1)) return [binding(null)];
  return [];
}

/**
 * What the server must hold once everything is replayed: the local writes applied in order, with
 * Dataverse's "remove link" cascade on delete. Rows as `{ "<entity>(<id>)": { column: value,
 * _<lookup>_value: id|null } }`.
 */
export class Model {
  readonly rows: Map<string, { entity: string; id: string; values: Record<string, unknown> }> = new Map();

  apply(op: WriteOperation): void {
    const key = `${op.entityLogicalName}(${op.id})`;
    if (op.kind === "delete") {
      this.rows.delete(key);
      for (const row of this.rows.values()) {
        for (const [k, v] of Object.entries(row.values))
          if (k.endsWith("_value") && v === op.id) row.values[k] = null;
      }
      return;
    }
    const values = { ...(this.rows.get(key)?.values ?? {}), ...op.columns };
    for (const b of op.lookups) values[`_${b.lookupAttribute}_value`] = b.targetId;
    this.rows.set(key, { entity: op.entityLogicalName, id: op.id, values });
  }

  snapshot(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const key of [...this.rows.keys()].sort()) out[key] = { ...this.rows.get(key)!.values };
    return out;
  }
}

/**
 * Per record, the step markers of the writes the server applied must never go down (a replay of
 * the same write repeats its marker; merged updates carry the latest), and each record is created
 * once. Returns the problems found.
 */
export function orderProblems(applied: readonly WriteOperation[]): string[] {
  const problems: string[] = [];
  const last = new Map<string, string>();
  const creates = new Map<string, number>();
  const deleted = new Set<string>();
  for (const op of applied) {
    const key = `${op.entityLogicalName}(${op.id})`;
    if (deleted.has(key)) problems.push(`${op.kind} of ${key} applied after its delete`);
    if (op.kind === "delete") {
      deleted.add(key);
      continue;
    }
    if (op.kind === "create") creates.set(key, (creates.get(key) ?? 0) + 1);
    const marker = String(op.columns[STEP_COLUMN]);
    const previous = last.get(key);
    if (previous !== undefined && marker < previous)
      problems.push(`${key}: ${marker} applied after ${previous}`);
    last.set(key, marker);
  }
  for (const [key, n] of creates) if (n !== 1) problems.push(`${key} created ${n} times`);
  return problems;
}

/**
 * The campaign figure of the model-based fault tests (docs/sync.md): over every run, writes lost
 * (a record whose server state differs from the model, or one the server has and the model
 * doesn't), duplicated (a record created twice), reordered (a record's writes applied out of
 * order), spurious failures (any failure left: every write of a session is valid) and stuck entries
 * (anything still queued after the drain).
 */
export interface CampaignTally {
  runs: number;
  lost: number;
  duplicated: number;
  reordered: number;
  spuriousFailures: number;
  stuck: number;
  /** The first seeds with a problem, to replay with SYNC_MODEL_SEED. */
  readonly badSeeds: number[];
}

export function emptyTally(): CampaignTally {
  return { runs: 0, lost: 0, duplicated: 0, reordered: 0, spuriousFailures: 0, stuck: 0, badSeeds: [] };
}

/** JSON with object keys sorted, so that two equal rows compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

/** Records whose server rows differ from the model's (missing, different, or extra). */
export function lostRecords(
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
): number {
  let lost = 0;
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (canonical(expected[key]) !== canonical(actual[key])) lost++;
  }
  return lost;
}

/** Adds one run to `tally`. */
export function addRun(
  tally: CampaignTally,
  seed: number,
  run: { lost: number; duplicated: number; reordered: number; spuriousFailures: number; stuck: number },
): void {
  tally.runs++;
  tally.lost += run.lost;
  tally.duplicated += run.duplicated;
  tally.reordered += run.reordered;
  tally.spuriousFailures += run.spuriousFailures;
  tally.stuck += run.stuck;
  const bad = run.lost + run.duplicated + run.reordered + run.spuriousFailures + run.stuck > 0;
  if (bad && tally.badSeeds.length < 10) tally.badSeeds.push(seed);
}

export function tallyLine(name: string, tally: CampaignTally): string {
  return `CAMPAIGN ${name}: ${tally.runs} runs, ${tally.lost} lost, ${tally.duplicated} duplicated, ${tally.reordered} reordered, ${tally.spuriousFailures} spurious failures, ${tally.stuck} stuck${tally.badSeeds.length > 0 ? ` (seeds ${tally.badSeeds.join(", ")})` : ""}`;
}
