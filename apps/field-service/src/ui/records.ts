import type { OfflineWebApi } from "@xrm-offline/webapi";

/** The rows the screens show, read through the public API (offline: from IndexedDB). */
export interface CaseRow {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly prioritycode: number | null;
  readonly customerId: string | null;
  readonly contactId: string | null;
}

export interface TaskRow {
  readonly id: string;
  readonly subject: string;
  readonly description: string;
  readonly regardingId: string | null;
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

export function toCase(r: Row): CaseRow {
  return {
    id: str(r.incidentid),
    title: str(r.title),
    description: str(r.description),
    prioritycode: numOrNull(r.prioritycode),
    customerId: strOrNull(r._customerid_value),
    contactId: strOrNull(r._primarycontactid_value),
  };
}

export function toTask(r: Row): TaskRow {
  return {
    id: str(r.activityid),
    subject: str(r.subject),
    description: str(r.description),
    regardingId: strOrNull(r._regardingobjectid_value),
    scheduledend: strOrNull(r.scheduledend),
  };
}

const CASE_SELECT = "$select=title,description,prioritycode,_customerid_value,_primarycontactid_value";
const TASK_SELECT = "$select=subject,description,scheduledend,_regardingobjectid_value";

export async function listCases(api: OfflineWebApi): Promise<CaseRow[]> {
  const r = await api.retrieveMultipleRecords("incident", `?${CASE_SELECT}&$orderby=title asc`);
  return r.entities.map(toCase);
}

export async function getCase(api: OfflineWebApi, id: string): Promise<CaseRow> {
  return toCase(await api.retrieveRecord("incident", id, `?${CASE_SELECT}`));
}

export async function listTasks(api: OfflineWebApi, regardingId?: string): Promise<TaskRow[]> {
  const filter = regardingId ? `&$filter=_regardingobjectid_value eq ${regardingId}` : "";
  const r = await api.retrieveMultipleRecords("task", `?${TASK_SELECT}${filter}&$orderby=subject asc`);
  return r.entities.map(toTask);
}

export async function listAccounts(api: OfflineWebApi): Promise<NamedRow[]> {
  const r = await api.retrieveMultipleRecords("account", "?$select=name&$orderby=name asc");
  return r.entities.map((a) => ({ id: str(a.accountid), name: str(a.name) }));
}

export async function listContacts(api: OfflineWebApi): Promise<NamedRow[]> {
  const r = await api.retrieveMultipleRecords(
    "contact",
    "?$select=fullname,firstname,lastname&$orderby=lastname asc",
  );
  return r.entities.map((c) => ({
    id: str(c.contactid),
    name: str(c.fullname) || [str(c.firstname), str(c.lastname)].filter(Boolean).join(" "),
  }));
}

/** Names by id, for showing lookups (also of records created offline, which have no formatted value yet). */
export function nameMap(rows: readonly NamedRow[]): Map<string, string> {
  return new Map(rows.map((r) => [r.id.toLowerCase(), r.name]));
}

export function nameOf(names: Map<string, string>, id: string | null): string {
  return id ? (names.get(id.toLowerCase()) ?? "(unknown)") : "—";
}

export const PRIORITIES: readonly { readonly value: number; readonly label: string }[] = [
  { value: 1, label: "High" },
  { value: 2, label: "Normal" },
  { value: 3, label: "Low" },
];

export function priorityLabel(code: number | null): string {
  return PRIORITIES.find((p) => p.value === code)?.label ?? "—";
}
