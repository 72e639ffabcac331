import type { EntityMetadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import type { NormalizeContext } from "./normalize-context.ts";
import type {
  CollectionBinding,
  CreateOperation,
  DeepInsertRecord,
  LookupBinding,
  UpdateOperation,
} from "./write-operation.ts";

/**
 * One record of a write while its keys are read: what each step (column, lookup, bind, nested
 * record) adds, and the rules that span keys — a lookup set once, nested records only where a
 * create may insert them. `toOperation` makes the canonical operation.
 */
export class RecordDraft {
  readonly columns: Record<string, unknown> = {};
  readonly lookups: LookupBinding[] = [];
  readonly deepInsert: DeepInsertRecord[] = [];
  readonly collectionBindings: CollectionBinding[] = [];
  /** Lookup column → the key that set it, to refuse setting one lookup twice. */
  readonly #lookupSetBy = new Map<string, string>();

  constructor(
    readonly ctx: NormalizeContext,
    readonly entity: EntityMetadata,
    readonly id: string,
    readonly isCreate: boolean,
    /** Nesting depth of this record (1: the data object itself). */
    readonly depth: number,
    /** Where this record sits in the caller's data (`data.parentcustomerid_account`), for errors. */
    readonly where: string,
  ) {}

  claimLookup(lookupAttribute: string, key: string): void {
    const previous = this.#lookupSetBy.get(lookupAttribute);
    if (previous !== undefined) {
      throw xrmError(
        "InvalidArgument",
        `${this.where} sets the lookup '${lookupAttribute}' of ${this.entity.logicalName} twice ('${previous}' and '${key}').`,
      );
    }
    this.#lookupSetBy.set(lookupAttribute, key);
  }

  addLookup(key: string, binding: LookupBinding): void {
    this.claimLookup(binding.lookupAttribute, key);
    this.lookups.push(binding);
  }

  /** A new related record under `key` (deep insert), normalized as a create of `targetEntity`. */
  addNested(
    key: string,
    item: unknown,
    targetEntity: string,
    cardinality: "single" | "collection",
    at: string,
  ): void {
    const operation = this.ctx.normalizeNested(targetEntity, item, this.depth + 1, at);
    this.deepInsert.push({ navigationProperty: key, cardinality, operation });
  }

  /** Throws unless `key` may hold a new related record: online, in a create. */
  refuseNested(key: string): void {
    if (this.ctx.mode === "offline") {
      throw xrmError(
        "InvalidArgument",
        `Deep insert is not available in offline mode: '${key}' on ${this.entity.logicalName} holds a new related record. Create that record on its own, then link it with '@odata.bind'.`,
      );
    }
    if (!this.isCreate) {
      throw xrmError(
        "InvalidArgument",
        `'${key}' holds a new related record, which only a create can insert; updateRecord cannot create related ${this.entity.logicalName} records.`,
      );
    }
  }

  toOperation(): CreateOperation | UpdateOperation {
    const { entity, id, columns, lookups } = this;
    const base = { entityLogicalName: entity.logicalName, entitySetName: entity.entitySetName, id };
    if (!this.isCreate) return { kind: "update", ...base, columns, lookups };
    const op: CreateOperation = { kind: "create", ...base, columns, lookups, deepInsert: this.deepInsert };
    return this.collectionBindings.length > 0 ? { ...op, collectionBindings: this.collectionBindings } : op;
  }
}
