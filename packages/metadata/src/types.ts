/**
 * Typed Dataverse entity metadata, as read from a CSDL `$metadata` document.
 * Plain JSON-serialisable data: the bundled default set is committed in this shape.
 */

/** The Edm primitive types Dataverse uses for columns. */
export type EdmType =
  | "Edm.String"
  | "Edm.Boolean"
  | "Edm.Int16"
  | "Edm.Int32"
  | "Edm.Int64"
  | "Edm.Decimal"
  | "Edm.Double"
  | "Edm.Single"
  | "Edm.Guid"
  | "Edm.DateTimeOffset"
  | "Edm.Date"
  | "Edm.Binary"
  | "Edm.Byte"
  | "Edm.TimeOfDay"
  | "Edm.Duration";

export interface AttributeDefinition {
  /** Property name as the Web API spells it (`name`, `_primarycontactid_value`). */
  readonly name: string;
  readonly type: EdmType;
}

export interface SingleValuedNavigationDefinition {
  /** Navigation property name, case-sensitive (`primarycontactid`, `regardingobjectid_account_task`). */
  readonly name: string;
  /** Logical name of the entity it points at. */
  readonly targetEntity: string;
  /**
   * Logical name of the lookup column this navigation property sets (`primarycontactid`,
   * `regardingobjectid`). Its value property is `_<lookupAttribute>_value`. Several navigation
   * properties share one lookup attribute when the lookup is polymorphic (customer, regarding).
   */
  readonly lookupAttribute: string;
}

export interface CollectionNavigationDefinition {
  readonly name: string;
  readonly targetEntity: string;
}

export interface EntityDefinition {
  readonly logicalName: string;
  readonly entitySetName: string;
  readonly primaryIdAttribute: string;
  /** Not in CSDL; known for the bundled tables, settable by callers. */
  readonly primaryNameAttribute?: string;
  readonly attributes: readonly AttributeDefinition[];
  readonly singleValuedNavigations: readonly SingleValuedNavigationDefinition[];
  readonly collectionNavigations: readonly CollectionNavigationDefinition[];
}

export interface MetadataDocument {
  readonly entities: readonly EntityDefinition[];
}

/** A lookup column and every navigation property that can set it. */
export interface LookupDefinition {
  readonly attribute: string;
  /** `_<attribute>_value` */
  readonly valueProperty: string;
  readonly targets: readonly string[];
  readonly navigations: readonly SingleValuedNavigationDefinition[];
}
