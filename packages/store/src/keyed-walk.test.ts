import type { Dexie } from "dexie";
import { describe, expect, it } from "vitest";
import { retrieveLocalRecords } from "./local-query.ts";
import { openTestStore } from "./testing/test-store.ts";

/** Counts record rows (values, not keys) handed back to JavaScript. */
function rowCounter(count: { rows: number }) {
  return (db: Dexie) => {
    db.use({
      stack: "dbcore",
      name: "row-counter",
      create: (down) => ({
        ...down,
        table: (name) => {
          const t = down.table(name);
          if (name !== "records") return t;
          return {
            ...t,
            get: async (req) => {
              const r = await t.get(req);
              if (r !== undefined) count.rows++;
              return r;
            },
            getMany: async (req) => {
              const r = await t.getMany(req);
              count.rows += r.filter((x) => x !== undefined).length;
              return r;
            },
            query: async (req) => {
              const r = await t.query(req);
              if (req.values) count.rows += r.result.length;
              return r;
            },
          };
        },
      }),
    });
  };
}

const FIRST = ["Ana", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Iris", "Jon"];
const LAST = ["Adler", "Baker", "Cruz", "Diaz", "Ek", "Fox", "Gray", "Hale", "Ito", "Zed"];
const id = (i: number) => `c0000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

describe("keys-only walk", () => {
  it("a picker typing a last name, ordered by full name, reads the page's rows, not the rows it passes", async () => {
    const count = { rows: 0 };
    const { store } = await openTestStore({
      indexColumns: { contact: ["lastname"] },
      addons: [rowCounter(count)],
    });
    // 3,000 contacts; a last name's rows are spread over every first name's range of full names.
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const first = FIRST[i % 10]!;
      const last = LAST[Math.floor(i / 10) % 10]!;
      return { contactid: id(i), fullname: `${first} ${last} ${i}`, lastname: `${last} ${i}` };
    });
    await store.applyServerRows("contact", rows);
    const query =
      "?$select=fullname&$filter=startswith(fullname,'Zed') or startswith(lastname,'Zed')&$orderby=fullname&$top=5";
    const expected = rows
      .filter((r) => r.lastname.startsWith("Zed"))
      .map((r) => r.fullname)
      .sort((a, b) => a.localeCompare(b))
      .slice(0, 5);
    count.rows = 0;
    const page = await retrieveLocalRecords(store, "contact", query, 5000);
    expect(page.entities.map((e) => e.fullname)).toEqual(expected);
    // The 300 "Zed" rows are 1 in 10, and the first 5 in full-name order ("Ana Zed …") come after
    // all 270 other "Ana …" rows: a walk of rows reads ~275. Here: the walk-first try (24 rows and
    // ties), then keys only — one row per step for its last key, and the page's rows (60).
    expect(count.rows).toBeLessThanOrEqual(80);
    await store.close();
  });
});
