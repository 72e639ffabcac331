/**
 * One table's pull: resume or start its full download, follow its delta link, fetch the related
 * rows its sources point at, and sweep out what a replacing download did not bring. Every page is
 * written with the checkpoint that points past it, in one store transaction.
 */
import { ERRORS, toErrorCode, XrmError, xrmError } from "@xrm-offline/odata";
import { type CollectionPage, readPage, rowId } from "./collection-page.ts";
import type { TablePlan } from "./offline-profile.ts";
import type { PullProgress, PullRemote, PullStore, TablePullReport } from "./pull-ports.ts";
import {
  countUrl,
  idsUrl,
  MAX_PAGE_SIZE,
  PREFER_ANNOTATIONS,
  PREFER_TRACK,
  preferPageSize,
  rowsUrl,
} from "./pull-requests.ts";
import {
  checkpointKey,
  fullDownload,
  parseCheckpoint,
  storedLink,
  type TableCheckpoint,
} from "./table-checkpoint.ts";
import { type ScopeContext, sweepTable, syncRelated, TableScope } from "./table-scope.ts";
import {
  countCapped,
  PREFER_COUNT_ANNOTATIONS,
  readTotalRecordCount,
  totalRecordCountUrl,
} from "./total-record-count.ts";

export interface TablePullContext {
  readonly store: PullStore;
  readonly remote: PullRemote;
  /** Rows per page of a full download and of a delta. */
  readonly pageSize: number;
  /** Ids per `$filter` in by-id requests (URL length). */
  readonly idChunk: number;
  /** Tables sharing a lookup with this one (polymorphic lookups), to skip ids they already hold. */
  readonly siblings: readonly TablePlan[];
  /** Ids asked for as related rows and not found, by table: not asked for again in this session. */
  readonly absent: Set<string>;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: PullProgress) => void;
}

const EXPIRED = toErrorCode(ERRORS.ExpiredVersionStamp.code);

/** A stored link the server no longer accepts (expired token, stale skip token). */
function isStaleLink(error: unknown, resumed: boolean): boolean {
  if (!(error instanceof XrmError)) return false;
  if (error.errorCode === EXPIRED) return true;
  return resumed && !error.retryable && [400, 404, 410].includes(error.httpStatus);
}

/** What one table's pull did; `error` is why it stopped early (the report counts what it did before). */
export interface TablePullOutcome {
  readonly report: TablePullReport;
  readonly error?: unknown;
}

/** Pulls one table. Rejects only when `ctx.signal` aborts; other failures come back as `error`. */
export async function pullTable(ctx: TablePullContext, plan: TablePlan): Promise<TablePullOutcome> {
  const run = new TablePull(ctx, plan);
  try {
    await run.run();
    return { report: run.report() };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const e = XrmError.from(error);
    return { report: { ...run.report(), error: { errorCode: e.errorCode, message: e.message } }, error };
  }
}

class TablePull {
  readonly #ctx: TablePullContext;
  readonly #plan: TablePlan;
  readonly #key: string;
  readonly #what: string;
  readonly #scope: TableScope;
  readonly #scopeCtx: ScopeContext;
  #cp!: TableCheckpoint;
  /** Ids of the rows in scope, while known completely (a full download that started in this run). */
  #seen: Set<string> | null = null;
  /** The current link came from an earlier run (it may have gone stale since). */
  #resumed = false;
  #restarted = false;
  #kind: TablePullReport["kind"] = "delta";
  #rows = 0;
  #removed = 0;
  #kept = 0;
  #requests = 0;

  constructor(ctx: TablePullContext, plan: TablePlan) {
    this.#ctx = ctx;
    this.#plan = plan;
    this.#key = checkpointKey(plan.entity);
    this.#what = `the pull of '${plan.entity}'`;
    const scopeCtx: ScopeContext = {
      ...ctx,
      get: (url, prefer) => this.#get(url, prefer),
      what: this.#what,
      applied: (r) => this.#count(r),
    };
    this.#scopeCtx = scopeCtx;
    this.#scope = new TableScope(scopeCtx, plan);
  }

  report(): TablePullReport {
    return {
      table: this.#plan.entity,
      kind: this.#kind,
      rows: this.#rows,
      removed: this.#removed,
      keptWithLocalChanges: this.#kept,
      requests: this.#requests,
    };
  }

  async run(): Promise<void> {
    const stored = parseCheckpoint(await this.#ctx.store.getCheckpoint(this.#key));
    if (!stored || stored.scope !== this.#plan.scope) {
      await this.#startFull(stored ? "resync" : "first-sync");
    } else {
      this.#cp = stored;
      if (stored.kind) this.#kind = stored.kind;
      // A download that never got its first page is as good as starting now.
      if (stored.phase !== "delta" && stored.link === null && stored.token === null) this.#seen = new Set();
      this.#resumed = stored.link !== null;
    }
    for (;;) {
      try {
        if (this.#cp.phase === "token") await this.#tokenScan();
        else if (this.#cp.phase === "rows") await this.#downloadRows();
        else {
          await this.#delta();
          break;
        }
      } catch (error) {
        if (this.#ctx.signal.aborted || this.#restarted || !isStaleLink(error, this.#resumed)) throw error;
        // The token expired (or a saved page link went stale): download the table again. Rows with
        // pending local changes keep them (the store never overwrites or removes them).
        this.#restarted = true;
        await this.#startFull("resync", true);
      }
    }
    if (this.#plan.relatedVia.length > 0) await syncRelated(this.#scope, this.#scopeCtx, this.#plan);
    if (this.#cp.sweep) {
      const next: TableCheckpoint = { ...this.#cp, sweep: false };
      await sweepTable(this.#scope, this.#scopeCtx, this.#plan, this.#seen, { key: this.#key, value: next });
      this.#cp = next;
    }
  }

  async #startFull(kind: "first-sync" | "resync", forceSweep = false): Promise<void> {
    const local = await this.#ctx.store.recordIds(this.#plan.entity);
    const wholeTable = this.#plan.own !== null && this.#plan.own.filter === undefined;
    this.#cp = fullDownload(this.#plan.scope, kind, !wholeTable, forceSweep || local.length > 0);
    this.#kind = kind;
    this.#seen = new Set();
    this.#resumed = false;
    // Saved now so that a crash before the first page still resyncs (and sweeps) next time.
    await this.#ctx.store.setCheckpoint(this.#key, this.#cp);
  }

  async #get(url: string, prefer: readonly string[]): Promise<CollectionPage> {
    this.#ctx.signal.throwIfAborted();
    this.#requests++;
    const body = await this.#ctx.remote.get(url, prefer, this.#ctx.signal);
    const page = readPage(body, this.#what);
    // A server that hands back the page it was asked for would keep the pull going forever.
    if (page.nextLink !== undefined && storedLink(page.nextLink) === storedLink(url)) {
      throw xrmError("UnexpectedError", `The server's answer to ${this.#what} links back to the same page.`);
    }
    return page;
  }

  #count(r: { applied: number; removed: number; keptWithLocalChanges: number }): void {
    this.#rows += r.applied;
    this.#removed += r.removed;
    this.#kept += r.keptWithLocalChanges;
  }

  async #save(next: TableCheckpoint): Promise<void> {
    await this.#ctx.store.setCheckpoint(this.#key, next);
    this.#cp = next;
  }

  /** Ids-only tracked scan of the whole table, for the delta token a filtered read can't give. */
  async #tokenScan(): Promise<void> {
    let link = this.#cp.link ?? idsUrl(this.#plan, undefined);
    for (;;) {
      const page = await this.#get(link, [preferPageSize(MAX_PAGE_SIZE), PREFER_TRACK]);
      this.#resumed = false;
      if (page.nextLink !== undefined) {
        await this.#save({ ...this.#cp, link: storedLink(page.nextLink) });
        link = page.nextLink;
        continue;
      }
      if (page.deltaLink === undefined) throw this.#noDeltaLink();
      const token = storedLink(page.deltaLink);
      const own = this.#plan.own !== null;
      await this.#save({ ...this.#cp, phase: own ? "rows" : "delta", link: own ? null : token, token });
      return;
    }
  }

  /** The rows in scope, page by page; a whole table's tracked read ends with its delta link. */
  async #downloadRows(): Promise<void> {
    const tracked = this.#plan.own?.filter === undefined;
    const prefer = [
      PREFER_ANNOTATIONS,
      preferPageSize(this.#ctx.pageSize),
      ...(tracked ? [PREFER_TRACK] : []),
    ];
    if (this.#cp.link === null && this.#cp.total === null) {
      this.#cp = { ...this.#cp, total: await this.#total() };
    }
    const kind = this.#cp.kind ?? "resync";
    // The total is an estimate (rows change meanwhile; past 5,000 a snapshot): never below done.
    const estimate = (done: number) => (this.#cp.total === null ? null : Math.max(this.#cp.total, done));
    this.#ctx.onProgress({
      table: this.#plan.entity,
      kind,
      done: this.#cp.done,
      total: estimate(this.#cp.done),
    });
    let pending = this.#get(this.#cp.link ?? rowsUrl(this.#plan), prefer);
    for (;;) {
      const page = await pending;
      // Stopped meanwhile: write nothing more (the page is fetched again next time).
      this.#ctx.signal.throwIfAborted();
      this.#resumed = false;
      // Fetch the next page while this one is written.
      if (page.nextLink !== undefined) {
        pending = this.#get(page.nextLink, prefer);
        pending.catch(() => {});
      }
      const ids = page.rows.map((row) => rowId(row, this.#plan.primaryId, this.#what));
      const done = this.#cp.done + page.rows.length;
      let next: TableCheckpoint;
      if (page.nextLink !== undefined) {
        next = { ...this.#cp, link: storedLink(page.nextLink), done };
      } else {
        const delta = tracked ? page.deltaLink : (this.#cp.token ?? undefined);
        if (delta === undefined) throw this.#noDeltaLink();
        next = { ...this.#cp, phase: "delta", link: storedLink(delta), token: null, kind: null, done };
      }
      const r = await this.#ctx.store.applyServerRows(this.#plan.entity, page.rows, {
        checkpoint: { key: this.#key, value: next },
        omitNulls: true,
      });
      this.#count(r);
      this.#cp = next;
      if (this.#seen) for (const id of ids) this.#seen.add(id);
      // The last page: what came down is the count.
      const total = page.nextLink === undefined && this.#cp.total !== null ? done : estimate(done);
      this.#ctx.onProgress({ table: this.#plan.entity, kind, done, total });
      if (page.nextLink === undefined) return;
    }
  }

  /**
   * Rows in scope, for progress only (a failure here is no failure: null, unknown): `@odata.count`;
   * past its 5,000 cap, a whole table's RetrieveTotalRecordCount snapshot (an estimate: up to 24 h
   * old, and counting rows this user may not read); a filtered table's count is then unknown (the
   * snapshot counts the whole table).
   */
  async #total(): Promise<number | null> {
    if (this.#plan.own === null) return null;
    try {
      const page = await this.#get(countUrl(this.#plan), [PREFER_COUNT_ANNOTATIONS, preferPageSize(1)]);
      if (page.count === undefined) return null;
      if (!countCapped(page.count, page.countLimitExceeded)) return page.count;
      if (this.#plan.own.filter !== undefined) return null;
      this.#requests++;
      const body = await this.#ctx.remote.get(totalRecordCountUrl(this.#plan.entity), [], this.#ctx.signal);
      const snapshot = readTotalRecordCount(body, this.#plan.entity);
      return snapshot === null ? null : Math.max(snapshot, page.count);
    } catch (error) {
      if (this.#ctx.signal.aborted) throw error;
      return null;
    }
  }

  /** New, changed and deleted rows since the saved delta link. */
  async #delta(): Promise<void> {
    const prefer = [PREFER_ANNOTATIONS, preferPageSize(this.#ctx.pageSize)];
    let link = this.#cp.link!;
    let done = 0;
    for (;;) {
      const page = await this.#get(link, prefer);
      this.#resumed = false;
      const following = page.nextLink ?? page.deltaLink;
      if (following === undefined) throw this.#noDeltaLink();
      const next: TableCheckpoint = { ...this.#cp, link: storedLink(following) };
      if (page.rows.length === 0 && page.deletedIds.length === 0) {
        // Nothing changed: no record is touched, only the (fresher) token is kept.
        if (next.link !== this.#cp.link) await this.#save(next);
      } else {
        const { keep, drop } = await this.#scope.split(page.rows);
        const removedIds = [...drop, ...page.deletedIds];
        const r = await this.#ctx.store.applyServerRows(this.#plan.entity, keep, {
          checkpoint: { key: this.#key, value: next },
          removedIds,
          omitNulls: true,
        });
        this.#count(r);
        this.#cp = next;
        if (this.#seen) {
          for (const row of keep) this.#seen.add(rowId(row, this.#plan.primaryId, this.#what));
          for (const id of removedIds) this.#seen.delete(id);
        }
        done += keep.length + removedIds.length;
        this.#ctx.onProgress({ table: this.#plan.entity, kind: "delta", done, total: null });
      }
      if (page.nextLink === undefined) return;
      link = page.nextLink;
    }
  }

  #noDeltaLink(): XrmError {
    return xrmError(
      "UnexpectedError",
      `The server's answer to ${this.#what} has neither '@odata.nextLink' nor '@odata.deltaLink' (is change tracking enabled for the table?).`,
    );
  }
}
