import type { EdmType, EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { codeError } from "../http/wire.ts";
import type { StoredRecord } from "../storage/record-store.ts";
import { meetsCondition } from "./fetch-conditions.ts";
import type { FetchEntity, FetchFilter, FetchLink, FetchOrder } from "./fetch-query.ts";

/** One result candidate: a row of the root table and the row joined under each link alias. */
export type FetchTuple = ReadonlyMap<string, StoredRecord | null>;

/** The root table's alias inside a tuple. */
export const ROOT = "";

/** A table of the query with the metadata its columns are read through. */
export interface BoundTable {
  readonly alias: string;
  readonly entity: EntityMetadata;
  readonly node: FetchEntity;
}

export function noEntity(name: string): never {
  // QueryBuilderNoEntity
  throw codeError(
    "0x80041102",
    400,
    `The entity with a name = '${name}' was not found in the MetadataCache.`,
  );
}

function noAttribute(entity: string, name: string): never {
  // QueryBuilderNoAttribute
  throw codeError("0x80041103", 400, `'${entity}' entity doesn't contain attribute with Name = '${name}'.`);
}

/**
 * A FetchXML column (logical name: `parentcustomerid`, `contactid`) on a stored row: lookups are
 * stored under their Web API name `_x_value`, the primary key is the row id.
 */
export function columnOf(entity: EntityMetadata, name: string): { webApiName: string; type: EdmType } {
  if (name === entity.primaryIdAttribute) return { webApiName: name, type: "Edm.Guid" };
  const attr = entity.attribute(name);
  if (attr) return { webApiName: attr.name, type: attr.type };
  const lookup = entity.attribute(`_${name}_value`);
  if (lookup) return { webApiName: lookup.name, type: "Edm.Guid" };
  return noAttribute(entity.logicalName, name);
}

export function columnValue(entity: EntityMetadata, row: StoredRecord, name: string): unknown {
  if (name === entity.primaryIdAttribute) return row.id;
  return row.data[columnOf(entity, name).webApiName] ?? null;
}

/** What evaluating a filter needs besides the row: the tables, the time, related rows of a link. */
interface FilterEnv {
  readonly tables: ReadonlyMap<string, BoundTable>;
  readonly now: Date;
  /** Rows of `link`'s table whose `from` column equals the `to` column of `parentRow`. */
  readonly related: (link: FetchLink, parent: BoundTable, parentRow: StoredRecord) => readonly StoredRecord[];
}

/**
 * A filter link type as one condition of the filter around it, over the related rows of the
 * filter's own row: `any` — one of them meets the link's filters; `not any` — none does; `all` —
 * there is one and every one does; `not all` — one of them doesn't (the SQL the "Filter rows"
 * page shows: exists / not exists / exists and not exists … not / exists … not).
 */
function meetsFilterLink(env: FilterEnv, self: BoundTable, tuple: FetchTuple, link: FetchLink): boolean {
  const row = tuple.get(self.alias) ?? null;
  const rows = row ? env.related(link, self, row) : [];
  const table = env.tables.get(link.alias)!;
  const meets = (r: StoredRecord) => meetsAll(env, table, new Map([...tuple, [link.alias, r]]), link.filters);
  switch (link.linkType) {
    case "any":
      return rows.some(meets);
    case "not any":
      return !rows.some(meets);
    case "all":
      return rows.length > 0 && rows.every(meets);
    default:
      return rows.some((r) => !meets(r));
  }
}

function meetsFilter(env: FilterEnv, self: BoundTable, tuple: FetchTuple, filter: FetchFilter): boolean {
  const { tables, now } = env;
  const results: boolean[] = [];
  for (const c of filter.conditions) {
    const table = c.entityName !== undefined ? tables.get(c.entityName) : self;
    if (!table) throw codeError("0x80040203", 400, `No link-entity has the alias '${c.entityName}'.`);
    const row = tuple.get(table.alias) ?? null;
    const col = columnOf(table.entity, c.attribute);
    const value = row ? columnValue(table.entity, row, c.attribute) : null;
    results.push(meetsCondition(table.entity, col.type, value, c, now));
  }
  for (const f of filter.filters) results.push(meetsFilter(env, self, tuple, f));
  for (const link of filter.links) results.push(meetsFilterLink(env, self, tuple, link));
  return filter.type === "and" ? results.every(Boolean) : results.some(Boolean);
}

function meetsAll(
  env: FilterEnv,
  self: BoundTable,
  tuple: FetchTuple,
  filters: readonly FetchFilter[],
): boolean {
  return filters.every((f) => meetsFilter(env, self, tuple, f));
}

/** Every table of the query by alias (the root under ROOT), checked against metadata. */
export function bindTables(
  ctx: ServerContext,
  root: EntityMetadata,
  node: FetchEntity,
): Map<string, BoundTable> {
  const tables = new Map<string, BoundTable>();
  const visit = (alias: string, entity: EntityMetadata, n: FetchEntity) => {
    if (tables.has(alias)) throw codeError("0x80040203", 400, `The alias '${alias}' is used more than once.`);
    tables.set(alias, { alias, entity, node: n });
    for (const a of n.attributes) columnOf(entity, a.name);
    const bind = (link: FetchLink) => {
      const target = ctx.schema.metadata.entity(link.name) ?? noEntity(link.name);
      columnOf(target, link.from);
      columnOf(entity, link.to);
      visit(link.alias, target, link);
    };
    const filterLinks = (f: FetchFilter): void => {
      f.links.forEach(bind);
      f.filters.forEach(filterLinks);
    };
    n.links.forEach(bind);
    n.filters.forEach(filterLinks);
  };
  visit(ROOT, root, node);
  return tables;
}

/** Rows of a linked table indexed by the value of its `from` column. */
function indexBy(ctx: ServerContext, table: BoundTable, from: string): Map<string, StoredRecord[]> {
  const index = new Map<string, StoredRecord[]>();
  for (const row of ctx.store.all(table.entity.logicalName)) {
    const v = columnValue(table.entity, row, from);
    if (v === null) continue;
    const key = String(v).toLowerCase();
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  return index;
}

/**
 * Join, filter and order: the root rows, each link-entity joined on `from`/`to` (inner drops a
 * tuple without a match, outer keeps it with null; a one-to-many link yields one tuple per child;
 * `matchfirstrowusingcrossapply` is outer with at most one child, the first by id; `exists` and
 * `in` keep the tuple once when a match exists, adding no row), link filters applied to the
 * linked rows, the root filter (with `entityname` conditions and filter link types) last.
 */
export function evaluateFetch(
  ctx: ServerContext,
  tables: ReadonlyMap<string, BoundTable>,
  now: Date,
): FetchTuple[] {
  const root = tables.get(ROOT)!;
  let tuples: Map<string, StoredRecord | null>[] = ctx.store
    .all(root.entity.logicalName)
    .map((r) => new Map([[ROOT, r]]));
  const indexes = new Map<FetchLink, Map<string, StoredRecord[]>>();
  const related = (link: FetchLink, parent: BoundTable, parentRow: StoredRecord): StoredRecord[] => {
    let index = indexes.get(link);
    if (!index) {
      index = indexBy(ctx, tables.get(link.alias)!, link.from);
      indexes.set(link, index);
    }
    const key = columnValue(parent.entity, parentRow, link.to);
    return key === null ? [] : (index.get(String(key).toLowerCase()) ?? []);
  };
  const env: FilterEnv = { tables, now, related };
  const join = (parent: BoundTable, link: FetchLink) => {
    const table = tables.get(link.alias)!;
    const next: Map<string, StoredRecord | null>[] = [];
    for (const t of tuples) {
      const parentRow = t.get(parent.alias) ?? null;
      const candidates = (parentRow ? related(link, parent, parentRow) : []).filter((r) =>
        meetsAll(env, table, new Map([...t, [link.alias, r]]), link.filters),
      );
      if (link.linkType === "exists" || link.linkType === "in") {
        if (candidates.length > 0) next.push(t);
        continue;
      }
      if (candidates.length === 0) {
        if (link.linkType !== "inner") next.push(new Map([...t, [link.alias, null]]));
        continue;
      }
      if (link.linkType === "matchfirstrowusingcrossapply") {
        const first = candidates.reduce((a, b) => (b.id < a.id ? b : a));
        next.push(new Map([...t, [link.alias, first]]));
        continue;
      }
      for (const r of candidates) next.push(new Map([...t, [link.alias, r]]));
    }
    tuples = next;
    for (const inner of link.links) join(table, inner);
  };
  for (const link of root.node.links) join(root, link);
  const filtered = tuples.filter((t) => meetsAll(env, root, t, root.node.filters));
  return sortTuples(tables, filtered);
}

/** FetchXML's order of two column values: nulls first, strings case-insensitively. */
export function compareValues(a: unknown, b: unknown): number {
  // SQL Server sorts nulls first ascending.
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Number(a) - Number(b);
}

/** Orders of the root, then of each link in document order; the root primary key breaks ties. */
function sortTuples(tables: ReadonlyMap<string, BoundTable>, tuples: FetchTuple[]): FetchTuple[] {
  const keys: { table: BoundTable; order: FetchOrder }[] = [];
  for (const table of tables.values())
    for (const order of table.node.orders) {
      if (order.attribute === undefined)
        throw codeError("0x80040203", 400, "An order by alias applies to aggregate queries only.");
      columnOf(table.entity, order.attribute);
      keys.push({ table, order });
    }
  return [...tuples].sort((x, y) => {
    for (const { table, order } of keys) {
      const rx = x.get(table.alias) ?? null;
      const ry = y.get(table.alias) ?? null;
      const c = compareValues(
        rx ? columnValue(table.entity, rx, order.attribute!) : null,
        ry ? columnValue(table.entity, ry, order.attribute!) : null,
      );
      if (c !== 0) return order.descending ? -c : c;
    }
    const a = x.get(ROOT)!.id;
    const b = y.get(ROOT)!.id;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
