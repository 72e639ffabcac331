/**
 * CSDL does not say which column is a table's primary name; Dataverse's EntityDefinitions does
 * (`PrimaryNameAttribute`). These are the well-known values for system tables, used when the
 * column exists, so lookups can carry the target's name as their formatted value.
 */
export const KNOWN_PRIMARY_NAMES: ReadonlyMap<string, string> = new Map([
  ["account", "name"],
  ["activitypointer", "subject"],
  ["annotation", "subject"],
  ["appointment", "subject"],
  ["businessunit", "name"],
  ["contact", "fullname"],
  ["email", "subject"],
  ["incident", "title"],
  ["lead", "fullname"],
  ["opportunity", "name"],
  ["phonecall", "subject"],
  ["pricelevel", "name"],
  ["product", "name"],
  ["queue", "name"],
  ["systemuser", "fullname"],
  ["task", "subject"],
  ["team", "name"],
  ["transactioncurrency", "currencyname"],
]);
