import { queryError } from "../http/wire.ts";
import { type FilterNode, parseFilter } from "../odata/filter-parser.ts";
import { splitTop } from "../odata/query-options.ts";

export type AggregateMethod = "sum" | "average" | "min" | "max" | "countdistinct";

/** `revenue with sum as total`, or `$count as count` (property undefined, method "count"). */
export interface AggregateExpression {
  readonly property?: string;
  readonly method: AggregateMethod | "count";
  readonly alias: string;
}

/** A parsed `$apply`: optional filter transformations, then groupby and/or aggregate. */
export interface ApplyPlan {
  readonly filters: readonly FilterNode[];
  readonly groupBy: readonly string[];
  readonly aggregates: readonly AggregateExpression[];
}

const METHODS = new Set(["sum", "average", "min", "max", "countdistinct"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

function bad(text: string): never {
  throw queryError(`Syntax error in '$apply=${text}'.`);
}

/** `name(inner)` → inner, or undefined when `step` is not a call of `name`. */
function callOf(step: string, name: string): string | undefined {
  if (!step.startsWith(`${name}(`) || !step.endsWith(")")) return undefined;
  return step.slice(name.length + 1, -1);
}

function parseAggregates(text: string, whole: string): AggregateExpression[] {
  return splitTop(text, ",").map((expr) => {
    const count = /^\$count\s+as\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (count) return { method: "count", alias: count[1]! };
    const m = /^(\S+)\s+with\s+(\w+)\s+as\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (!m || !NAME.test(m[1]!)) bad(whole);
    if (!METHODS.has(m[2]!)) throw queryError(`The aggregation method '${m[2]}' is not supported.`);
    return { property: m[1]!, method: m[2] as AggregateMethod, alias: m[3]! };
  });
}

/**
 * Parse the `$apply` subset Dataverse supports ("Aggregate data using OData"):
 * `filter(…)/groupby((a,b),aggregate(x with sum as y,$count as n))`, `aggregate(…)`, `groupby((a))`.
 */
export function parseApply(text: string): ApplyPlan {
  const filters: FilterNode[] = [];
  let groupBy: string[] = [];
  let aggregates: AggregateExpression[] = [];
  const steps = splitTop(text, "/");
  // A `/` inside a property path of groupby is inside parentheses, so it is not split here.
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const filter = callOf(step, "filter");
    if (filter !== undefined && !last) {
      filters.push(parseFilter(filter));
      return;
    }
    if (!last) bad(text);
    const aggregate = callOf(step, "aggregate");
    if (aggregate !== undefined) {
      aggregates = parseAggregates(aggregate, text);
      return;
    }
    const group = callOf(step, "groupby");
    if (group === undefined) {
      if (filter !== undefined) {
        filters.push(parseFilter(filter));
        return;
      }
      throw queryError(`The transformation '${step.split("(")[0]}' is not supported in $apply.`);
    }
    const [props, inner, extra] = splitTop(group, ",");
    if (!props?.startsWith("(") || !props.endsWith(")") || extra !== undefined) bad(text);
    groupBy = props
      .slice(1, -1)
      .split(",")
      .map((p) => p.trim());
    if (groupBy.some((p) => !NAME.test(p))) bad(text);
    if (inner !== undefined) {
      const agg = callOf(inner, "aggregate");
      if (agg === undefined) bad(text);
      aggregates = parseAggregates(agg, text);
    }
  });
  const aliases = new Set<string>();
  for (const a of aggregates) {
    if (aliases.has(a.alias) || groupBy.includes(a.alias))
      throw queryError(`The alias '${a.alias}' is used more than once in $apply.`);
    aliases.add(a.alias);
  }
  return { filters, groupBy, aggregates };
}
