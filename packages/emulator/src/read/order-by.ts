import type { EntityMetadata } from "@xrm-offline/metadata";
import { unknownQueryProperty } from "../http/wire.ts";
import { columnSql } from "../odata/filter-sql.ts";
import type { OrderBy } from "../odata/query-options.ts";

/** ORDER BY for `$orderby` (strings case-insensitive), always ending with the primary key. */
export function orderBySql(entity: EntityMetadata, orderBy: readonly OrderBy[] | undefined): string {
  const parts = (orderBy ?? []).map((o) => {
    const attr = entity.attribute(o.property);
    if (!attr) throw unknownQueryProperty(o.property, entity.logicalName);
    const collate = attr.type === "Edm.String" ? " COLLATE NOCASE" : "";
    return `${columnSql(attr.name)}${collate} ${o.descending ? "DESC" : "ASC"}`;
  });
  parts.push("id ASC");
  return parts.join(", ");
}
