/**
 * The index planner's pure half: which index ranges can narrow a query's rows, whether the rows
 * can be walked in the query's order, and how many matching rows a page needs. The other half
 * (plan-rows.ts) reads IndexedDB. Whatever the plan, the rows it yields go through odata's
 * `evaluateQuery` — the same filter, sort, paging and projection as a full scan — so an access
 * plan only has to yield a superset of the rows the page needs, never the page itself:
 * - a narrowing yields every row that can satisfy one top-level conjunct (a superset of the
 *   matches);
 * - a walk yields rows in the order of the first sort key until `needed` rows match, plus every
 *   row tied with the last one on that key, so the first `needed` matches in full query order
 *   are all among them.
 * Text keys (odata's `textKey`) order as the evaluator's collator and hold the folded text
 * `startswith` matches on, but only for text made of characters the collator weighs one by one;
 * the other rows of a text column ("odd": ß, other scripts, symbols) are read with every range or
 * walk of it (`ColumnRanges.odd`), never skipped. Text equality and comparisons (`eq`, `gt`) stay
 * with the evaluator: `ß` equals `ss` there, which no key range finds.
 * A top-level `or` (or an `or` conjunct) narrows when each branch does: the union of the branches'
 * ranges.
 */
import {
  type ColumnRef,
  decodeSkipToken,
  type FilterNode,
  MAX_PAGE_SIZE,
  normalizeLiteral,
  type QueryPlan,
  type SkipPosition,
  textKey,
  textKeyHead,
} from "@xrm-offline/odata";
import type { IndexedColumn } from "./index-columns.ts";
import { type IndexKey, keyOfNormalized, NULL_KEY } from "./index-keys.ts";

/** A key range; an absent bound is open-ended (lower: from null up; upper: above every key). */
export interface KeyBounds {
  readonly lower?: IndexKey;
  readonly lowerOpen: boolean;
  readonly upper?: IndexKey;
  readonly upperOpen: boolean;
}

/** One indexed column (or the primary key) and the key ranges a conjunct allows on it. */
export interface ColumnRanges {
  readonly property: string;
  readonly primaryKey: boolean;
  /** Union of ranges (several for `in`); empty (and not `odd`): no row can match. */
  readonly ranges: readonly KeyBounds[];
  /**
   * A text column: ranges of its odd entries (rows without a key, by head: `oddProperty`) whose
   * rows are candidates too; undefined for other columns.
   */
  readonly odd?: readonly KeyBounds[];
}

/** Rows that can satisfy one top-level conjunct: those of any part (one part; or one per branch of an `or`). */
export interface Narrowing {
  readonly parts: readonly ColumnRanges[];
}

export interface Walk {
  readonly property: string;
  readonly primaryKey: boolean;
  /** A text column: its odd rows are read apart (they have no place in the key order). */
  readonly odd: boolean;
  readonly descending: boolean;
  readonly bounds: KeyBounds;
}

export interface AccessPlan {
  readonly narrowings: readonly Narrowing[];
  /** Present when rows can be read in the query's order (first sort key indexed, or none). */
  readonly walk?: Walk;
  /** Matching rows the page needs, counting one past it (for `moreRecords`); Infinity: all. */
  readonly needed: number;
  /** Where the previous page ended (from `$skiptoken`). */
  readonly position?: SkipPosition;
}

const ALL: KeyBounds = { lowerOpen: false, upperOpen: false };

/** Can no row satisfy the narrowing? */
export function narrowsToNothing(n: Narrowing): boolean {
  return n.parts.every((p) => p.ranges.length === 0 && !p.odd?.length);
}

/**
 * Heads under which odd text may sort in the key window [low, high] (either open-ended when
 * absent; inclusive): a head in the window, or a proper prefix of `low` (the text sorts after its
 * head, within the head's prefix range, so it may reach into the window).
 */
export function oddWindow(low: string | undefined, high: string | undefined): KeyBounds[] {
  const out: KeyBounds[] = [
    {
      ...(low !== undefined ? { lower: low } : {}),
      lowerOpen: false,
      ...(high !== undefined ? { upper: high } : {}),
      upperOpen: false,
    },
  ];
  if (low !== undefined) for (let i = 0; i < low.length; i++) out.push(point(low.slice(0, i)));
  return out;
}

/**
 * Heads of odd text that can start with `prefix` (`startswith`): heads starting with its key, and
 * the key's proper prefixes (a head stops where the text has a character without a key). A prefix
 * without a key can only be started by odd text whose head is a prefix of the prefix's head.
 */
function oddScopeOf(prefix: string): KeyBounds[] {
  const key = textKey(prefix);
  if (key === undefined) {
    const head = textKeyHead(prefix);
    return [...oddWindow(head, head)];
  }
  const end = prefixEnd(key);
  return [
    { lower: key, lowerOpen: false, ...(end !== undefined ? { upper: end } : {}), upperOpen: true },
    ...oddWindow(key, key).slice(1),
  ];
}

/** IndexedDB's order of the keys used here: numbers (null is -Infinity) before strings. */
export function compareKeys(a: IndexKey, b: IndexKey): number {
  if (typeof a !== typeof b) return typeof a === "number" ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The intersection of two ranges. */
export function intersect(a: KeyBounds, b: KeyBounds): KeyBounds {
  let lower = a.lower;
  let lowerOpen = a.lowerOpen;
  if (b.lower !== undefined) {
    const c = lower === undefined ? -1 : compareKeys(lower, b.lower);
    if (c < 0) {
      lower = b.lower;
      lowerOpen = b.lowerOpen;
    } else if (c === 0) lowerOpen ||= b.lowerOpen;
  }
  let upper = a.upper;
  let upperOpen = a.upperOpen;
  if (b.upper !== undefined) {
    const c = upper === undefined ? 1 : compareKeys(upper, b.upper);
    if (c > 0) {
      upper = b.upper;
      upperOpen = b.upperOpen;
    } else if (c === 0) upperOpen ||= b.upperOpen;
  }
  return {
    ...(lower !== undefined ? { lower } : {}),
    lowerOpen,
    ...(upper !== undefined ? { upper } : {}),
    upperOpen,
  };
}

export function isEmpty(b: KeyBounds): boolean {
  if (b.lower === undefined || b.upper === undefined) return false;
  const c = compareKeys(b.lower, b.upper);
  return c > 0 || (c === 0 && (b.lowerOpen || b.upperOpen));
}

const point = (key: IndexKey): KeyBounds => ({ lower: key, lowerOpen: false, upper: key, upperOpen: false });

/** The smallest string above every string starting with `prefix`; undefined when there is none. */
function prefixEnd(prefix: string): string | undefined {
  let p = prefix;
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 0xffff) p = p.slice(0, -1);
  if (p.length === 0) return undefined;
  return p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
}

/** The column a conjunct constrains, if an index holds it with the same comparison type. */
function indexedColumn(
  col: ColumnRef,
  plan: QueryPlan,
  columns: ReadonlyMap<string, IndexedColumn>,
): { primaryKey: boolean; nulls: boolean } | undefined {
  if (col.via || col.lookupTarget) return undefined;
  if (col.property === plan.primaryKey)
    return col.type === "guid" ? { primaryKey: true, nulls: true } : undefined;
  const c = columns.get(col.property);
  return c && c.type === col.type ? { primaryKey: false, nulls: c.nulls } : undefined;
}

/** Key ranges a conjunct allows on its column (a superset of the rows it matches), if any. */
function rangesOf(node: FilterNode): readonly KeyBounds[] | undefined {
  if (node.kind === "function") {
    if (node.fn !== "startswith" || node.column.type !== "string") return undefined;
    const lower = textKey(node.value);
    // A prefix without a key (ß…) starts no keyed text: only the column's odd rows can match.
    if (lower === undefined) return [];
    const upper = prefixEnd(lower);
    // `lower` inclusive, `upper` exclusive: the keys starting with the prefix's key.
    return [{ lower, lowerOpen: false, ...(upper !== undefined ? { upper } : {}), upperOpen: true }];
  }
  if (node.kind === "in") {
    if (node.column.type === "string") return undefined;
    const keys = new Map<string, IndexKey>();
    for (const lit of node.values) {
      const n = normalizeLiteral(node.column.type, lit);
      if (n === null) continue;
      const k = keyOfNormalized(n);
      keys.set(`${typeof k}:${k}`, k);
    }
    return [...keys.values()].map(point);
  }
  if (node.kind !== "compare" || node.value.type === "column" || node.op === "ne") return undefined;
  const type = node.column.type;
  if (type === "string") return undefined;
  const n = normalizeLiteral(type, node.value);
  // A literal that reads as null: `eq` matches the null rows, every ordering comparison nothing.
  if (n === null) return node.op === "eq" ? [point(NULL_KEY)] : [];
  const key = keyOfNormalized(n);
  switch (node.op) {
    case "eq":
      return [point(key)];
    case "gt":
      return [{ lower: key, lowerOpen: true, upperOpen: false }];
    case "ge":
      return [{ lower: key, lowerOpen: false, upperOpen: false }];
    // Below a value but above null: an ordering comparison with null is false.
    case "lt":
      return [{ lower: NULL_KEY, lowerOpen: true, upper: key, upperOpen: true }];
    case "le":
      return [{ lower: NULL_KEY, lowerOpen: true, upper: key, upperOpen: false }];
  }
}

type Columns = ReadonlyMap<string, IndexedColumn>;
type Ranges = { property: string; primaryKey: boolean; ranges: KeyBounds[]; odd?: KeyBounds[] };

/** The ranges of each column the leaf conjuncts constrain: ranges of one column intersect (`ge a and lt b`). */
function columnRangesOf(
  conjuncts: readonly FilterNode[],
  plan: QueryPlan,
  columns: Columns,
): Map<string, Ranges> {
  const byColumn = new Map<string, Ranges>();
  for (const node of conjuncts) {
    if (node.kind !== "compare" && node.kind !== "function" && node.kind !== "in") continue;
    const col = indexedColumn(node.column, plan, columns);
    if (!col) continue;
    // startswith reads the text key: only a string column of the value index has it.
    if (node.kind === "function" && col.primaryKey) continue;
    const ranges = rangesOf(node);
    if (!ranges) continue;
    // `eq null` needs the null entries; other ranges never include null.
    if (!col.nulls && ranges.some((r) => r.lower === NULL_KEY && !r.lowerOpen)) continue;
    const property = node.column.property;
    const prev = byColumn.get(property);
    // Text: its odd rows that can satisfy the conjunct (startswith; the only text conjunct here).
    const odd = node.kind === "function" ? { odd: oddScopeOf(node.value) } : {};
    if (!prev) {
      // With several conjuncts on one column, the first one's odd scope stays: a superset.
      byColumn.set(property, { property, primaryKey: col.primaryKey, ranges: [...ranges], ...odd });
    } else if (prev.ranges.length === 1 && ranges.length === 1) {
      prev.ranges[0] = intersect(prev.ranges[0]!, ranges[0]!);
    } else if (ranges.length < prev.ranges.length) {
      prev.ranges = [...ranges];
    }
  }
  for (const c of byColumn.values()) c.ranges = c.ranges.filter((r) => !isEmpty(r));
  return byColumn;
}

/**
 * How selective a column's ranges look, without reading: primary keys, then ids (lookups), then
 * text prefixes (type-ahead), then other points (`statecode eq 1` may be most rows), then ranges.
 */
function looseness(c: Ranges, columns: Columns): number {
  const points = c.ranges.every((r) => r.lower !== undefined && r.lower === r.upper);
  if (points && c.primaryKey) return 0;
  if (points && columns.get(c.property)?.type === "guid") return 1;
  if (c.odd && c.ranges.every((r) => r.lower !== "")) return 2;
  if (points) return 3;
  if (c.ranges.every((r) => r.lower !== undefined && r.upper !== undefined && r.lower !== NULL_KEY)) return 4;
  return 5;
}

/**
 * The parts of an `or`: each branch's rows (a leaf, an `and` of conjuncts — the tightest-looking
 * of their columns —, or a nested `or`); undefined when a branch has no index range.
 */
function unionOf(node: FilterNode, plan: QueryPlan, columns: Columns): ColumnRanges[] | undefined {
  if (node.kind === "or") {
    const parts: ColumnRanges[] = [];
    for (const child of node.children) {
      const p = unionOf(child, plan, columns);
      if (!p) return undefined;
      parts.push(...p);
    }
    return parts;
  }
  const conjuncts = node.kind === "and" ? node.children : [node];
  const own = [...columnRangesOf(conjuncts, plan, columns).values()];
  const best = own.sort((a, b) => looseness(a, columns) - looseness(b, columns))[0];
  if (best) return [best];
  for (const c of conjuncts) {
    const parts = c.kind === "or" ? unionOf(c, plan, columns) : undefined;
    if (parts) return parts;
  }
  return undefined;
}

/** Does evaluating the filter need related rows (lookup paths, FetchXML inner joins)? */
function needsRelated(plan: QueryPlan): boolean {
  if (plan.expand.some((e) => e.required)) return true;
  const visit = (n: FilterNode): boolean => {
    switch (n.kind) {
      case "and":
      case "or":
        return n.children.some(visit);
      case "not":
        return visit(n.operand);
      case "compare":
        return n.column.via !== undefined || (n.value.type === "column" && n.value.column.via !== undefined);
      default:
        return n.column.via !== undefined;
    }
  };
  return plan.filter !== undefined && visit(plan.filter);
}

function pageSizeOf(maxPageSize: number | undefined): number {
  // Invalid sizes are the evaluator's to reject; plan for one page of the default size meanwhile.
  if (maxPageSize === undefined || !Number.isInteger(maxPageSize) || maxPageSize < 1) return MAX_PAGE_SIZE;
  return Math.min(maxPageSize, MAX_PAGE_SIZE);
}

/** The access plan of a query over the rows of `plan.entity` with these indexed columns. */
export function planAccess(
  plan: QueryPlan,
  columns: readonly IndexedColumn[],
  options: { readonly maxPageSize?: number; readonly skipToken?: string } = {},
): AccessPlan {
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  const token = options.skipToken ?? plan.skipToken;
  const position =
    token === undefined || plan.page
      ? undefined
      : decodeSkipToken(token, plan.fingerprint, plan.orderBy.length);

  const conjuncts = !plan.filter ? [] : plan.filter.kind === "and" ? plan.filter.children : [plan.filter];
  const byColumn = columnRangesOf(conjuncts, plan, byProperty);
  const narrowings: Narrowing[] = [...byColumn.values()].map((c) => ({ parts: [c] }));
  for (const node of conjuncts) {
    if (node.kind !== "or") continue;
    const parts = unionOf(node, plan, byProperty);
    if (parts) narrowings.push({ parts });
  }

  const needed = (() => {
    if (plan.count || needsRelated(plan)) return Number.POSITIVE_INFINITY;
    if (plan.page) return plan.page.number * plan.page.size + 1;
    const remaining =
      plan.top === undefined ? Number.POSITIVE_INFINITY : plan.top - (position?.returned ?? 0);
    return Math.max(0, Math.min(pageSizeOf(options.maxPageSize), remaining)) + 1;
  })();

  let walk: Walk | undefined;
  const first = plan.orderBy[0];
  const sortColumn = first === undefined ? undefined : byProperty.get(first.property);
  if (!first || first.property === plan.primaryKey) {
    const descending = first?.descending ?? false;
    const own = byColumn.get(plan.primaryKey);
    let bounds = own?.ranges.length === 1 ? own.ranges[0]! : ALL;
    if (position) {
      const at = first ? position.keys[0] : position.id;
      if (typeof at === "string") {
        bounds = intersect(
          bounds,
          descending
            ? { upper: at, upperOpen: false, lowerOpen: false }
            : { lower: at, lowerOpen: false, upperOpen: false },
        );
      }
    }
    walk = { property: plan.primaryKey, primaryKey: true, odd: false, descending, bounds };
  } else if (sortColumn?.nulls && sortColumn.type === first.type) {
    const text = first.type === "string";
    const own = byColumn.get(first.property);
    let bounds = own?.ranges.length === 1 ? own.ranges[0]! : ALL;
    if (position) {
      const raw = position.keys[0] ?? null;
      // The previous page ended on a row without a key: no place to resume in the key order,
      // so the walk starts over (the evaluator skips to the position; correct, a longer read).
      const at = text ? (raw === null ? NULL_KEY : textKey(String(raw))) : keyOfNormalized(raw);
      if (at !== undefined) {
        bounds = intersect(
          bounds,
          first.descending
            ? { upper: at, upperOpen: false, lowerOpen: false }
            : { lower: at, lowerOpen: false, upperOpen: false },
        );
      }
    }
    walk = { property: first.property, primaryKey: false, odd: text, descending: first.descending, bounds };
  }
  return { narrowings, ...(walk ? { walk } : {}), needed, ...(position ? { position } : {}) };
}
