/**
 * A table's row count beyond what `$count` gives (pure). Dataverse's `@odata.count` stops at
 * 5,000 (`@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded: true` when there are more);
 * Microsoft's "Count rows using OData" points at the `RetrieveTotalRecordCount` function for more:
 * a snapshot of the whole table's count taken within the past 24 hours, so an estimate.
 */

/** Where `$count` stops counting (standard tables). */
export const COUNT_LIMIT = 5000;

/** The Prefer value that makes the server say whether `@odata.count` was capped. */
export const PREFER_COUNT_ANNOTATIONS =
  'odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"';

/**
 * Whether a `$count` may be short of the real number: the server said so, or (a server that
 * doesn't send the annotation) the count sits at the limit.
 */
export function countCapped(count: number, limitExceeded: boolean | undefined): boolean {
  return limitExceeded ?? count >= COUNT_LIMIT;
}

/** `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=['<table>']`, relative to the service root. */
export function totalRecordCountUrl(entity: string): string {
  return `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=${encodeURIComponent(`['${entity}']`)}`;
}

/**
 * The table's count in a RetrieveTotalRecordCount answer (`EntityRecordCountCollection`: `Keys`
 * and `Values`, Int64 as a number or, IEEE754Compatible, a string), or null when it isn't there.
 */
export function readTotalRecordCount(body: unknown, entity: string): number | null {
  const collection = (body as { EntityRecordCountCollection?: unknown } | null)?.EntityRecordCountCollection;
  if (typeof collection !== "object" || collection === null) return null;
  const { Keys: keys, Values: values } = collection as { Keys?: unknown; Values?: unknown };
  if (!Array.isArray(keys) || !Array.isArray(values)) return null;
  const at = keys.indexOf(entity);
  if (at < 0) return null;
  const value = Number(values[at]);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}
