import type { EntityMetadata } from "@xrm-offline/metadata";
import { xrmError } from "../errors/error-catalogue.ts";
import type { XrmError } from "../errors/xrm-error.ts";

/** Every name a data key can use on `entity`: columns, navigation properties, lookup columns. */
function* knownNames(entity: EntityMetadata): Generator<string> {
  for (const a of entity.attributes()) yield a.name;
  for (const n of entity.singleValuedNavigations()) yield n.name;
  for (const n of entity.collectionNavigations()) yield n.name;
  for (const l of entity.lookups()) yield l.attribute;
}

function sameButCase(entity: EntityMetadata, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const known of knownNames(entity)) if (known !== name && known.toLowerCase() === lower) return known;
  return undefined;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/**
 * A key that is no column, navigation property or lookup of `entity`: 0x0 like the Web API's
 * OData reader, with a hint when only the case is wrong (columns are lower case; navigation
 * property names are case-sensitive and keep their schema-name casing).
 */
export function unknownPropertyError(entity: EntityMetadata, key: string): XrmError {
  const hint = sameButCase(entity, key);
  const tail = hint
    ? ` Names are case-sensitive: did you mean '${hint}'?`
    : key !== key.toLowerCase()
      ? " Column names are lower case."
      : "";
  return xrmError(
    "ODataParserError",
    `The property '${clip(key)}' does not exist on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.${tail}`,
  );
}

/** `x@odata.bind` where x is not a navigation property of `entity`. */
export function unknownNavigationError(entity: EntityMetadata, key: string, name: string): XrmError {
  const hint = sameButCase(entity, name);
  const lookup = entity.lookup(name);
  const tail = hint
    ? ` Navigation property names are case-sensitive: did you mean '${hint}@odata.bind'?`
    : lookup
      ? ` '${name}' is a lookup column; bind it through one of its navigation properties: ${lookup.navigations
          .map((n) => `'${n.name}@odata.bind'`)
          .join(", ")}.`
      : "";
  return xrmError(
    "ODataParserError",
    `'${clip(key)}': there is no navigation property '${clip(name)}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.${tail}`,
  );
}
