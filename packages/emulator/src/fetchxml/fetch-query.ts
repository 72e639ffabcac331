/** A FetchXML query as the emulator's server side reads it (independent of packages/odata). */
export interface FetchCondition {
  readonly attribute: string;
  readonly operator: string;
  /** The `value` attribute, or the text of one `<value>` child. */
  readonly value?: string;
  /** `<value>` children (in, not-in, between). */
  readonly values: readonly string[];
  /** `entityname`: a link-entity alias the attribute belongs to (conditions in the root filter). */
  readonly entityName?: string;
}

export interface FetchFilter {
  readonly type: "and" | "or";
  readonly conditions: readonly FetchCondition[];
  readonly filters: readonly FetchFilter[];
  /** Filter link types (`any`, `not any`, `all`, `not all`): conditions on related rows. */
  readonly links: readonly FetchLink[];
}

/** Link types that join rows into the result (their columns can be returned). */
export type JoinLinkType = "inner" | "outer" | "matchfirstrowusingcrossapply";
/** Link types that only keep or drop the parent row (at most once, no columns). */
export type SemiJoinLinkType = "exists" | "in";
/** Link types used inside a `<filter>`, as one of its conditions. */
export type FilterLinkType = "any" | "not any" | "all" | "not all";
export type LinkType = JoinLinkType | SemiJoinLinkType | FilterLinkType;

export interface FetchOrder {
  readonly attribute?: string;
  /** Aggregate queries order by an alias. */
  readonly alias?: string;
  readonly descending: boolean;
}

export interface FetchAttribute {
  readonly name: string;
  readonly alias?: string;
  readonly aggregate?: string;
  readonly groupBy: boolean;
  readonly distinct: boolean;
}

/** `<entity>` or `<link-entity>`: what to read from one table. */
export interface FetchEntity {
  readonly name: string;
  readonly allAttributes: boolean;
  readonly attributes: readonly FetchAttribute[];
  readonly orders: readonly FetchOrder[];
  readonly filters: readonly FetchFilter[];
  readonly links: readonly FetchLink[];
}

export interface FetchLink extends FetchEntity {
  /** Attribute of the linked table. */
  readonly from: string;
  /** Attribute of the parent table. */
  readonly to: string;
  /** Alias used to name its columns in the result (`alias.column`). */
  readonly alias: string;
  readonly linkType: LinkType;
}

export interface FetchQuery {
  readonly entity: FetchEntity;
  readonly top?: number;
  readonly count?: number;
  readonly page?: number;
  readonly pagingCookie?: string;
  readonly distinct: boolean;
  readonly aggregate: boolean;
  readonly returnTotalRecordCount: boolean;
}
