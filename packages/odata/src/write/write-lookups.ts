/**
 * Lookups in a write: `nav@odata.bind` values, the deprecated `{ logicalname, id }` lookup object,
 * and `null` to clear, all resolved against metadata into `LookupBinding`s.
 */
import type { EntityMetadata, Metadata, SingleValuedNavigationDefinition } from "@xrm-offline/metadata";
import { describeValue } from "../edm/edm-value.ts";
import { normalizeRecordId } from "../edm/guid.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { parseBindReference } from "./bind-reference.ts";
import { WRITE_LIMITS } from "./write-limits.ts";
import type { CollectionBinding, LookupBinding } from "./write-operation.ts";

/** The two key names of the deprecated lookup object, case-sensitive. */
const LOOKUP_OBJECT_KEYS = ["id", "logicalname"] as const;

/**
 * Whether an object under a lookup name is meant as a lookup object rather than a nested record
 * (deep insert): it has a key that is, in any case, `logicalname`, `id` or `entityType` (the
 * `Xrm.LookupValue` spelling). No Dataverse table has columns with those names.
 */
export function looksLikeLookupObject(entries: readonly [string, unknown][]): boolean {
  return entries.some(([k]) => {
    const l = k.toLowerCase();
    return l === "logicalname" || l === "id" || l === "entitytype";
  });
}

/**
 * Of the navigation properties that can set a lookup, the one for `target` (or, with no target,
 * the one to use for a clear). A polymorphic lookup has one navigation per target; when two fit,
 * the activity-specific one (`regardingobjectid_account_task` on task) wins, as the Web API
 * documentation uses it.
 */
export function pickNavigation(
  entity: EntityMetadata,
  candidates: readonly SingleValuedNavigationDefinition[],
  target?: string,
): SingleValuedNavigationDefinition | undefined {
  const fit = target ? candidates.filter((n) => n.targetEntity === target) : candidates;
  const activitySpecific = (n: SingleValuedNavigationDefinition) =>
    n.name === `${n.lookupAttribute}_${n.targetEntity}_${entity.logicalName}`;
  return fit.find(activitySpecific) ?? fit[0];
}

export function clearBinding(nav: SingleValuedNavigationDefinition): LookupBinding {
  return {
    navigationProperty: nav.name,
    lookupAttribute: nav.lookupAttribute,
    targetEntity: nav.targetEntity,
    targetId: null,
  };
}

/** `nav@odata.bind: <value>` for a single-valued navigation property. */
export function bindingFromBind(
  metadata: Metadata,
  entity: EntityMetadata,
  nav: SingleValuedNavigationDefinition,
  value: unknown,
): LookupBinding {
  const key = `${nav.name}@odata.bind`;
  if (value === null) return clearBinding(nav);
  if (typeof value !== "string") {
    throw xrmError(
      "InvalidArgument",
      `'${key}' on ${entity.logicalName} must be a reference such as '/${setNameOf(metadata, nav.targetEntity)}(<GUID>)' or null, got ${describeValue(value)}.`,
    );
  }
  const parsed = parseBindReference(value);
  if (!parsed.ok) throw xrmError("InvalidArgument", `'${key}' on ${entity.logicalName}: ${parsed.reason}.`);
  const target = metadata.entityBySetName(parsed.ref.entitySetName);
  const expectedSet = setNameOf(metadata, nav.targetEntity);
  if (!target) {
    throw xrmError(
      "InvalidArgument",
      `'${key}' on ${entity.logicalName} refers to the entity set '${parsed.ref.entitySetName}', which does not exist; ${nav.name} points at ${nav.targetEntity} records ('/${expectedSet}(<GUID>)').`,
    );
  }
  if (target.logicalName !== nav.targetEntity) {
    throw xrmError(
      "InvalidArgument",
      `'${key}' on ${entity.logicalName} refers to a ${target.logicalName} record ('${parsed.ref.entitySetName}'), but ${nav.name} points at ${nav.targetEntity} records ('/${expectedSet}(<GUID>)').`,
    );
  }
  return {
    navigationProperty: nav.name,
    lookupAttribute: nav.lookupAttribute,
    targetEntity: nav.targetEntity,
    targetId: parsed.ref.id,
  };
}

/**
 * The deprecated lookup object `{ "logicalname": "contact", "id": "<guid>" }` under `key`.
 * `candidates` are the navigation properties `key` can set: all of a lookup column's
 * (`primarycontactid`, `regardingobjectid`), or just one when `key` names a navigation property
 * (`regardingobjectid_account_task`). Keys are exactly `logicalname` and `id`, lower case.
 */
export function bindingFromLookupObject(
  metadata: Metadata,
  entity: EntityMetadata,
  key: string,
  candidates: readonly SingleValuedNavigationDefinition[],
  entries: readonly [string, unknown][],
): LookupBinding {
  const where = `The lookup object for '${key}' on ${entity.logicalName}`;
  const keys = entries.map(([k]) => k).sort();
  if (keys.length !== 2 || keys[0] !== LOOKUP_OBJECT_KEYS[0] || keys[1] !== LOOKUP_OBJECT_KEYS[1]) {
    const got = keys.map((k) => `'${k.slice(0, 40)}'`).join(", ");
    throw xrmError(
      "InvalidArgument",
      `${where} must have exactly the keys 'logicalname' and 'id' (lower case), got ${got}.`,
    );
  }
  const values = new Map(entries);
  const logicalName = values.get("logicalname");
  const id = normalizeRecordId(values.get("id"));
  if (typeof logicalName !== "string") {
    throw xrmError(
      "InvalidArgument",
      `${where}: 'logicalname' must be a table logical name, got ${describeValue(logicalName)}.`,
    );
  }
  if (!id) {
    throw xrmError(
      "InvalidArgument",
      `${where}: 'id' must be a record GUID, got ${describeValue(values.get("id"))}.`,
    );
  }
  const chosen = pickNavigation(entity, candidates, logicalName);
  if (!chosen) {
    const allowed = [...new Set(candidates.map((n) => n.targetEntity))].join(", ");
    throw xrmError(
      "InvalidArgument",
      `${where}: '${logicalName.slice(0, 60)}' is not a table '${key}' can point at (allowed: ${allowed}).`,
    );
  }
  setNameOf(metadata, chosen.targetEntity);
  return {
    navigationProperty: chosen.name,
    lookupAttribute: chosen.lookupAttribute,
    targetEntity: chosen.targetEntity,
    targetId: id,
  };
}

/** `nav@odata.bind: ["/tasks(…)", …]` on a collection-valued navigation property (online creates). */
export function collectionBinding(
  metadata: Metadata,
  entity: EntityMetadata,
  key: string,
  targetEntity: string,
  value: unknown,
): CollectionBinding {
  const expectedSet = setNameOf(metadata, targetEntity);
  if (!Array.isArray(value) || value.length === 0) {
    throw xrmError(
      "InvalidArgument",
      `'${key}' on ${entity.logicalName} takes a non-empty array of references such as '/${expectedSet}(<GUID>)', got ${describeValue(value)}.`,
    );
  }
  if (value.length > WRITE_LIMITS.maxRecords) {
    throw xrmError("RequestTooLarge", `'${key}' binds more than ${WRITE_LIMITS.maxRecords} records.`);
  }
  const targetIds = value.map((item, i) => {
    const parsed = typeof item === "string" ? parseBindReference(item) : undefined;
    if (!parsed?.ok) {
      const reason = parsed ? parsed.reason : `got ${describeValue(item)}`;
      throw xrmError("InvalidArgument", `'${key}'[${i}] on ${entity.logicalName}: ${reason}.`);
    }
    if (parsed.ref.entitySetName !== expectedSet) {
      throw xrmError(
        "InvalidArgument",
        `'${key}'[${i}] on ${entity.logicalName} refers to '${parsed.ref.entitySetName}', but ${key.split("@")[0]} holds ${targetEntity} records ('/${expectedSet}(<GUID>)').`,
      );
    }
    return parsed.ref.id;
  });
  return { navigationProperty: key.slice(0, key.indexOf("@")), targetEntity, targetIds };
}

/** Entity set name of a target table; a lookup to a table missing from metadata can't be sent. */
export function setNameOf(metadata: Metadata, logicalName: string): string {
  const target = metadata.entity(logicalName);
  if (!target) {
    throw xrmError(
      "InvalidArgument",
      `The table '${logicalName}' is a lookup target but is not in the metadata; add it with metadata.extend().`,
    );
  }
  return target.entitySetName;
}
