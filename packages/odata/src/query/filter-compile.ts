import { xrmError } from "../errors/error-catalogue.ts";
import { type Clock, dayOfValue, daysToInstants, relativeDays } from "./filter-date-ranges.ts";
import {
  compareNormalized,
  compileLike,
  fold,
  likeMatch,
  normalize,
  normalizeLiteral,
} from "./query-compare.ts";
import { joinedChild, type ResolveChildren } from "./query-joined-row.ts";
import type { ColumnRef, CompareOperator, FilterNode, QueryPlan, RelatedPath } from "./query-plan.ts";

export type Row = Readonly<Record<string, unknown>>;
export type RowPredicate = (row: Row) => boolean;
/** Finds a stored row by table and primary key (for lookups, `$expand`, link-entities). */
export type ResolveRelated = (entity: string, id: string) => Row | undefined;

export interface EvaluationContext {
  readonly resolveRelated?: ResolveRelated;
  /** Children of a parent row, for FetchXML one-to-many link-entities. */
  readonly resolveChildren?: ResolveChildren;
  /** "Now" for FetchXML's relative date operators. Default: the current time. */
  readonly now?: Date | number;
  /** The user's UTC offset in minutes east of UTC (+120 for UTC+2). Default 0. */
  readonly timeZoneOffsetMinutes?: number;
  /** First day of the week for this-week etc.: 0 = Sunday (default) … 6 = Saturday. */
  readonly weekStartDay?: number;
  /** The signed-in user's systemuserid, for eq-userid / ne-userid / eq-useroruserteams. */
  readonly userId?: string;
  /** Teams the user belongs to, for eq-useroruserteams. */
  readonly userTeamIds?: readonly string[];
}

const LOOKUP_NAME = "@Microsoft.Dynamics.CRM.lookuplogicalname";

/**
 * The row a lookup points at, or undefined. The lookup's logical-name annotation picks the table
 * for polymorphic lookups; a row pointing at a table outside `path.targets` has no such relative.
 */
export function relatedRow(
  row: Row,
  path: RelatedPath,
  resolve: ResolveRelated | undefined,
): Row | undefined {
  const id = row[path.lookupProperty];
  if (typeof id !== "string" || !resolve) return undefined;
  const annotated = row[`${path.lookupProperty}${LOOKUP_NAME}`];
  const entity = typeof annotated === "string" ? annotated : path.targetEntity;
  if (!path.targets.includes(entity)) return undefined;
  return resolve(entity, id);
}

function getter(col: ColumnRef, ctx: EvaluationContext): (row: Row) => unknown {
  const p = col.property;
  if (col.join !== undefined) {
    // A column of a one-to-many link: read on the joined child (none → null, as in an outer join).
    const alias = col.join;
    return (row) => joinedChild(row, alias)?.[p];
  }
  if (col.via) {
    const via = col.via;
    if (!ctx.resolveRelated) {
      throw xrmError("InvalidArgument", `This query reads '${via.navigation}/${p}'; pass resolveRelated.`);
    }
    return (row) => relatedRow(row, via, ctx.resolveRelated)?.[p];
  }
  if (col.lookupTarget) {
    // One navigation property of a polymorphic lookup: pointing elsewhere reads as null.
    const target = col.lookupTarget;
    return (row) => {
      const v = row[p];
      const name = row[`${p}${LOOKUP_NAME}`];
      return name === undefined || name === target ? v : null;
    };
  }
  return (row) => row[p];
}

function test(op: CompareOperator, order: number): boolean {
  switch (op) {
    case "eq":
      return order === 0;
    case "ne":
      return order !== 0;
    case "gt":
      return order > 0;
    case "ge":
      return order >= 0;
    case "lt":
      return order < 0;
    case "le":
      return order <= 0;
  }
}

/**
 * Two-valued logic, as OData specifies and as Dataverse behaves for "does not equal": null eq null,
 * null ne value, and every ordering comparison with a null is false. not(p) is the complement of p.
 */
function compareWithNull(op: CompareOperator, bothNull: boolean): boolean {
  return op === "eq" ? bothNull : op === "ne" ? !bothNull : false;
}

function clockOf(ctx: EvaluationContext): Clock {
  const now = ctx.now === undefined ? Date.now() : typeof ctx.now === "number" ? ctx.now : ctx.now.getTime();
  return { now, offsetMinutes: ctx.timeZoneOffsetMinutes ?? 0, weekStart: ctx.weekStartDay ?? 0 };
}

export function compileNode(node: FilterNode, ctx: EvaluationContext): RowPredicate {
  switch (node.kind) {
    case "and": {
      const parts = node.children.map((c) => compileNode(c, ctx));
      return (row) => parts.every((p) => p(row));
    }
    case "or": {
      const parts = node.children.map((c) => compileNode(c, ctx));
      return (row) => parts.some((p) => p(row));
    }
    case "not": {
      const inner = compileNode(node.operand, ctx);
      return (row) => !inner(row);
    }
    case "compare": {
      const { op, column } = node;
      const get = getter(column, ctx);
      const type = column.type;
      if (node.value.type === "column") {
        const other = node.value.column;
        const get2 = getter(other, ctx);
        return (row) => {
          const a = normalize(type, get(row));
          const b = normalize(other.type, get2(row));
          if (a === null || b === null) return compareWithNull(op, a === null && b === null);
          return test(op, compareNormalized(type, a, b));
        };
      }
      const lit = normalizeLiteral(type, node.value);
      return (row) => {
        const v = normalize(type, get(row));
        if (v === null || lit === null) return compareWithNull(op, v === null && lit === null);
        return test(op, compareNormalized(type, v, lit));
      };
    }
    case "function": {
      const get = getter(node.column, ctx);
      const needle = fold(node.value);
      const fn = node.fn;
      return (row) => {
        const v = get(row);
        if (typeof v !== "string") return false;
        const hay = fold(v);
        return fn === "contains"
          ? hay.includes(needle)
          : fn === "startswith"
            ? hay.startsWith(needle)
            : hay.endsWith(needle);
      };
    }
    case "like": {
      const get = getter(node.column, ctx);
      const tokens = compileLike(node.pattern);
      return (row) => {
        const v = get(row);
        return typeof v === "string" && likeMatch(v, tokens);
      };
    }
    case "in": {
      const get = getter(node.column, ctx);
      const type = node.column.type;
      const values = node.values.map((l) => normalizeLiteral(type, l)).filter((v) => v !== null);
      return (row) => {
        const v = normalize(type, get(row));
        return v !== null && values.some((x) => compareNormalized(type, v, x) === 0);
      };
    }
    case "on": {
      const get = getter(node.column, ctx);
      const day = dayOfValue(node.date);
      const dateOnly = node.column.type === "date";
      const [start, end] = daysToInstants([day ?? 0, (day ?? 0) + 1], clockOf(ctx), dateOnly);
      const op = node.op;
      return (row) => {
        const v = normalize(node.column.type, get(row));
        if (typeof v !== "number" || day === null) return false;
        return op === "on" ? v >= start && v < end : op === "on-or-before" ? v < end : v >= start;
      };
    }
    case "relative-date": {
      const get = getter(node.column, ctx);
      const clock = clockOf(ctx);
      const dateOnly = node.column.type === "date";
      const [start, end] = daysToInstants(relativeDays(node.op, node.x ?? 0, clock), clock, dateOnly);
      return (row) => {
        const v = normalize(node.column.type, get(row));
        return typeof v === "number" && v >= start && v < end;
      };
    }
    case "user": {
      if (!ctx.userId)
        throw xrmError("InvalidArgument", `The operator '${node.op}' needs the current user's id.`);
      const get = getter(node.column, ctx);
      const ids = new Set([ctx.userId, ...(node.op === "eq-useroruserteams" ? (ctx.userTeamIds ?? []) : [])]);
      const wanted = new Set([...ids].map((id) => normalize("guid", id)));
      const negate = node.op === "ne-userid";
      return (row) => {
        const v = normalize("guid", get(row));
        return negate ? !wanted.has(v) : v !== null && wanted.has(v);
      };
    }
  }
}

/**
 * The plan's row predicate: its filter, plus the inner joins of FetchXML link-entities (the
 * related row must exist and pass the link's own filter).
 */
export function compileFilter(plan: QueryPlan, context: EvaluationContext = {}): RowPredicate {
  const parts: RowPredicate[] = [];
  if (plan.filter) parts.push(compileNode(plan.filter, context));
  for (const e of plan.expand) {
    if (!e.required) continue;
    if (!context.resolveRelated) {
      throw xrmError(
        "InvalidArgument",
        `This query joins '${e.alias ?? e.navigation}'; pass resolveRelated.`,
      );
    }
    const linkFilter = e.filter ? compileNode(e.filter, context) : undefined;
    const resolve = context.resolveRelated;
    parts.push((row) => {
      const related = relatedRow(row, e, resolve);
      return related !== undefined && (!linkFilter || linkFilter(related));
    });
  }
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0]!;
  return (row) => parts.every((p) => p(row));
}
