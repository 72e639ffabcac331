import type { EdmType, EntityMetadata, Metadata } from "@xrm-offline/metadata";
import { queryError, unknownQueryProperty } from "../http/wire.ts";

const SAFE_NAME = /^[A-Za-z0-9_]+$/;

/** How deep a `$filter` path may follow lookups (`a/b/c/name`). */
const MAX_HOPS = 5;

/**
 * SQL for a `$filter` property path through single-valued navigation properties
 * (`regardingobjectid_contact_task/fullname`, `parentcustomerid_account/primarycontactid/fullname`):
 * a correlated subquery per hop over the generic `records` table. `from` is the SQL name of the
 * row the path starts from (`records` for the queried table, a lambda's alias inside `any`/`all`). A polymorphic lookup only matches
 * rows of the navigation property's own target table, as on Dataverse.
 */
export function navigationPathSql(
  path: string,
  entity: EntityMetadata,
  metadata: Metadata,
  from = "records",
): { sql: string; type: EdmType } {
  const parts = path.split("/");
  if (parts.length - 1 > MAX_HOPS)
    throw queryError(`The property path '${path}' follows more than ${MAX_HOPS} navigation properties.`);
  let current = entity;
  let outer = from;
  const opened: string[] = [];
  for (let hop = 0; hop < parts.length - 1; hop++) {
    const name = parts[hop]!;
    const nav = current.singleValuedNavigation(name);
    if (!nav) {
      if (current.collectionNavigation(name))
        throw queryError(
          `The collection-valued navigation property '${name}' cannot be used in a property path; use any() or all().`,
        );
      throw unknownQueryProperty(name, current.logicalName);
    }
    const target = metadata.entity(nav.targetEntity);
    if (!target) throw unknownQueryProperty(name, current.logicalName);
    const valueProp = `_${nav.lookupAttribute}_value`;
    // Names are inlined (not bound) so the expression can be repeated in one statement.
    if (!SAFE_NAME.test(valueProp) || !SAFE_NAME.test(target.logicalName))
      throw queryError(`Invalid property name '${valueProp}'.`);
    const table = `'${target.logicalName}'`;
    const alias = `${from}_nav${hop + 1}`;
    opened.push(
      `(SELECT %INNER% FROM records ${alias} WHERE ${alias}.entity = ${table} AND ${alias}.id = json_extract(${outer}.data, '$."${valueProp}"') AND json_extract(${outer}.lookups, '$."${valueProp}"') = ${table})`,
    );
    current = target;
    outer = alias;
  }
  const last = parts[parts.length - 1]!;
  const attr = current.attribute(last);
  if (!attr || !SAFE_NAME.test(attr.name)) throw unknownQueryProperty(last, current.logicalName);
  let sql = `json_extract(${outer}.data, '$."${attr.name}"')`;
  for (let i = opened.length - 1; i >= 0; i--) sql = opened[i]!.replace("%INNER%", () => sql);
  return { sql, type: attr.type };
}
