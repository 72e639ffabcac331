import { xrmError } from "../errors/error-catalogue.ts";
import { compileFilter, type EvaluationContext, type ResolveRelated, type Row } from "./filter-compile.ts";
import { compareForSort, type Normalized, normalize } from "./query-compare.ts";
import { joinedOf } from "./query-joined-row.ts";
import { joinRows } from "./query-joins.ts";
import type { QueryPlan } from "./query-plan.ts";
import { makeProjector } from "./query-project.ts";
import { decodeSkipToken, encodeSkipToken, type SkipPosition } from "./query-skip-token.ts";

/** The server's page size limit for standard tables; also the default page size. */
export const MAX_PAGE_SIZE = 5000;

export interface EvaluateOptions extends Omit<EvaluationContext, "resolveRelated"> {
  /** Rows per page (retrieveMultipleRecords' maxPageSize); default and cap 5000. */
  readonly maxPageSize?: number;
  /** A `$skiptoken` from a nextLink; overrides the one in the plan's options. */
  readonly skipToken?: string;
  /**
   * What precedes `?` in nextLink, e.g. `https://org.crm.dynamics.com/api/data/v9.2/accounts`.
   * Default "": nextLink is then just `?<options>&$skiptoken=…`, which Xrm callers pass back as
   * the options of the next call.
   */
  readonly nextLinkBase?: string;
}

export interface QueryResult {
  readonly entities: Record<string, unknown>[];
  /** Set when more rows follow: the options (with `$skiptoken`) of the next page. */
  readonly nextLink?: string;
  /** The skip token inside nextLink. */
  readonly skipToken?: string;
  /** Rows matching the filter, regardless of paging and `$top`, when the plan asked for a count. */
  readonly count?: number;
  /** More rows follow this page (also for FetchXML count/page paging, which has no nextLink). */
  readonly moreRecords: boolean;
}

interface Entry {
  readonly row: Row;
  readonly keys: Normalized[];
  readonly id: string;
}

function pageSizeOf(maxPageSize: number | undefined): number {
  if (maxPageSize === undefined) return MAX_PAGE_SIZE;
  if (typeof maxPageSize !== "number" || !Number.isInteger(maxPageSize) || maxPageSize < 1) {
    throw xrmError(
      "InvalidArgument",
      `maxPageSize must be a positive whole number; found '${String(maxPageSize)}'.`,
    );
  }
  return Math.min(maxPageSize, MAX_PAGE_SIZE);
}

/**
 * Runs a plan over rows: filter, order (ties broken by primary key, so the order is total and
 * stable), `$top`, paging by skip token, projection and `$expand`. Pure: reads `rows` once and
 * related rows through `resolveRelated` (synchronous; a store preloads what `relatedPathsOf`
 * lists).
 */
export function evaluateQuery(
  plan: QueryPlan,
  rows: Iterable<Row>,
  resolveRelated: ResolveRelated | undefined,
  options: EvaluateOptions = {},
): QueryResult {
  const ctx: EvaluationContext = { ...options, ...(resolveRelated ? { resolveRelated } : {}) };
  const pageSize = pageSizeOf(options.maxPageSize);
  const token = options.skipToken ?? plan.skipToken;
  const position: SkipPosition | undefined =
    token === undefined || plan.page
      ? undefined
      : decodeSkipToken(token, plan.fingerprint, plan.orderBy.length);
  const predicate = compileFilter(plan, ctx);
  const order = plan.orderBy;
  const pk = plan.primaryKey;

  const matched: Entry[] = [];
  // One-to-many link-entities turn each parent into one row per child; their id is composite.
  const source = plan.joins?.length ? joinRows(plan, rows, ctx) : rows;
  // distinct: a link used only to filter (no columns of its own) doesn't repeat its parent.
  const seen = plan.distinct ? new Set<string>() : undefined;
  for (const row of source) {
    if (!predicate(row)) continue;
    const joined = joinedOf(row);
    if (seen && joined) {
      if (seen.has(joined.visibleId)) continue;
      seen.add(joined.visibleId);
    }
    const keys = order.map((k) => normalize(k.type, row[k.property]));
    const id = joined?.id ?? (normalize("guid", row[pk]) as string | null) ?? "";
    matched.push({ row, keys, id });
  }
  const compare = (
    a: { keys: readonly Normalized[]; id: string },
    b: { keys: readonly Normalized[]; id: string },
  ) => {
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!;
      const c = compareForSort(k.type, a.keys[i]!, b.keys[i]!);
      if (c !== 0) return k.descending ? -c : c;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  matched.sort(compare);

  let page: Entry[];
  let more: boolean;
  let nextToken: string | undefined;
  if (plan.page) {
    // FetchXML count/page: the caller asks for page n; no nextLink (no paging cookie offline).
    const start = (plan.page.number - 1) * plan.page.size;
    page = matched.slice(start, start + plan.page.size);
    more = matched.length > start + plan.page.size;
  } else {
    let start = 0;
    if (position) {
      // First entry after the token's row: binary search in the sorted list.
      let lo = 0;
      let hi = matched.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compare(matched[mid]!, position) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const returned = position?.returned ?? 0;
    const remaining = plan.top === undefined ? Number.POSITIVE_INFINITY : Math.max(0, plan.top - returned);
    const take = Math.min(pageSize, remaining);
    page = matched.slice(start, start + take);
    more = start + page.length < matched.length && page.length < remaining;
    const last = page.at(-1);
    if (more && last) {
      nextToken = encodeSkipToken(plan.fingerprint, {
        keys: last.keys,
        id: last.id,
        returned: returned + page.length,
      });
    }
  }

  const project = makeProjector(plan, ctx);
  const entities = page.map((e) => project(e.row));
  const base = options.nextLinkBase ?? "";
  return {
    entities,
    ...(nextToken !== undefined
      ? {
          nextLink: `${base}?${plan.options ? `${plan.options}&` : ""}$skiptoken=${nextToken}`,
          skipToken: nextToken,
        }
      : {}),
    ...(plan.count ? { count: matched.length } : {}),
    moreRecords: more,
  };
}

/** retrieveRecord: one stored row shaped by a plan's `$select` / `$expand`. */
export function projectRecord(
  plan: QueryPlan,
  row: Row,
  resolveRelated?: ResolveRelated,
  context: Omit<EvaluationContext, "resolveRelated"> = {},
): Record<string, unknown> {
  return makeProjector(plan, { ...context, ...(resolveRelated ? { resolveRelated } : {}) })(row);
}
