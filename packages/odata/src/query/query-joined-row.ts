import type { JoinPlan } from "./query-plan.ts";

/**
 * The shape of a row produced by a FetchXML one-to-many join (see query-joins.ts): it inherits
 * its parent's columns and carries the joined children under {@link JOINED}.
 */

type Row = Readonly<Record<string, unknown>>;

export const JOINED: unique symbol = Symbol("joined");

export interface Joined {
  readonly parent: Row;
  /** Child row per join alias; undefined for an outer join without a match. */
  readonly children: ReadonlyMap<string, Row | undefined>;
  /** Parent and child primary keys: the joined row's identity, for ordering ties and paging. */
  readonly id: string;
  /** The same without children whose columns are not returned: what `distinct` compares. */
  readonly visibleId: string;
}

/** The children of one parent in one join: rows of `join.entity` whose lookup holds `parentId`. */
export type ResolveChildren = (join: JoinPlan, parentId: string) => readonly Row[];

export function joinedOf(row: Row): Joined | undefined {
  return (row as { [JOINED]?: Joined })[JOINED];
}

/** The child row of `alias` a joined row carries (undefined for a plain row or no match). */
export function joinedChild(row: Row, alias: string): Row | undefined {
  return joinedOf(row)?.children.get(alias);
}
