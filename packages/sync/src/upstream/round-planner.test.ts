import type { OutboxEntry, WriteOperation } from "@xrm-offline/odata";
import { describe, expect, it } from "vitest";
import { createOp, deleteOp, guid, lookup, updateOp } from "../testing/operations.ts";
import { RoundPlanner } from "./round-planner.ts";

const A = guid(1);
const B = guid(2);
const C = guid(3);
const P = guid(4);
const X = guid(5);

function entries(...ops: (WriteOperation | [WriteOperation, Partial<OutboxEntry>])[]): OutboxEntry[] {
  return ops.map((o, i) => {
    const [operation, extra] = Array.isArray(o) ? o : [o, {}];
    return { seq: i + 1, operation, state: "pending", attempts: 0, outcomeUnknown: false, ...extra };
  });
}

function plan(list: OutboxEntry[], opts: { limit?: number; held?: number[]; solo?: number[] } = {}) {
  const planner = new RoundPlanner({
    limit: opts.limit ?? 100,
    isHeld: (s) => opts.held?.includes(s) ?? false,
    isSolo: (s) => opts.solo?.includes(s) ?? false,
  });
  for (const e of list) {
    if (planner.full) break;
    planner.offer(e);
  }
  return planner.planned();
}

const heads = (planned: ReturnType<typeof plan>) => planned.map((p) => p.entries.map((e) => e.seq));

describe("RoundPlanner", () => {
  it("picks independent creates, up to the limit, in seq order", () => {
    const list = entries(createOp("account", A), createOp("account", B), createOp("contact", C));
    expect(heads(plan(list))).toEqual([[1], [2], [3]]);
    expect(heads(plan(list, { limit: 2 }))).toEqual([[1], [2]]);
  });

  it("sends one write per record per round: an update waits for the create of its record", () => {
    const list = entries(createOp("account", A, { name: "a" }), updateOp("account", A, { name: "b" }));
    expect(heads(plan(list))).toEqual([[1]]);
  });

  it("merges consecutive updates of one record; later columns and lookup bindings win", () => {
    const list = entries(
      updateOp("account", A, { name: "a", city: "x" }, [lookup("primarycontactid", "contact", C)]),
      updateOp("account", B, { name: "other" }),
      updateOp("account", A, { name: "b" }, [lookup("primarycontactid", "contact", null)]),
    );
    const planned = plan(list);
    expect(heads(planned)).toEqual([[1, 3], [2]]);
    const merged = planned[0]!.operation;
    expect(merged.kind).toBe("update");
    if (merged.kind !== "update") return;
    expect(merged.columns).toEqual({ name: "b", city: "x" });
    expect(merged.lookups).toEqual([lookup("primarycontactid", "contact", null)]);
  });

  it("never merges across a delete or a create", () => {
    const list = entries(
      updateOp("account", A, { n: 1 }),
      deleteOp("account", A),
      updateOp("account", A, { n: 2 }),
    );
    expect(heads(plan(list))).toEqual([[1]]);
    const list2 = entries(createOp("account", A, { n: 1 }), updateOp("account", A, { n: 2 }));
    expect(heads(plan(list2))).toEqual([[1]]);
  });

  it("holds a record created offline back until the records pointing at it can go", () => {
    const list = entries(
      createOp("contact", C),
      createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]),
      createOp("account", B),
    );
    expect(heads(plan(list))).toEqual([[1], [3]]);
  });

  it("lets records pointing at the same existing record go together", () => {
    const list = entries(
      createOp("contact", A, {}, [lookup("parentcustomerid", "account", P)]),
      createOp("contact", B, {}, [lookup("parentcustomerid", "account", P)]),
      updateOp("account", P, { name: "p" }),
    );
    expect(heads(plan(list))).toEqual([[1], [2], [3]]);
  });

  it("does not make a pointer wait for an update of its target", () => {
    const list = entries(
      updateOp("account", P, { name: "p" }),
      createOp("contact", A, {}, [lookup("parentcustomerid", "account", P)]),
    );
    expect(heads(plan(list))).toEqual([[1], [2]]);
  });

  it("keeps a delete behind an earlier write pointing at the deleted record", () => {
    const list = entries(
      createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]),
      deleteOp("contact", C),
    );
    expect(heads(plan(list))).toEqual([[1]]);
  });

  it("blocks what depends on a failed entry, transitively, and nothing else", () => {
    const list = entries(
      [createOp("contact", C), { state: "failed" }],
      createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]),
      updateOp("account", A, { name: "x" }),
      createOp("task", B, {}, [lookup("regardingobjectid", "account", A)]),
      createOp("account", X),
      updateOp("contact", C, { firstname: "later" }),
    );
    expect(heads(plan(list))).toEqual([[5]]);
  });

  it("treats held entries (backing off) like failed ones for their dependants", () => {
    const list = entries(
      createOp("contact", C),
      createOp("account", A, {}, [lookup("primarycontactid", "contact", C)]),
      createOp("account", B),
    );
    expect(heads(plan(list, { held: [1] }))).toEqual([[3]]);
  });

  it("stops merging at an update that must wait, and after it", () => {
    const list = entries(
      updateOp("account", A, { n: 1 }),
      createOp("contact", X),
      updateOp("account", A, { n: 2 }, [lookup("primarycontactid", "contact", X)]),
      updateOp("account", A, { n: 3 }),
    );
    const planned = plan(list);
    expect(heads(planned)).toEqual([[1], [2]]);
    expect(planned[0]!.operation.kind === "update" && planned[0]!.operation.columns).toEqual({ n: 1 });
  });

  it("still gathers the updates an unknown-outcome update may have carried before, once full", () => {
    const list = entries(
      [updateOp("account", A, { n: 1 }), { outcomeUnknown: true }],
      createOp("account", B),
      [updateOp("account", A, { n: 2 }), { outcomeUnknown: true }],
      createOp("account", C),
    );
    const planner = new RoundPlanner({ limit: 2, isHeld: () => false, isSolo: () => false });
    for (const e of list) planner.offer(e);
    expect(heads(planner.planned())).toEqual([[1, 3], [2]]);
    expect(planner.full).toBe(true);
    expect(planner.wantsMerges).toBe(true);
    const known = new RoundPlanner({ limit: 2, isHeld: () => false, isSolo: () => false });
    known.offer(entries(updateOp("account", A))[0]!);
    expect(known.wantsMerges).toBe(false);
  });

  it("merges only entries of one outcome state, never solo ones; keeps the head's base ETag", () => {
    const list = entries(
      [updateOp("account", A, { n: 1 }), { baseEtag: 'W/"7"' }],
      [updateOp("account", A, { n: 2 }), { outcomeUnknown: true, baseEtag: 'W/"7"' }],
    );
    const merged = plan(list);
    expect(merged[0]).toMatchObject({ outcomeUnknown: false, baseEtag: 'W/"7"', solo: false });
    expect(heads(merged)).toEqual([[1]]);
    const both = entries(
      [updateOp("account", A, { n: 1 }), { outcomeUnknown: true }],
      [updateOp("account", A, { n: 2 }), { outcomeUnknown: true }],
      updateOp("account", A, { n: 3 }),
    );
    expect(heads(plan(both))).toEqual([[1, 2]]);
    expect(plan(both)[0]!.outcomeUnknown).toBe(true);
    const two = entries(updateOp("account", A, { n: 1 }), updateOp("account", A, { n: 2 }));
    expect(heads(plan(two))).toEqual([[1, 2]]);
    expect(heads(plan(two, { solo: [2] }))).toEqual([[1]]);
    expect(plan(two, { solo: [1] })[0]!.solo).toBe(true);
  });
});
