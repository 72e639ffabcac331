/** A Dexie middleware that fails chosen mutations inside their transaction (tests only). */
import type { DBCoreMutateRequest, Dexie } from "dexie";

export interface FaultPlan {
  /** Return an error to fail this mutation (its transaction then aborts), or undefined. */
  fail?: (table: string, request: DBCoreMutateRequest) => Error | undefined;
}

export function faultInjection(plan: FaultPlan): (db: Dexie) => void {
  return (db) => {
    db.use({
      stack: "dbcore",
      name: "fault-injection",
      create: (down) => ({
        ...down,
        table: (name) => {
          const table = down.table(name);
          return {
            ...table,
            mutate: (req) => {
              const error = plan.fail?.(name, req);
              return error ? Promise.reject(error) : table.mutate(req);
            },
          };
        },
      }),
    });
  };
}

/** The values a mutate request writes (add/put), or []. */
export function valuesOf(req: DBCoreMutateRequest): readonly unknown[] {
  return req.type === "add" || req.type === "put" ? req.values : [];
}
