/**
 * The canonical form of one write, produced by `normalizeWrite` and stored in the outbox.
 * Plain JSON (no class instances, no prototype-bearing maps): it is persisted in IndexedDB.
 */

/** A single-valued lookup set (or cleared, `targetId: null`) by a write. */
export interface LookupBinding {
  /** The navigation property used on the wire (`primarycontactid`, `regardingobjectid_account_task`). */
  readonly navigationProperty: string;
  /** The lookup column (`primarycontactid`, `regardingobjectid`); value property `_<x>_value`. */
  readonly lookupAttribute: string;
  /** Logical name of the target table; for a cleared polymorphic lookup, the navigation's target. */
  readonly targetEntity: string;
  /** Lower-case GUID, or null to clear the lookup. */
  readonly targetId: string | null;
}

/**
 * Existing records bound to a collection-valued navigation property on create
 * (`"Account_Tasks@odata.bind": ["/tasks(…)", …]`). Online creates only: the Web API takes it on
 * POST but not on PATCH, and offline mode supports no collection-valued navigation properties.
 */
export interface CollectionBinding {
  readonly navigationProperty: string;
  readonly targetEntity: string;
  /** Lower-case GUIDs, in the order given. */
  readonly targetIds: readonly string[];
}

/** A record nested in a create (deep insert); online only. */
export interface DeepInsertRecord {
  /** Navigation property of the parent it hangs on. */
  readonly navigationProperty: string;
  /** "single" for `primarycontactid: {…}`, "collection" for `opportunity_customer_accounts: [{…}]`. */
  readonly cardinality: "single" | "collection";
  readonly operation: CreateOperation;
}

interface WriteOperationBase {
  readonly entityLogicalName: string;
  readonly entitySetName: string;
  /** Lower-case GUID of the record. */
  readonly id: string;
}

export interface CreateOperation extends WriteOperationBase {
  readonly kind: "create";
  /** Plain column values by column logical name, primary key excluded. */
  readonly columns: Readonly<Record<string, unknown>>;
  readonly lookups: readonly LookupBinding[];
  /** Nested records; always empty in offline mode (deep insert is rejected there). */
  readonly deepInsert: readonly DeepInsertRecord[];
  /** Present (non-empty) only for online creates that bind a collection-valued navigation property. */
  readonly collectionBindings?: readonly CollectionBinding[];
}

export interface UpdateOperation extends WriteOperationBase {
  readonly kind: "update";
  readonly columns: Readonly<Record<string, unknown>>;
  readonly lookups: readonly LookupBinding[];
}

export interface DeleteOperation extends WriteOperationBase {
  readonly kind: "delete";
}

export type WriteOperation = CreateOperation | UpdateOperation | DeleteOperation;

/** A Web API request for one operation, relative to the service root (`…/api/data/v9.2/`). */
export interface WebApiRequest {
  readonly method: "POST" | "PATCH" | "DELETE" | "GET" | "PUT";
  /** Relative URL: `accounts`, `accounts(5531d753-95af-e711-a94e-000d3a11e605)`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Readonly<Record<string, unknown>>;
}
