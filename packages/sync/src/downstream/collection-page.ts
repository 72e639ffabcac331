/**
 * Reading one page of a Web API collection answer (pure): entity rows, `$deletedEntity` entries
 * of a delta answer, and the paging and delta links.
 */
import { normalizeRecordId, xrmError } from "@xrm-offline/odata";

export interface CollectionPage {
  readonly rows: Readonly<Record<string, unknown>>[];
  /** Ids of `$deletedEntity` entries (delta answers only), lower case. */
  readonly deletedIds: string[];
  readonly nextLink?: string;
  readonly deltaLink?: string;
  /** `@odata.count`, when asked for. */
  readonly count?: number;
  /** `@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded`: `count` stopped at the server's limit. */
  readonly countLimitExceeded?: boolean;
}

const CONTEXT = "@odata.context";

function unexpected(what: string, detail: string): never {
  throw xrmError(
    "UnexpectedError",
    `The server's answer to ${what} is not a valid OData collection: ${detail}.`,
  );
}

/** `what` names the request in errors ("the pull of 'account'"). */
export function readPage(body: unknown, what: string): CollectionPage {
  if (typeof body !== "object" || body === null || Array.isArray(body)) unexpected(what, "not a JSON object");
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.value)) unexpected(what, "no 'value' array");
  const rows: Record<string, unknown>[] = [];
  const deletedIds: string[] = [];
  for (const item of b.value as unknown[]) {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      unexpected(what, "an entry is not an object");
    const entry = item as Record<string, unknown>;
    const context = entry[CONTEXT];
    if (typeof context === "string") {
      if (context.endsWith("/$deletedEntity")) {
        const id = normalizeRecordId(entry.id);
        if (!id) unexpected(what, "a $deletedEntity entry has no valid id");
        deletedIds.push(id);
        continue;
      }
      // Relationship changes ($link / $deletedLink) say nothing about the rows themselves.
      if (context.endsWith("/$link") || context.endsWith("/$deletedLink")) continue;
    }
    rows.push(entry);
  }
  const link = (name: string): string | undefined => {
    const v = b[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v === "") unexpected(what, `'${name}' is not a URL`);
    return v;
  };
  const nextLink = link("@odata.nextLink");
  const deltaLink = link("@odata.deltaLink");
  const count = b["@odata.count"];
  const exceeded = b["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"];
  return {
    rows,
    deletedIds,
    ...(nextLink !== undefined ? { nextLink } : {}),
    ...(deltaLink !== undefined ? { deltaLink } : {}),
    ...(typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? { count } : {}),
    ...(typeof exceeded === "boolean" ? { countLimitExceeded: exceeded } : {}),
  };
}

/** The lower-case primary key of a server row, or an error naming the row. */
export function rowId(row: Readonly<Record<string, unknown>>, primaryId: string, what: string): string {
  const id = normalizeRecordId(row[primaryId]);
  if (!id) unexpected(what, `a row has no valid '${primaryId}'`);
  return id;
}
