/** A Dexie middleware that counts read-write transactions over a table (tests only). */
import type { Dexie } from "dexie";

export interface TransactionCount {
  /** Read-write transactions opened over the table so far. */
  value: number;
}

/** Counts the read-write transactions that include `table` (group commit: one per group). */
export function transactionCounter(table: string, count: TransactionCount): (db: Dexie) => void {
  return (db) => {
    db.use({
      stack: "dbcore",
      name: "transaction-counter",
      create: (down) => ({
        ...down,
        transaction: (stores, mode, options) => {
          if (mode === "readwrite" && stores.includes(table)) count.value += 1;
          return down.transaction(stores, mode, options);
        },
      }),
    });
  };
}
