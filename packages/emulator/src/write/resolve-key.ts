import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import type { EntityKey } from "../http/route.ts";
import { queryError, recordNotFound, unknownQueryProperty } from "../http/wire.ts";
import { columnSql } from "../odata/filter-sql.ts";
import { coerceValue } from "./coerce-value.ts";

/** Alternate-key values checked and converted to the stored form. */
export function alternateKeyValues(
  entity: EntityMetadata,
  key: Extract<EntityKey, { kind: "alternate" }>,
): [string, unknown][] {
  return key.values.map(([name, raw]) => {
    const attr = entity.attribute(name);
    if (!attr) throw unknownQueryProperty(name, entity.logicalName);
    try {
      return [name, coerceValue(raw, attr.type)];
    } catch {
      throw queryError(`The key value '${String(raw)}' is not valid for property '${name}'.`);
    }
  });
}

/** The id of the row a key addresses, or undefined when there is none. */
export function findId(ctx: ServerContext, entity: EntityMetadata, key: EntityKey): string | undefined {
  if (key.kind === "id") return ctx.store.has(entity.logicalName, key.id) ? key.id : undefined;
  const values = alternateKeyValues(entity, key);
  const where = {
    sql: values
      .map(([name, v]) =>
        typeof v === "string" ? `${columnSql(name)} = ? COLLATE NOCASE` : `${columnSql(name)} = ?`,
      )
      .join(" AND "),
    params: values.map(([, v]) => (typeof v === "boolean" ? (v ? 1 : 0) : v)),
  };
  const rows = ctx.store.query(entity.logicalName, where, "id", 2, 0);
  return rows[0]?.id;
}

/** Like findId, but a missing row is 404 0x80040217. */
export function requireId(ctx: ServerContext, entity: EntityMetadata, key: EntityKey): string {
  const id = findId(ctx, entity, key);
  if (id === undefined) {
    const shown = key.kind === "id" ? key.id : key.values.map(([k, v]) => `${k}=${String(v)}`).join(",");
    throw recordNotFound(entity.logicalName, shown);
  }
  return id;
}
