import { codeError } from "../http/wire.ts";
import { type BoundTable, columnOf, columnValue, type FetchTuple } from "./evaluate-fetch.ts";

/** Dataverse's aggregate limit ("AggregateQueryRecordLimit", 50,000 rows). */
const AGGREGATE_LIMIT = 50_000;

interface Column {
  readonly table: BoundTable;
  readonly name: string;
  readonly alias: string;
  readonly aggregate?: string;
  readonly groupBy: boolean;
  readonly distinct: boolean;
}

/**
 * `<fetch aggregate="true">`: rows grouped by the `groupby="true"` attributes, with count,
 * countcolumn, sum, avg, min and max per group, each under its alias.
 */
export function aggregateTuples(
  tables: ReadonlyMap<string, BoundTable>,
  tuples: readonly FetchTuple[],
): Record<string, unknown>[] {
  if (tuples.length > AGGREGATE_LIMIT)
    throw codeError("0x8004e023", 400, "AggregateQueryRecordLimit exceeded. Cannot perform this operation.");
  const columns: Column[] = [];
  for (const table of tables.values())
    for (const a of table.node.attributes) {
      if (!a.alias) throw codeError("0x80040203", 400, `Aggregate attribute '${a.name}' needs an alias.`);
      if (!a.groupBy && !a.aggregate)
        throw codeError(
          "0x80040203",
          400,
          `Attribute '${a.name}' needs groupby or aggregate in an aggregate query.`,
        );
      columnOf(table.entity, a.name);
      columns.push({
        table,
        name: a.name,
        alias: a.alias,
        groupBy: a.groupBy,
        distinct: a.distinct,
        ...(a.aggregate ? { aggregate: a.aggregate } : {}),
      });
    }
  const read = (c: Column, t: FetchTuple) => {
    const row = t.get(c.table.alias) ?? null;
    return row ? columnValue(c.table.entity, row, c.name) : null;
  };
  const groupCols = columns.filter((c) => c.groupBy);
  const groups = new Map<string, FetchTuple[]>();
  for (const t of tuples) {
    const key = JSON.stringify(groupCols.map((c) => read(c, t)));
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  if (groupCols.length === 0 && groups.size === 0) groups.set("[]", []);
  const out: Record<string, unknown>[] = [];
  for (const members of groups.values()) {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      if (c.groupBy) {
        row[c.alias] = members.length > 0 ? read(c, members[0]!) : null;
        continue;
      }
      let values = members.map((t) => read(c, t)).filter((v) => v !== null);
      if (c.distinct) values = [...new Set(values.map((v) => String(v)))];
      const nums = values.map(Number);
      switch (c.aggregate) {
        case "count":
          row[c.alias] = c.distinct ? values.length : members.length;
          break;
        case "countcolumn":
          row[c.alias] = values.length;
          break;
        case "sum":
          row[c.alias] = nums.reduce((a, b) => a + b, 0);
          break;
        case "avg":
          row[c.alias] = nums.length > 0 ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
          break;
        case "min":
          row[c.alias] = nums.length > 0 ? Math.min(...nums) : null;
          break;
        case "max":
          row[c.alias] = nums.length > 0 ? Math.max(...nums) : null;
          break;
        default:
          throw codeError("0x80040203", 400, `The aggregate '${c.aggregate}' is not supported.`);
      }
    }
    out.push(row);
  }
  return out;
}
