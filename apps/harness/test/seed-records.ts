// The records the two reference pages' examples point at (shared/seeds), on the server.
import type { Emulator } from "@xrm-offline/emulator";

/** The contact of createRecord.md's bind and lookup-object examples. */
export const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
/** updateRecord.md uses this GUID for a contact, an opportunity and the regarding account. */
export const CONTACT2 = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";
export const OPPORTUNITY = CONTACT2;
export const ACCOUNT2 = CONTACT2;
/** updateRecord.md's account, and its task (same GUID). */
export const RECORD = "5531d753-95af-e711-a94e-000d3a11e605";

/** Empties the emulator and seeds the records the examples update or point at. */
export function seedReferenceRecords(emulator: Emulator): void {
  emulator.clear();
  emulator.seed("contacts", [
    { contactid: CONTACT, firstname: "Yvonne", lastname: "McKay" },
    { contactid: CONTACT2, firstname: "Susanna", lastname: "Stubberod" },
  ]);
  emulator.seed("accounts", [
    { accountid: RECORD, name: "Existing Account" },
    { accountid: ACCOUNT2, name: "Regarding Account" },
  ]);
  emulator.seed("opportunities", [{ opportunityid: OPPORTUNITY, name: "Existing Opportunity" }]);
  emulator.seed("tasks", [{ activityid: RECORD, subject: "Existing Task" }]);
}

/** Creates a case on the server (as another device would) and returns its id. */
export async function serverIncident(emulator: Emulator, title: string): Promise<string> {
  const res = await fetch(`${emulator.url}/incidents`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ title }),
  });
  return /\(([0-9a-f-]{36})\)/.exec(res.headers.get("OData-EntityId") ?? "")![1]!;
}
