import { type Preferences, wantsAnnotation } from "../http/prefer.ts";

/** Dataverse counts at most this many rows for `$count=true` (standard tables). */
export const COUNT_LIMIT = 5000;

const TOTAL = "Microsoft.Dynamics.CRM.totalrecordcount";
const TOTAL_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded";

/**
 * What `$count=true` adds to a collection, as Dataverse answers it ("Count rows using OData"):
 * `@odata.count` up to 5,000 whatever the real number; with `Prefer: odata.include-annotations`
 * naming them (or `*`), `@Microsoft.Dynamics.CRM.totalrecordcount` (also capped) and
 * `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded` (true when there are more). Beyond the
 * cap the page points at RetrieveTotalRecordCount.
 */
export function countAnnotations(count: number, prefs: Preferences): Record<string, number | boolean> {
  const shown = Math.min(count, COUNT_LIMIT);
  const body: Record<string, number | boolean> = { "@odata.count": shown };
  if (wantsAnnotation(prefs, TOTAL)) body[`@${TOTAL}`] = shown;
  if (wantsAnnotation(prefs, TOTAL_EXCEEDED)) body[`@${TOTAL_EXCEEDED}`] = count > COUNT_LIMIT;
  return body;
}
