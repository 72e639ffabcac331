import type { OfflineWebApi } from "@xrm-offline/webapi";

/** The rows the screens show, read through the public API (offline: from IndexedDB). */
export interface CaseRow {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prioritycode: number | null;
  readonly customerId: string | null;
  readonly contactId: string | null;
  /** The customer's and contact's names when this device has them (server annotation or the local row). */
  readonly customerName: string | null;
  readonly contactName: string | null;
}

export interface TaskRow {
  readonly id: string;
  readonly subject: string;
  readonly description: string;
  readonly regardingId: string | null;
  /** The server's name for the regarding record (absent for tasks created on this device). */
  readonly regardingName: string | null;
  readonly scheduledend: string | null;
}

export interface NamedRow {
  readonly id: string;
  readonly name: string;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strOrNull = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === "number" ? v : null);
const FORMATTED = "@OData.Community.Display.V1.FormattedValue";

function expandedName(r: Row, property: string, column: string): string | null {
  const related = r[property];
  return related && typeof related === "object" ? strOrNull((related as Row)[column]) : null;
}

export function toCase(r: Row): CaseRow {
  return {
    id: str(r.incidentid),
    title: str(r.title),
    description: str(r.description),
    prioritycode: numOrNull(r.prioritycode),
    customerId: strOrNull(r._customerid_value),
    contactId: strOrNull(r._primarycontactid_value),
    customerName:
      expandedName(r, "customerid_account", "name") ?? strOrNull(r[`_customerid_value${FORMATTED}`]),
    contactName:
      expandedName(r, "primarycontactid", "fullname") ?? strOrNull(r[`_primarycontactid_value${FORMATTED}`]),
  };
}

export function toTask(r: Row): TaskRow {
  return {
    id: str(r.activityid),
    subject: str(r.subject),
    description: str(r.description),
    regardingId: strOrNull(r._regardingobjectid_value),
    regardingName: strOrNull(r[`_regardingobjectid_value${FORMATTED}`]),
    scheduledend: strOrNull(r.scheduledend),
  };
}

const CASE_SELECT =
  "$select=title,description,prioritycode,_customerid_value,_primarycontactid_value" +
  "&$expand=customerid_account($select=name),primarycontactid($select=fullname)";
const TASK_SELECT = "$select=subject,description,scheduledend,_regardingobjectid_value";

/** One page of a list, and the options of the next one (a local nextLink), if any. */
export interface Page<T> {
  readonly rows: T[];
  readonly next: string | null;
}

/** Rows shown per page in the work list: the store hands them out page by page (nextLink). */
export const LIST_PAGE = 50;

async function page<T>(
  api: OfflineWebApi,
  entity: string,
  options: string,
  map: (r: Row) => T,
  size = LIST_PAGE,
): Promise<Page<T>> {
  const r = await api.retrieveMultipleRecords(entity, options, size);
  return { rows: r.entities.map(map), next: r.nextLink ?? null };
}

/**
 * Open cases by title, a page at a time; `next` is the previous page's `next`. `size` rows at once
 * when a redrawn list shows again the pages the technician had opened.
 */
export function listCases(api: OfflineWebApi, next?: string, size?: number): Promise<Page<CaseRow>> {
  return page(api, "incident", next ?? `?${CASE_SELECT}&$orderby=title asc`, toCase, size);
}

export async function getCase(api: OfflineWebApi, id: string): Promise<CaseRow> {
  return toCase(await api.retrieveRecord("incident", id, `?${CASE_SELECT}`));
}

/** Open tasks by subject, a page at a time (or all tasks of one case); `size` as for cases. */
export function listTasks(
  api: OfflineWebApi,
  next?: string,
  regardingId?: string,
  size?: number,
): Promise<Page<TaskRow>> {
  const filter = regardingId ? `&$filter=_regardingobjectid_value eq ${regardingId}` : "";
  return page(api, "task", next ?? `?${TASK_SELECT}${filter}&$orderby=subject asc`, toTask, size);
}

/** An OData string literal's inside, percent-encoded so `&`, `#` or `'` typed by a user stay text. */
export function odataText(text: string): string {
  return encodeURIComponent(text.replace(/'/g, "''"));
}

/**
 * Picker queries stay cheap at any table size (docs/offline-api.md, "Answered from an index"): the
 * store walks the name index in name order and stops after a page; `startswith` on the name keeps
 * the walk inside the typed prefix, and the page's `nextLink` continues where it ended (keyset
 * paging), so "Show more" costs what the first page did.
 */
function startsWith(columns: readonly string[], text: string): string {
  if (!text) return "";
  const t = odataText(text);
  return `&$filter=${columns.map((c) => `startswith(${c},'${t}')`).join(" or ")}`;
}

/** One page of picker rows in name order, and the options of the next page, if any. */
async function namedPage(
  api: OfflineWebApi,
  entity: string,
  options: string,
  pageSize: number,
  map: (r: Row) => NamedRow,
): Promise<Page<NamedRow>> {
  const r = await api.retrieveMultipleRecords(entity, options, pageSize);
  return { rows: r.entities.map(map), next: r.nextLink ?? null };
}

/** Customers whose name starts with `text` (all for ""), by name, `pageSize` at a time. */
export function searchAccounts(
  api: OfflineWebApi,
  text: string,
  pageSize: number,
  next?: string,
): Promise<Page<NamedRow>> {
  const options = next ?? `?$select=name${startsWith(["name"], text)}&$orderby=name`;
  return namedPage(api, "account", options, pageSize, (a) => ({ id: str(a.accountid), name: str(a.name) }));
}

function contactName(c: Row): string {
  return str(c.fullname) || [str(c.firstname), str(c.lastname)].filter(Boolean).join(" ");
}

/**
 * Contacts whose full name or last name starts with `text` (all for ""), by full name,
 * `pageSize` at a time: one query, the `or` read as the union of the two prefix ranges.
 */
export function searchContacts(
  api: OfflineWebApi,
  text: string,
  pageSize: number,
  next?: string,
): Promise<Page<NamedRow>> {
  const options =
    next ??
    `?$select=fullname,firstname,lastname${startsWith(["fullname", "lastname"], text)}&$orderby=fullname`;
  return namedPage(api, "contact", options, pageSize, (c) => ({
    id: str(c.contactid),
    name: contactName(c),
  }));
}

export const PRIORITIES: readonly { readonly value: number; readonly label: string }[] = [
  { value: 1, label: "High" },
  { value: 2, label: "Normal" },
  { value: 3, label: "Low" },
];

export function priorityLabel(code: number | null): string {
  return PRIORITIES.find((p) => p.value === code)?.label ?? "—";
}
