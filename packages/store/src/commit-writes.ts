/**
 * The transaction that commits a group of writes: each record change and its outbox entry are
 * written in one `rw` transaction, so either both are durable or neither is (invariant 1).
 */
import type { Metadata } from "@xrm-offline/metadata";
import type { WebApiRequest, WriteOperation } from "@xrm-offline/odata";
import { xrmError } from "@xrm-offline/odata";
import { Dexie } from "dexie";
import { applyChange } from "./apply-change.ts";
import { ExcludeItems, type Outcome } from "./group-commit.ts";
import type { OutboxEntry, RecordRef, StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/** A validated write, ready to commit: the canonical operation and its rendered request. */
export interface PreparedWrite {
  readonly operation: WriteOperation;
  readonly request: WebApiRequest;
}

/** What a committed write resolves with (`name`: the deleted record's primary name). */
export interface WriteResult {
  readonly entityType: string;
  readonly id: string;
  readonly name?: string;
}

const keyString = (entity: string, id: string) => `${entity}|${id}`;

export function notFound(entity: string, id: string) {
  return xrmError("ObjectDoesNotExist", `Entity '${entity}' With Id = ${id} Does Not Exist`);
}

export function duplicate() {
  return xrmError("DuplicateRecord");
}

/** Name of the record for lookups' formatted values and delete results. */
export function primaryName(metadata: Metadata, row: StoredRecord | undefined): string | undefined {
  if (!row || row._deleted) return undefined;
  const attr = metadata.entity(row._entity)?.primaryNameAttribute;
  const v = attr ? row[attr] : undefined;
  return typeof v === "string" ? v : undefined;
}

/** Placeholder sequence numbers (negative) stand for entries of this group until keys exist. */
const placeholder = (position: number) => -(position + 1);

export async function commitWrites(
  db: XrmDatabase,
  metadata: Metadata,
  items: readonly PreparedWrite[],
  now: () => Date = () => new Date(),
): Promise<Outcome<WriteResult>[]> {
  return db.transaction("rw", db.records, db.outbox, async () => {
    const toRead = new Map<string, [string, string]>();
    for (const { operation: op } of items) {
      if (op.kind !== "create")
        toRead.set(keyString(op.entityLogicalName, op.id), [op.entityLogicalName, op.id]);
      if (op.kind !== "delete") {
        for (const l of op.lookups) {
          if (l.targetId !== null)
            toRead.set(keyString(l.targetEntity, l.targetId), [l.targetEntity, l.targetId]);
        }
      }
    }
    const work = new Map<string, StoredRecord | undefined>();
    if (toRead.size > 0) {
      const keys = [...toRead.values()];
      const rows = await db.records.bulkGet(keys);
      keys.forEach(([e, id], i) => {
        work.set(keyString(e, id), rows[i]);
      });
    }

    const outcomes: Outcome<WriteResult>[] = [];
    const entries: Omit<OutboxEntry, "seq">[] = [];
    const created = new Set<string>();
    const modified = new Set<string>();
    const excluded = new Map<number, unknown>();
    const createdAt = now().toISOString();
    const targetName = (entity: string, id: string) => primaryName(metadata, work.get(keyString(entity, id)));

    items.forEach(({ operation: op, request }, index) => {
      const key = keyString(op.entityLogicalName, op.id);
      const existing = work.get(key);
      if (op.kind === "create" ? existing !== undefined : !existing || existing._deleted) {
        const error = op.kind === "create" ? duplicate() : notFound(op.entityLogicalName, op.id);
        outcomes.push({ ok: false, error });
        excluded.set(index, error);
        return;
      }
      const entity = metadata.entity(op.entityLogicalName);
      if (!entity) {
        const error = xrmError("InvalidArgument", `Unknown table '${op.entityLogicalName}'.`);
        outcomes.push({ ok: false, error });
        excluded.set(index, error);
        return;
      }
      const seq = placeholder(entries.length);
      const dependsOn = new Set<number>();
      const dependsOnRecords = new Map<string, RecordRef>();
      // The record's latest earlier change (it waits for the ones before it in turn): a chain
      // keeps per-record order without lists that grow with every update of a busy record.
      const previous = existing?._changes.at(-1);
      if (previous) {
        dependsOn.add(previous.seq);
        dependsOnRecords.set(key, { entity: op.entityLogicalName, id: op.id });
      }
      if (op.kind !== "delete") {
        for (const l of op.lookups) {
          if (l.targetId === null) continue;
          const tk = keyString(l.targetEntity, l.targetId);
          const first = work.get(tk)?._changes[0];
          if (first?.kind === "create") {
            dependsOn.add(first.seq);
            dependsOnRecords.set(tk, { entity: l.targetEntity, id: l.targetId });
          }
        }
      }
      const name = op.kind === "delete" ? primaryName(metadata, existing) : undefined;
      const row = applyChange(existing, op, {
        seq,
        primaryIdAttribute: entity.primaryIdAttribute,
        targetName,
      });
      work.set(key, row);
      if (op.kind === "create") created.add(key);
      else if (!created.has(key)) modified.add(key);
      entries.push({
        entity: op.entityLogicalName,
        recordId: op.id,
        kind: op.kind,
        operation: op,
        request,
        dependsOn: [...dependsOn],
        dependsOnRecords: [...dependsOnRecords.values()],
        ...(existing?._serverEtag !== undefined ? { baseEtag: existing._serverEtag } : {}),
        attempts: 0,
        nextAttemptAt: 0,
        state: "queued",
        outcomeUnknown: false,
        createdAt,
      });
      outcomes.push({
        ok: true,
        value: { entityType: op.entityLogicalName, id: op.id, ...(name !== undefined ? { name } : {}) },
      });
    });
    if (entries.length === 0) return outcomes;

    // Keys: the first entry takes the next auto-increment key; the rest follow it explicitly, so
    // dependencies inside the group can name them. Nothing else writes the outbox meanwhile: an
    // IndexedDB rw transaction has it to itself (also across tabs).
    const first = entries[0]!;
    const s0 = await db.outbox.add(first as OutboxEntry);
    const real = (s: number) => (s < 0 ? s0 - s - 1 : s);
    const rest = entries
      .slice(1)
      .map((e, i): OutboxEntry => ({ ...e, seq: s0 + i + 1, dependsOn: e.dependsOn.map(real) }));
    if (rest.length > 0) await db.outbox.bulkAdd(rest);

    const fix = (row: StoredRecord): StoredRecord => ({
      ...row,
      _changes: row._changes.map((c) => (c.seq < 0 ? { ...c, seq: real(c.seq) } : c)),
    });
    const newRows = [...created].map((k) => fix(work.get(k)!));
    const changedRows = [...modified].map((k) => fix(work.get(k)!));
    if (changedRows.length > 0) await db.records.bulkPut(changedRows);
    if (newRows.length > 0) {
      try {
        await db.records.bulkAdd(newRows);
      } catch (e) {
        // A create whose id already exists in the database (not read beforehand): abort, and
        // commit the group again without those calls.
        if (e instanceof Dexie.BulkError) {
          const createKeys = [...created];
          const byKey = new Map<string, number>();
          items.forEach(({ operation: op }, i) => {
            if (op.kind === "create") byKey.set(keyString(op.entityLogicalName, op.id), i);
          });
          const dup = new Map<number, unknown>();
          for (const pos of Object.keys(e.failuresByPos)) {
            const k = createKeys[Number(pos)];
            const index = k === undefined ? undefined : byKey.get(k);
            if (index !== undefined) dup.set(index, duplicate());
          }
          if (dup.size > 0) throw new ExcludeItems(new Map([...excluded, ...dup]));
        }
        throw e;
      }
    }
    return outcomes;
  });
}
