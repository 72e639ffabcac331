/**
 * Which rows of a table belong on the device, and keeping it so:
 * - a whole table: every row;
 * - a filtered table: rows matching its filter (checked on the server, for the changed ids only,
 *   so the server's own query semantics decide) — plus related rows;
 * - related rows: rows that profile tables point at through the lookups named in `related`.
 */
import type { CollectionPage } from "./collection-page.ts";
import { rowId } from "./collection-page.ts";
import type { TablePlan } from "./offline-profile.ts";
import type { ApplyRowsResult, PullProgress, PullStore } from "./pull-ports.ts";
import {
  byIdsUrl,
  chunks,
  idsUrl,
  MAX_PAGE_SIZE,
  PREFER_ANNOTATIONS,
  preferPageSize,
} from "./pull-requests.ts";

export interface ScopeContext {
  readonly store: PullStore;
  readonly idChunk: number;
  readonly siblings: readonly TablePlan[];
  readonly absent: Set<string>;
  readonly what: string;
  readonly onProgress: (progress: PullProgress) => void;
  /** One GET through the table's pull (counted, abortable). */
  get(url: string, prefer: readonly string[]): Promise<CollectionPage>;
  /** Adds a store write to the table's report. */
  applied(result: ApplyRowsResult): void;
}

type Row = Readonly<Record<string, unknown>>;

export class TableScope {
  readonly #ctx: ScopeContext;
  readonly #plan: TablePlan;
  #referenced: Set<string> | null = null;

  constructor(ctx: ScopeContext, plan: TablePlan) {
    this.#ctx = ctx;
    this.#plan = plan;
  }

  /** Ids the table's sources point at (from the store's lookup index); `fresh` re-reads it. */
  async referenced(fresh = false): Promise<Set<string>> {
    if (this.#referenced && !fresh) return this.#referenced;
    const ids = new Set<string>();
    for (const s of this.#plan.relatedVia) {
      for (const id of await this.#ctx.store.lookupIds(s.source, s.valueProperty)) ids.add(id);
    }
    this.#referenced = ids;
    return ids;
  }

  /**
   * Changed rows of a delta → the full rows to keep and the ids to remove locally (out of scope).
   * A filtered or related table's delta link comes from an ids-only scan, so its changes carry
   * only ids: the rows in scope are fetched by id — with the filter, which the server evaluates.
   */
  async split(rows: readonly Row[]): Promise<{ keep: Row[]; drop: string[] }> {
    const own = this.#plan.own;
    if (own !== null && own.filter === undefined) return { keep: [...rows], drop: [] };
    const referenced = await this.referenced();
    const ids = rows.map((row) => rowId(row, this.#plan.primaryId, this.#ctx.what));
    const related = ids.filter((id) => referenced.has(id));
    const others = own?.filter !== undefined ? ids.filter((id) => !referenced.has(id)) : [];
    const keep = [...(await this.rowsById(related)), ...(await this.rowsById(others, own?.filter))];
    const kept = new Set(keep.map((row) => rowId(row, this.#plan.primaryId, this.#ctx.what)));
    return { keep, drop: ids.filter((id) => !kept.has(id)) };
  }

  /** The server rows among `ids` (that match `filter`, when given), every column. */
  async rowsById(ids: readonly string[], filter?: string): Promise<Row[]> {
    const out: Row[] = [];
    for (const chunk of chunks(ids, this.#ctx.idChunk)) {
      const url = byIdsUrl(this.#plan, chunk, filter === undefined ? {} : { filter });
      out.push(...(await this.#all(url, [PREFER_ANNOTATIONS])));
    }
    return out;
  }

  /** Primary keys of the server rows in the table's own scope now. */
  async serverIds(): Promise<Set<string>> {
    const rows = await this.#all(idsUrl(this.#plan, this.#plan.own?.filter), [preferPageSize(MAX_PAGE_SIZE)]);
    return new Set(rows.map((row) => rowId(row, this.#plan.primaryId, this.#ctx.what)));
  }

  /** Every row of a paged read. */
  async #all(url: string, prefer: readonly string[]): Promise<Row[]> {
    const rows: Row[] = [];
    let link: string | undefined = url;
    while (link !== undefined) {
      const page: CollectionPage = await this.#ctx.get(link, prefer);
      rows.push(...page.rows);
      link = page.nextLink;
    }
    return rows;
  }

  /** The rows with these ids (related rows), written to the store; returns the ids found. */
  async fetch(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    let done = 0;
    for (const chunk of chunks(ids, this.#ctx.idChunk)) {
      const rows = await this.rowsById(chunk);
      if (rows.length > 0)
        this.#ctx.applied(
          await this.#ctx.store.applyServerRows(this.#plan.entity, rows, { omitNulls: true }),
        );
      for (const row of rows) found.add(rowId(row, this.#plan.primaryId, this.#ctx.what));
      done += chunk.length;
      this.#ctx.onProgress({ table: this.#plan.entity, kind: "related", done, total: ids.length });
    }
    return found;
  }
}

/**
 * Related rows: fetch the ones pointed at but not on the device; for a table kept only as related
 * rows, remove the ones nothing points at any more (unless they have local changes).
 */
export async function syncRelated(scope: TableScope, ctx: ScopeContext, plan: TablePlan): Promise<void> {
  const referenced = await scope.referenced(true);
  const local = new Set(await ctx.store.recordIds(plan.entity));
  // A polymorphic lookup's ids name rows of its other target tables too: skip those held there.
  const elsewhere = new Set<string>();
  for (const sibling of ctx.siblings)
    for (const id of await ctx.store.recordIds(sibling.entity)) elsewhere.add(id);
  const missing = [...referenced].filter(
    (id) => !local.has(id) && !elsewhere.has(id) && !ctx.absent.has(`${plan.entity}|${id}`),
  );
  if (missing.length > 0) {
    const found = await scope.fetch(missing);
    for (const id of missing) if (!found.has(id)) ctx.absent.add(`${plan.entity}|${id}`);
  }
  if (plan.own === null) {
    const unreferenced = [...local].filter((id) => !referenced.has(id));
    if (unreferenced.length > 0) {
      ctx.applied(await ctx.store.applyServerRows(plan.entity, [], { removedIds: unreferenced }));
    }
  }
}

/**
 * After a download that replaces the table's rows: remove local rows no longer in scope (the
 * store keeps those with pending local changes), and save `checkpoint` in the same transaction.
 * `seen`: the ids in scope when the whole download ran in this pull; else they are asked for.
 */
export async function sweepTable(
  scope: TableScope,
  ctx: ScopeContext,
  plan: TablePlan,
  seen: ReadonlySet<string> | null,
  checkpoint: { readonly key: string; readonly value: unknown },
): Promise<void> {
  const keep = new Set<string>(plan.own === null ? [] : (seen ?? (await scope.serverIds())));
  for (const id of await scope.referenced(true)) keep.add(id);
  const gone = (await ctx.store.recordIds(plan.entity)).filter((id) => !keep.has(id));
  ctx.applied(await ctx.store.applyServerRows(plan.entity, [], { removedIds: gone, checkpoint }));
}
