/**
 * The index planner's I/O half: reads the candidate rows of an access plan (access-plan.ts).
 * Strategies, cheapest first:
 * 1. primary key equality: the rows themselves;
 * 2. a narrowing index range with few rows (read as keys only, up to NARROW_LIMIT): those rows —
 *    in primary key order, stopping once the page is full, when the query has no `$orderby`;
 * 3. a walk in query order (first sort key indexed, or the primary key), stopping once the page
 *    is full: the cost of a page is the page, wherever it starts (keyset paging). Ordered by an
 *    indexed column, the walk is tried first on a small budget (a few pages' worth of rows): a
 *    filter that most rows pass (`statecode eq 0`) then costs no narrowing probe at all;
 * 4. ordered by an indexed column, with a narrowing too big to read whole (up to KEYED_LIMIT ids):
 *    a walk of the column's keys that reads only the narrowed rows, in order, until the page is
 *    full (a picker's last name ordered by full name: the matches are spread over the order);
 * 5. otherwise every row of the widest usable narrowing, or of the table (a scan).
 * A narrowing of an `or` reads the union of its parts' ranges. A text column's rows without a key
 * (index-keys.ts, "odd") are read with each of its ranges, and before a walk ordered by it: they
 * are candidates but never count towards filling the page, having no place in the key order.
 */

import {
  compareForSort,
  compileFilter,
  type EvaluationContext,
  normalize,
  type QueryPlan,
  type RowPredicate,
  type SkipPosition,
} from "@xrm-offline/odata";
import type { Collection } from "dexie";
import type { AccessPlan, KeyBounds, Narrowing, Walk } from "./access-plan.ts";
import { compareKeys, intersect, narrowsToNothing, oddWindow } from "./access-plan.ts";

// Loaded together on a page's first read (offline-store.ts imports this module dynamically).
export { planAccess } from "./access-plan.ts";

import { type IndexEntry, type IndexKey, oddProperty } from "./index-keys.ts";
import type { StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/** Batch sizes of the planner (defaults below; tests make them tiny to reach every path). */
export interface PlannerTuning {
  /** Most candidate keys a narrowing may have to be used while a walk could stop early instead. */
  readonly narrowLimit?: number;
  /** Least rows read by the first step of a walk (doubling up to 4000); default: the page. */
  readonly firstChunk?: number;
  /** Rows a walk ordered by an indexed column may read before narrowings are tried, per row needed. */
  readonly walkFirstFactor?: number;
  /** Most candidate ids of an `or` for a keys-only walk (below); default 20,000. */
  readonly keyedLimit?: number;
}

const NARROW_LIMIT = 2000;
const FIRST_CHUNK = 1;
const WALK_FIRST_FACTOR = 4;
/**
 * Most rows that first walk reads, whatever the page size: past this, probing the narrowings
 * (keys only) costs less than reading more rows on the chance the filter is unselective.
 */
const WALK_FIRST_CAP = 256;
const MAX_CHUNK = 4000;
const KEYED_LIMIT = 20_000;
/** Keys are cheap next to rows: a keys-only walk reads this many per step, at most. */
const MAX_KEY_CHUNK = 16_000;

type RecordKey = [string, string];

/** Above every key the store writes (arrays sort after numbers and strings). */
const TOP: never[] = [];

function primaryRange(db: XrmDatabase, entity: string, b: KeyBounds): Collection<StoredRecord, RecordKey> {
  return db.records
    .where("[_entity+_id]")
    .between([entity, b.lower ?? ""], [entity, b.upper ?? TOP], !b.lowerOpen, !b.upperOpen);
}

function valueRange(
  db: XrmDatabase,
  entity: string,
  property: string,
  b: KeyBounds,
): Collection<StoredRecord, RecordKey> {
  return db.records
    .where("_ix")
    .between(
      [entity, property, b.lower ?? Number.NEGATIVE_INFINITY],
      [entity, property, b.upper ?? TOP],
      !b.lowerOpen,
      !b.upperOpen,
    );
}

function rangeOf(
  db: XrmDatabase,
  entity: string,
  n: { property: string; primaryKey: boolean },
  b: KeyBounds,
) {
  return n.primaryKey ? primaryRange(db, entity, b) : valueRange(db, entity, n.property, b);
}

/** Ids a narrowing allows, at most `limit` (+1 to tell "more"); undefined when over the limit. */
async function narrowedIds(
  db: XrmDatabase,
  entity: string,
  n: Narrowing,
  limit: number,
): Promise<string[] | undefined> {
  const ids = new Set<string>();
  for (const part of n.parts) {
    const colls = part.ranges.map((r) => rangeOf(db, entity, part, r));
    for (const r of part.odd ?? []) colls.push(valueRange(db, entity, oddProperty(part.property), r));
    for (const coll of colls) {
      const ask = limit + 1 - ids.size;
      const keys = await (Number.isFinite(ask) ? coll.limit(ask) : coll).primaryKeys();
      for (const k of keys) ids.add(k[1]);
      // A full answer may have been cut short (ids already seen in another part don't add up).
      if (ids.size > limit || keys.length === ask) return undefined;
    }
  }
  return [...ids];
}

/** The row's key in the value index for `property` (as stored, so exactly the index's order). */
function keyIn(row: StoredRecord, property: string): IndexKey {
  const entries = (row as { _ix?: IndexEntry[] })._ix ?? [];
  for (const e of entries) if (e[1] === property) return e[2];
  return Number.NEGATIVE_INFINITY;
}

/**
 * Is the row after the skip position in the query's order (the evaluator's comparison: sort keys,
 * then primary key)? Walks start at the position inclusively; only rows after it fill the page.
 */
function afterPosition(plan: QueryPlan, position: SkipPosition | undefined): RowPredicate {
  if (!position) return () => true;
  const order = plan.orderBy;
  return (row) => {
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!;
      const c = compareForSort(k.type, normalize(k.type, row[k.property]), position.keys[i] ?? null);
      if (c !== 0) return k.descending ? c < 0 : c > 0;
    }
    const id = (normalize("guid", row[plan.primaryKey]) as string | null) ?? "";
    return id > position.id;
  };
}

/** The rows read, and how many of them fill the page (match, and come after the position). */
class Collector {
  readonly rows: StoredRecord[] = [];
  readonly #seen = new Set<string>();
  matched = 0;
  readonly #counts: RowPredicate;
  constructor(counts: RowPredicate) {
    this.#counts = counts;
  }
  add(row: StoredRecord): void {
    if (row._deleted || this.#seen.has(row._id)) return;
    this.#seen.add(row._id);
    this.rows.push(row);
    if (this.#counts(row)) this.matched++;
  }
  /** A candidate outside the walk's order: never counts towards filling the page. */
  addApart(row: StoredRecord): void {
    if (row._deleted || this.#seen.has(row._id)) return;
    this.#seen.add(row._id);
    this.rows.push(row);
  }
}

/** Rows in primary key order from `ids`, fetched in chunks until `needed` match. */
async function fetchInOrder(
  db: XrmDatabase,
  entity: string,
  ids: string[],
  access: AccessPlan,
  out: Collector,
  firstChunk: number,
): Promise<void> {
  const walk = access.walk!;
  ids.sort();
  if (walk.descending) ids.reverse();
  const inRange = ids.filter((id) => {
    const b = walk.bounds;
    const lo = b.lower === undefined ? 1 : compareKeys(id, b.lower);
    const hi = b.upper === undefined ? -1 : compareKeys(id, b.upper);
    return (lo > 0 || (lo === 0 && !b.lowerOpen)) && (hi < 0 || (hi === 0 && !b.upperOpen));
  });
  // One more than needed: a keyset walk starts at the previous page's last row, inclusively.
  let chunk = Math.min(Math.max(firstChunk, access.needed + 1), MAX_CHUNK);
  for (
    let i = 0;
    i < inRange.length && out.matched < access.needed;
    i += chunk, chunk = Math.min(chunk * 2, MAX_CHUNK)
  ) {
    const rows = await db.records.bulkGet(inRange.slice(i, i + chunk).map((id) => [entity, id] as RecordKey));
    for (const row of rows) if (row) out.add(row);
  }
}

/**
 * Reads rows in the walk's order until `needed` match, then the rest of the last key's ties.
 * False when it gave up after reading `budget` rows (those rows stay candidates: a superset).
 */
async function walkInOrder(
  db: XrmDatabase,
  entity: string,
  walk: Walk,
  needed: number,
  out: Collector,
  state: WalkState,
  budget = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  let { bounds, chunk } = state;
  let read = 0;
  for (;;) {
    let coll = rangeOf(db, entity, walk, bounds);
    if (walk.descending) coll = coll.reverse();
    const ask = Math.max(1, Math.min(chunk, budget - read));
    const rows = await coll.limit(ask).toArray();
    read += rows.length;
    for (const row of rows) out.add(row);
    const last = rows.at(-1);
    if (rows.length < ask || !last) return true; // the range's end: `stop` stays undefined
    const lastKey: IndexKey = walk.primaryKey ? last._id : keyIn(last, walk.property);
    if (!walk.primaryKey) {
      // Rows tied with the last one on the sort key: the evaluator orders them by the next keys.
      const ties = await valueRange(db, entity, walk.property, {
        lower: lastKey,
        lowerOpen: false,
        upper: lastKey,
        upperOpen: false,
      }).toArray();
      for (const row of ties) out.add(row);
    }
    if (out.matched >= needed) {
      state.stop = lastKey;
      return true;
    }
    bounds = walk.descending
      ? { ...bounds, upper: lastKey, upperOpen: true }
      : { ...bounds, lower: lastKey, lowerOpen: true };
    state.walked += rows.length;
    // Doubling, but no further than the rows still needed at the share of matches seen so far
    // (+25%): a filter that passes 1 row in 9 reads about 9 per row missing, not twice as many.
    const missing = needed - out.matched;
    const estimate =
      out.matched > 0 ? Math.ceil(((missing * state.walked) / out.matched) * 1.25) : Number.POSITIVE_INFINITY;
    chunk = Math.max(1, Math.min(chunk * 2, MAX_CHUNK, Math.max(missing, estimate)));
    if (read >= budget) {
      // Given up for now: a later walk resumes here instead of reading these rows again.
      state.bounds = bounds;
      state.chunk = chunk;
      return false;
    }
  }
}

/**
 * A walk in the column's order that reads index keys, not rows, and fetches only the rows whose
 * id is in `candidates` (every row that can satisfy one top-level conjunct). For an `or` whose
 * branches match many rows that the walked column doesn't cluster (a picker's last name, ordered
 * by full name): a walk of rows would read every row it passes. Same ending as `walkInOrder`:
 * until `needed` match, then every candidate tied with the last key; `state.stop` as there.
 */
async function keyedWalkInOrder(
  db: XrmDatabase,
  entity: string,
  walk: Walk,
  needed: number,
  out: Collector,
  state: WalkState,
  candidates: ReadonlySet<string>,
): Promise<void> {
  let { bounds, chunk } = state;
  for (;;) {
    // One transaction: the last key read and its ties describe the same state of the index.
    const step = await db.transaction("r", db.records, async () => {
      let coll = rangeOf(db, entity, walk, bounds);
      if (walk.descending) coll = coll.reverse();
      const keys = await coll.limit(chunk).primaryKeys();
      const lastId = keys.at(-1);
      if (!lastId) return undefined;
      const lastRow = walk.primaryKey ? undefined : await db.records.get(lastId);
      const lastKey: IndexKey = walk.primaryKey || !lastRow ? lastId[1] : keyIn(lastRow, walk.property);
      const ties = walk.primaryKey
        ? []
        : await valueRange(db, entity, walk.property, {
            lower: lastKey,
            lowerOpen: false,
            upper: lastKey,
            upperOpen: false,
          }).primaryKeys();
      const wanted = [...keys, ...ties].filter((k) => candidates.has(k[1]));
      const rows = await db.records.bulkGet(wanted);
      return { rows, lastKey, full: keys.length === chunk };
    });
    if (!step) return;
    for (const row of step.rows) if (row) out.add(row);
    if (!step.full) return; // the range's end: `stop` stays undefined
    if (out.matched >= needed) {
      state.stop = step.lastKey;
      return;
    }
    bounds = walk.descending
      ? { ...bounds, upper: step.lastKey, upperOpen: true }
      : { ...bounds, lower: step.lastKey, lowerOpen: true };
    chunk = Math.min(chunk * 2, MAX_KEY_CHUNK);
  }
}

/** Where a walk continues: the rest of its range, and the size of its next read. */
interface WalkState {
  /** The range the walk began with (the window of odd text to read starts there). */
  readonly start: KeyBounds;
  bounds: KeyBounds;
  chunk: number;
  /** Rows walked so far (all calls), for the share of matches. */
  walked: number;
  /** The key the walk stopped at, page full (undefined: it reached the end of its range). */
  stop?: IndexKey;
}

/**
 * The candidate rows of a query (live rows only, bookkeeping included): a superset of the rows
 * its page needs, for `evaluateQuery` to filter, order and page exactly as over the whole table.
 */
export async function planRows(
  db: XrmDatabase,
  plan: QueryPlan,
  access: AccessPlan,
  context: Omit<EvaluationContext, "resolveRelated">,
  tableSize: () => Promise<number>,
  tuning: PlannerTuning = {},
): Promise<StoredRecord[]> {
  const firstChunk = tuning.firstChunk ?? FIRST_CHUNK;
  const entity = plan.entity;
  // With `needed` finite the filter reads no related rows (access-plan.ts), so it runs here.
  let counts: RowPredicate = () => true;
  if (Number.isFinite(access.needed)) {
    const predicate = compileFilter(plan, context);
    const after = afterPosition(plan, access.position);
    counts = (row) => after(row) && predicate(row);
  }
  const out = new Collector(counts);
  const points = access.narrowings.find(
    (n) =>
      n.parts.length === 1 &&
      n.parts[0]!.primaryKey &&
      n.parts[0]!.ranges.every((r) => r.lower !== undefined && r.lower === r.upper),
  )?.parts[0];
  if (points) {
    const rows = await db.records.bulkGet(points.ranges.map((r) => [entity, r.lower as string] as RecordKey));
    for (const row of rows) if (row) out.add(row);
    return out.rows;
  }
  if (access.narrowings.some(narrowsToNothing)) return [];
  let walkState: WalkState | undefined;
  const newWalk = (bounds: KeyBounds): WalkState => ({
    start: bounds,
    bounds,
    // One more than needed: a keyset walk starts at the previous page's last row, inclusively.
    chunk: Math.min(Math.max(firstChunk, access.needed + 1), MAX_CHUNK),
    walked: 0,
  });
  const walk = async (budget?: number, candidates?: ReadonlySet<string>): Promise<boolean> => {
    const w = access.walk!;
    walkState ??= newWalk(w.bounds);
    const start = walkState.start;
    let done = true;
    if (candidates) await keyedWalkInOrder(db, entity, w, access.needed, out, walkState, candidates);
    else done = await walkInOrder(db, entity, w, access.needed, out, walkState, budget);
    // Walked by text: the rows without a key that may sort within the walked window, apart.
    if (done && w.odd) {
      const stop = walkState.stop;
      const text = (k: IndexKey | undefined) => (typeof k === "string" ? k : undefined);
      // A walk that ended on null keys (ascending) saw no text: odd text sorts after it.
      const low = w.descending ? (stop === undefined ? start.lower : stop) : start.lower;
      const high = w.descending ? start.upper : stop === undefined ? start.upper : stop;
      const empty = typeof low === "string" && typeof high === "string" && low > high;
      if (typeof high !== "number" && !empty) {
        for (const r of oddWindow(text(low), text(high))) {
          for (const row of await valueRange(db, entity, oddProperty(w.property), r).toArray())
            out.addApart(row);
        }
      }
    }
    return done;
  };

  // Ordered by an indexed column: walk first on a small budget; most pages end there. An `or`
  // or a text prefix on another column is usually selective (type-ahead): its keys are counted
  // first, up to that budget, and if they fit, those rows are read instead of walking.
  const walkFirst =
    access.walk && !access.walk.primaryKey && access.narrowings.length > 0 && Number.isFinite(access.needed);
  const budget = Math.min(access.needed * (tuning.walkFirstFactor ?? WALK_FIRST_FACTOR), WALK_FIRST_CAP);
  if (walkFirst) {
    for (const n of access.narrowings) {
      if (n.parts.length < 2 && !n.parts.some((p) => p.odd && p.property !== access.walk!.property)) continue;
      const ids = await narrowedIds(db, entity, n, budget);
      if (!ids) continue;
      const rows = await db.records.bulkGet(ids.map((id) => [entity, id] as RecordKey));
      for (const row of rows) if (row) out.add(row);
      return out.rows;
    }
  }
  // An `or` with one range on the walk's column (`startswith(fullname,…) or startswith(lastname,…)`
  // ordered by fullname) whose other branches hold few rows (up to the walk-first cap): those are
  // read whole, apart, and the walk keeps to that range — it stops early there instead of walking
  // the column from its start. With more rows in the other branches, a walk from the start
  // (below) reads about a page ÷ their share, which is cheaper than reading them all.
  if (walkFirst) {
    for (const n of access.narrowings) {
      const own = n.parts.filter((p) => !p.primaryKey && p.property === access.walk!.property);
      if (n.parts.length < 2 || own.length !== 1 || own[0]!.ranges.length !== 1) continue;
      const rest = await narrowedIds(
        db,
        entity,
        { parts: n.parts.filter((p) => p !== own[0]) },
        Math.min(tuning.narrowLimit ?? NARROW_LIMIT, WALK_FIRST_CAP),
      );
      if (!rest) continue;
      const rows = await db.records.bulkGet(rest.map((id) => [entity, id] as RecordKey));
      for (const row of rows) if (row) out.addApart(row);
      walkState = newWalk(intersect(access.walk!.bounds, own[0]!.ranges[0]!));
      await walk();
      return out.rows;
    }
  }
  if (walkFirst && (await walk(budget))) {
    return out.rows;
  }

  let best: string[] | undefined;
  const limit =
    Number.isFinite(access.needed) && access.walk
      ? (tuning.narrowLimit ?? NARROW_LIMIT)
      : Number.POSITIVE_INFINITY;
  for (const n of access.narrowings) {
    const ids = await narrowedIds(db, entity, n, best ? Math.min(best.length, limit) : limit);
    if (ids && (!best || ids.length < best.length)) best = ids;
  }
  // Ordered by an indexed column: the narrowed rows must all be read, a walk reads about
  // needed × size ÷ matches rows. Take the cheaper (the table size is an estimate).
  if (best && access.walk && !access.walk.primaryKey && Number.isFinite(access.needed)) {
    const size = await tableSize();
    if (best.length * best.length > access.needed * size) best = undefined;
  }
  if (best) {
    if (access.walk?.primaryKey && Number.isFinite(access.needed)) {
      await fetchInOrder(db, entity, best, access, out, firstChunk);
    } else {
      const rows = await db.records.bulkGet(best.map((id) => [entity, id] as RecordKey));
      for (const row of rows) if (row) out.add(row);
    }
    return out.rows;
  }
  // Too many narrowed rows to read them all, and a walk of rows reads every row it passes: when
  // a narrowing still holds few rows next to the table (up to KEYED_LIMIT ids, keys only), walk
  // the column's keys and read just those rows (the last-name picker ordered by full name).
  if (access.walk && !access.walk.primaryKey && Number.isFinite(access.needed)) {
    for (const n of access.narrowings) {
      const ids = await narrowedIds(db, entity, n, tuning.keyedLimit ?? KEYED_LIMIT);
      if (!ids) continue;
      await walk(undefined, new Set(ids));
      return out.rows;
    }
  }
  if (access.walk && Number.isFinite(access.needed)) {
    await walk();
    return out.rows;
  }
  const all = await primaryRange(db, entity, { lowerOpen: false, upperOpen: false }).toArray();
  for (const row of all) out.add(row);
  return out.rows;
}
