/**
 * The parsed, validated form of an Xrm read: what `parseQueryOptions` returns and what
 * `evaluateQuery` runs over local rows. Plain JSON data (no functions), so a store can keep it,
 * log it or send it to a worker. Every column name in it has been checked against metadata.
 */

/** How a column's values compare. Derived from the column's Edm type. */
export type ValueType = "string" | "guid" | "number" | "boolean" | "datetime" | "date";

/** A typed literal from a query. Dates are kept as text and compared as instants. */
export type Literal =
  | { readonly type: "null"; readonly value: null }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "guid"; readonly value: string }
  | { readonly type: "number"; readonly value: number }
  | { readonly type: "boolean"; readonly value: boolean }
  | { readonly type: "datetime"; readonly value: string }
  | { readonly type: "date"; readonly value: string };

/** A column of the queried row, or (with `via`) of the row one lookup away. */
export interface ColumnRef {
  /** Property name on the row as the Web API returns it: `name`, `_primarycontactid_value`. */
  readonly property: string;
  readonly type: ValueType;
  /**
   * Set when the filter named one navigation property of a polymorphic lookup
   * (`parentcustomerid_account/accountid`): the row's lookuplogicalname annotation must match.
   */
  readonly lookupTarget?: string;
  /** Set for `primarycontactid/fullname`: the column lives on the related row. */
  readonly via?: RelatedPath;
  /** Set for a FetchXML condition on a one-to-many link's columns: the alias of that join. */
  readonly join?: string;
}

/** How to reach the row a lookup points at. */
export interface RelatedPath {
  /** Navigation property name (`primarycontactid`) or FetchXML link alias. */
  readonly navigation: string;
  /** `_primarycontactid_value` on the outer row. */
  readonly lookupProperty: string;
  /** Target table when the lookup value has no lookuplogicalname annotation. */
  readonly targetEntity: string;
  /** Every table the lookup may point at (more than one for customer/regarding lookups). */
  readonly targets: readonly string[];
}

export type CompareOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
export type StringFunction = "contains" | "startswith" | "endswith";

/** Relative date operators of FetchXML, evaluated against the evaluator's clock. */
export type RelativeDateOperator =
  | "today"
  | "yesterday"
  | "tomorrow"
  | "last-seven-days"
  | "next-seven-days"
  | "this-week"
  | "last-week"
  | "next-week"
  | "this-month"
  | "last-month"
  | "next-month"
  | "this-year"
  | "last-year"
  | "next-year"
  | "last-x-days"
  | "next-x-days"
  | "last-x-weeks"
  | "next-x-weeks"
  | "last-x-months"
  | "next-x-months"
  | "last-x-years"
  | "next-x-years";

export type FilterNode =
  | { readonly kind: "and" | "or"; readonly children: readonly FilterNode[] }
  | { readonly kind: "not"; readonly operand: FilterNode }
  | {
      readonly kind: "compare";
      readonly op: CompareOperator;
      readonly column: ColumnRef;
      /** A literal, or another column of the same row (`revenue gt creditlimit`). */
      readonly value: Literal | { readonly type: "column"; readonly column: ColumnRef };
    }
  | {
      readonly kind: "function";
      readonly fn: StringFunction;
      readonly column: ColumnRef;
      readonly value: string;
    }
  /** SQL LIKE with `%`, `_` and `[...]`; case- and accent-insensitive. */
  | { readonly kind: "like"; readonly column: ColumnRef; readonly pattern: string }
  | { readonly kind: "in"; readonly column: ColumnRef; readonly values: readonly Literal[] }
  /** FetchXML on / on-or-before / on-or-after: calendar day of `date` in the evaluator's time zone. */
  | {
      readonly kind: "on";
      readonly op: "on" | "on-or-before" | "on-or-after";
      readonly column: ColumnRef;
      readonly date: string;
    }
  | {
      readonly kind: "relative-date";
      readonly op: RelativeDateOperator;
      readonly column: ColumnRef;
      /** X of the `-x-` operators. */
      readonly x?: number;
    }
  /** eq-userid / ne-userid / eq-useroruserteams: compared with the evaluator's user (and teams). */
  | {
      readonly kind: "user";
      readonly op: "eq-userid" | "ne-userid" | "eq-useroruserteams";
      readonly column: ColumnRef;
    };

export interface OrderKey {
  readonly property: string;
  readonly type: ValueType;
  readonly descending: boolean;
}

/** A related row to return with each row: OData `$expand` or a FetchXML `<link-entity>`. */
export interface ExpandPlan extends RelatedPath {
  /** Primary key of the target table(s), always returned. */
  readonly targetPrimaryKeys: Readonly<Record<string, string>>;
  /** Columns of the related row to return; "all" for every stored column. */
  readonly select: readonly string[] | "all";
  /**
   * "nested": `primarycontactid: { … }` (OData). "flattened": `alias.column` properties on the
   * row itself, as the Web API returns FetchXML link-entity columns.
   */
  readonly shape: "nested" | "flattened";
  /** FetchXML link alias (given, or generated like the server does: `contact1`). */
  readonly alias?: string;
  /** FetchXML inner join: rows without a (matching) related row are left out. */
  readonly required: boolean;
  /** FetchXML filter inside the link-entity, over the related row's columns. */
  readonly filter?: FilterNode;
}

/**
 * A FetchXML one-to-many `<link-entity>` (businessunit → systemuser on `businessunitid`): a join
 * that returns one row per parent and matching child, the child's columns flattened as
 * `alias.column`. Inner drops parents without a matching child; outer keeps them once, with no
 * child columns.
 */
export interface JoinPlan {
  readonly alias: string;
  /** The child table. */
  readonly entity: string;
  readonly primaryKey: string;
  /** The child's lookup to the parent: `_businessunitid_value`. */
  readonly lookupProperty: string;
  /** The parent's column that lookup holds (its primary key). */
  readonly parentProperty: string;
  /** The parent's table, which the child's lookup must point at (polymorphic lookups). */
  readonly parentEntity: string;
  readonly select: readonly string[] | "all";
  /** The link-entity's own filter, over the child's columns. */
  readonly filter?: FilterNode;
  readonly required: boolean;
}

/** An equality a store can answer from an index before running the full predicate. */
export interface IndexHint {
  readonly property: string;
  readonly value: string | number | boolean;
  /** Strings compare case-insensitively in Dataverse; an index lookup must do the same. */
  readonly caseInsensitive: boolean;
}

export interface QueryPlan {
  readonly entity: string;
  readonly primaryKey: string;
  readonly source: "odata" | "fetchxml";
  /** Columns to return; "all" when no $select / `<all-attributes/>`. Primary key always comes too. */
  readonly select: readonly string[] | "all";
  readonly filter?: FilterNode;
  /** Sort keys; the primary key is always the final tie-breaker (not listed here). */
  readonly orderBy: readonly OrderKey[];
  readonly top?: number;
  readonly expand: readonly ExpandPlan[];
  /** FetchXML one-to-many link-entities, joined in link order. */
  readonly joins?: readonly JoinPlan[];
  /** FetchXML `distinct="true"`: joined rows that show the same columns come back once. */
  readonly distinct?: boolean;
  /** `$count=true` / `returntotalrecordcount="true"`. */
  readonly count: boolean;
  /** FetchXML `count` + `page` paging. */
  readonly page?: { readonly size: number; readonly number: number };
  /** The `$skiptoken` the caller passed back from a nextLink. */
  readonly skipToken?: string;
  readonly indexHint?: IndexHint;
  /** The options without `$skiptoken`, re-encoded: the base of every nextLink. */
  readonly options: string;
  /** Hash of what decides the row set and its order; a skip token only fits its own query. */
  readonly fingerprint: string;
}
