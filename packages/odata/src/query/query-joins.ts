import { compileNode, type EvaluationContext, type Row, type RowPredicate } from "./filter-compile.ts";
import { normalize } from "./query-compare.ts";
import { JOINED, type Joined } from "./query-joined-row.ts";
import type { JoinPlan, QueryPlan } from "./query-plan.ts";

const LOOKUP_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname";

/**
 * FetchXML one-to-many link-entities, evaluated like the SQL join the server runs: a parent row
 * comes back once per matching child (per combination, with several links). A joined row reads
 * as its parent (it inherits the parent's columns through its prototype, so every predicate and
 * lookup path works unchanged) and carries its children under {@link JOINED}.
 */

/** Whether a child row's lookup points at the join's parent table (polymorphic lookups). */
export function pointsAtParent(join: JoinPlan, child: Row): boolean {
  const name = child[`${join.lookupProperty}${LOOKUP_NAME}`];
  return name === undefined || name === join.parentEntity;
}

function idOf(row: Row | undefined, key: string): string {
  return row ? ((normalize("guid", row[key]) as string | null) ?? "") : "";
}

/**
 * Every joined row of `parents`, in parent order. Without `resolveChildren` an inner join has no
 * children (no row comes back) and an outer join keeps each parent once.
 */
export function* joinRows(plan: QueryPlan, parents: Iterable<Row>, ctx: EvaluationContext): Generator<Row> {
  const joins = plan.joins ?? [];
  const filters: (RowPredicate | undefined)[] = joins.map((j) =>
    j.filter ? compileNode(j.filter, ctx) : undefined,
  );
  for (const parent of parents) {
    let combos: Map<string, Row | undefined>[] = [new Map()];
    joins.forEach((join, i) => {
      const parentId = normalize("guid", parent[join.parentProperty]);
      const filter = filters[i];
      const children =
        typeof parentId === "string" && ctx.resolveChildren
          ? ctx
              .resolveChildren(join, parentId)
              .filter((c) => pointsAtParent(join, c) && (!filter || filter(c)))
          : [];
      const options: (Row | undefined)[] = children.length > 0 ? children : join.required ? [] : [undefined];
      combos = combos.flatMap((m) => options.map((c) => new Map(m).set(join.alias, c)));
    });
    const parentId = idOf(parent, plan.primaryKey);
    for (const children of combos) {
      const ids = joins.map((j) => idOf(children.get(j.alias), j.primaryKey));
      const id = [parentId, ...ids].join("|");
      const visibleId = [parentId, ...ids.filter((_, i) => joins[i]!.select.length !== 0)].join("|");
      const joined: Joined = { parent, children, id, visibleId };
      const row = Object.create(parent) as Record<string | symbol, unknown>;
      row[JOINED] = joined;
      yield row as Row;
    }
  }
}
