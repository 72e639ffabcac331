/**
 * The offline profile: which tables are kept on the device, each with an optional OData filter and
 * the lookups whose target records come down with it ("related rows"). Validated against metadata
 * once, up front, so a typo fails at startup with a clear error instead of at every sync.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import { indexColumnsFor } from "@xrm-offline/store";

/** One table's options. */
export interface OfflineTableOptions {
  /** OData `$filter` (server syntax) narrowing what is kept, e.g. `statecode eq 0`. */
  readonly filter?: string;
  /**
   * Lookups of this table whose target records are pulled too, so lookups resolve offline: a
   * single-valued navigation property (`primarycontactid`, `customerid_account`) or a lookup
   * column (`customerid`: every target table).
   */
  readonly related?: readonly string[];
  /**
   * Pull order: higher first (default 0; equal priorities keep the order given), so the tables
   * people work in arrive before large reference tables. A table still comes after the tables
   * whose lookups decide its related rows.
   */
  readonly priority?: number;
  /**
   * Columns of this table to index on the device beyond the defaults (primary name, statecode,
   * lookups, modifiedon), for fast local queries (the store's `indexColumns`).
   */
  readonly indexes?: readonly string[];
}

/** What `createWebApi({ offlineTables })` accepts. */
export type OfflineTablesOption = readonly string[] | Readonly<Record<string, OfflineTableOptions | true>>;

/** A lookup that makes rows of a table "related rows" of another table. */
export interface RelatedSource {
  /** The table holding the lookup. */
  readonly source: string;
  /** Its value property, `_primarycontactid_value`. */
  readonly valueProperty: string;
}

/** One table of the profile, ready for the puller. */
export interface TablePlan {
  readonly entity: string;
  readonly entitySet: string;
  readonly primaryId: string;
  /** Listed in the profile itself (with its filter); null when only pulled as related rows. */
  readonly own: { readonly filter?: string } | null;
  /** Lookups of other profile tables that point here. */
  readonly relatedVia: readonly RelatedSource[];
  /**
   * What decides which rows are kept, as a string: a different scope than the one a table was
   * synced with means a full resync (rows no longer in scope are removed).
   */
  readonly scope: string;
}

export interface OfflineProfile {
  /** In pull order: a table comes after the tables whose lookups point at it (when acyclic). */
  readonly tables: readonly TablePlan[];
  /** Is this table (logical name, case-sensitive) kept offline, fully or as related rows? */
  has(entityLogicalName: string): boolean;
  table(entityLogicalName: string): TablePlan | undefined;
}

const MAX_FILTER_LENGTH = 8192;
const OPTION_KEYS = new Set(["filter", "related", "priority", "indexes"]);

function invalid(message: string): never {
  throw xrmError("InvalidArgument", message);
}

function checkFilter(table: string, filter: unknown): string | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== "string") invalid(`offlineTables.${table}.filter must be a string.`);
  const text = filter.trim();
  if (text === "") invalid(`offlineTables.${table}.filter is empty.`);
  if (text.length > MAX_FILTER_LENGTH) {
    invalid(`offlineTables.${table}.filter is ${text.length} characters long; at most ${MAX_FILTER_LENGTH}.`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(text))
    invalid(`offlineTables.${table}.filter contains a control character.`);
  return text;
}

/** `related` names → the (target table, value property) pairs they stand for. */
function relatedTargets(
  metadata: Metadata,
  table: string,
  related: unknown,
): { target: string; valueProperty: string }[] {
  if (related === undefined) return [];
  if (!Array.isArray(related)) invalid(`offlineTables.${table}.related must be an array of names.`);
  const entity = metadata.entity(table)!;
  const out: { target: string; valueProperty: string }[] = [];
  for (const name of related as unknown[]) {
    if (typeof name !== "string") invalid(`offlineTables.${table}.related must contain only strings.`);
    const nav = entity.singleValuedNavigation(name);
    const lookup = nav ? entity.lookup(nav.lookupAttribute) : entity.lookup(name);
    if (!lookup) {
      invalid(
        `'${name}' in offlineTables.${table}.related is not a lookup or navigation property of '${table}'.`,
      );
    }
    const targets = nav ? [nav.targetEntity] : lookup.targets;
    for (const target of targets) {
      if (!metadata.entity(target)) {
        invalid(
          `'${name}' in offlineTables.${table}.related points at '${target}', which is not in the metadata.`,
        );
      }
      out.push({ target, valueProperty: lookup.valueProperty });
    }
  }
  return out;
}

function entriesOf(input: OfflineTablesOption): [string, unknown][] {
  if (Array.isArray(input)) {
    return (input as unknown[]).map((name) => {
      if (typeof name !== "string") invalid("offlineTables must list table logical names as strings.");
      return [name, {}];
    });
  }
  if (typeof input !== "object" || input === null) {
    invalid("offlineTables must be an array of table names or an object keyed by table name.");
  }
  return Object.entries(input);
}

/** Validates `offlineTables` against metadata; throws an InvalidArgument XrmError on anything wrong. */
export function normalizeOfflineTables(
  input: OfflineTablesOption | undefined,
  metadata: Metadata,
): OfflineProfile {
  const own = new Map<string, { filter?: string }>();
  const via = new Map<string, RelatedSource[]>();
  const priorities = new Map<string, number>();
  for (const [name, raw] of input === undefined ? [] : entriesOf(input)) {
    const entity = metadata.entity(name);
    if (!entity) {
      throw xrmError("EntityNotExist", `offlineTables: the table '${name}' does not exist in the metadata.`);
    }
    if (own.has(name)) invalid(`offlineTables lists '${name}' twice.`);
    const options = raw === true ? {} : raw;
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      invalid(`offlineTables.${name} must be an object like { filter?, related? }.`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) invalid(`offlineTables.${name} has an unknown option '${key}'.`);
    }
    const o = options as { filter?: unknown; related?: unknown; priority?: unknown; indexes?: unknown };
    const filter = checkFilter(name, o.filter);
    if (o.priority !== undefined && (typeof o.priority !== "number" || !Number.isFinite(o.priority))) {
      invalid(`offlineTables.${name}.priority must be a finite number.`);
    }
    priorities.set(name, (o.priority as number | undefined) ?? 0);
    if (o.indexes !== undefined) {
      if (!Array.isArray(o.indexes))
        invalid(`offlineTables.${name}.indexes must be an array of column names.`);
      indexColumnsFor(entity, o.indexes as string[]);
    }
    own.set(name, filter === undefined ? {} : { filter });
    for (const { target, valueProperty } of relatedTargets(metadata, name, o.related)) {
      const list = via.get(target) ?? [];
      if (!list.some((s) => s.source === name && s.valueProperty === valueProperty)) {
        list.push({ source: name, valueProperty });
      }
      via.set(target, list);
    }
  }
  // Stable: equal priorities keep the order given.
  const byPriority = [...own.keys()].sort((a, b) => priorities.get(b)! - priorities.get(a)!);
  const names = [...byPriority, ...[...via.keys()].filter((t) => !own.has(t))];
  const plans = new Map<string, TablePlan>();
  for (const name of names) {
    const entity = metadata.entity(name)!;
    const mine = own.get(name) ?? null;
    plans.set(name, {
      entity: name,
      entitySet: entity.entitySetName,
      primaryId: entity.primaryIdAttribute,
      own: mine,
      relatedVia: via.get(name) ?? [],
      scope: mine === null ? "related" : mine.filter === undefined ? "all" : `filter:${mine.filter}`,
    });
  }
  const tables = pullOrder(names, plans);
  return {
    tables,
    has: (entityLogicalName) => typeof entityLogicalName === "string" && plans.has(entityLogicalName),
    table: (entityLogicalName) =>
      typeof entityLogicalName === "string" ? plans.get(entityLogicalName) : undefined,
  };
}

/**
 * Sources before the tables they point at (their lookups decide which related rows are wanted);
 * otherwise the order given. A cycle is broken in the order given.
 */
function pullOrder(names: readonly string[], plans: ReadonlyMap<string, TablePlan>): TablePlan[] {
  const out: TablePlan[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (placed.has(name) || visiting.has(name)) return;
    visiting.add(name);
    const plan = plans.get(name)!;
    for (const s of plan.relatedVia) if (s.source !== name) visit(s.source);
    visiting.delete(name);
    placed.add(name);
    out.push(plan);
  };
  for (const name of names) visit(name);
  return out;
}
