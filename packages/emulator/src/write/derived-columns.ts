import type { EntityMetadata } from "@xrm-offline/metadata";
import { defaultStatusOf } from "../format/column-facts.ts";

/**
 * Columns the platform derives from others on write: a contact's read-only `accountid` mirrors
 * `parentcustomerid` when that points at an account; Microsoft's query sample filters tasks on
 * `regardingobjectid_contact_task/_accountid_value`. A new row in state 0 without a statuscode gets
 * the table's default status (curated, see format/column-facts.ts), as the platform sets it.
 */
export function deriveColumns(
  entity: EntityMetadata,
  data: Record<string, unknown>,
  lookups: Record<string, string>,
  mode: "insert" | "update",
): void {
  const status = defaultStatusOf(entity.logicalName);
  if (
    mode === "insert" &&
    status !== undefined &&
    (data.statuscode ?? null) === null &&
    (data.statecode ?? 0) === 0
  )
    data.statuscode = status;
  if (entity.logicalName !== "contact" || !entity.attribute("_accountid_value")) return;
  const parent = data._parentcustomerid_value;
  if (typeof parent === "string" && lookups._parentcustomerid_value === "account") {
    data._accountid_value = parent;
    lookups._accountid_value = "account";
  } else {
    data._accountid_value = null;
    delete lookups._accountid_value;
  }
}
