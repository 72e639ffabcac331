/**
 * The tables bundled by default: those model-driven apps use most, plus the tables their common
 * lookups point at (owner, currency, business unit), so binds to them validate offline.
 */
export const BUNDLED_TABLES: readonly string[] = [
  "account",
  "activitypointer",
  "annotation",
  "appointment",
  "businessunit",
  "contact",
  "email",
  "incident",
  "lead",
  "opportunity",
  "phonecall",
  "pricelevel",
  "product",
  "queue",
  "systemuser",
  "task",
  "team",
  "transactioncurrency",
];
