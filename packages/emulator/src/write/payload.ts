import type { EntityMetadata, SingleValuedNavigationDefinition } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { codeError, odataError, undeclaredProperty, unknownProperty } from "../http/wire.ts";
import { type CollectionLink, collectionLink } from "../schema/schema.ts";
import { type BindTarget, parseBindTarget } from "./bind-target.ts";
import { coerceValue } from "./coerce-value.ts";
import { checkMaxLength } from "./max-length.ts";

/** How one lookup column is set by a write. */
export type LookupValue =
  | { readonly kind: "clear" }
  | { readonly kind: "bind"; readonly target: BindTarget }
  | { readonly kind: "insert"; readonly plan: WritePlan };

export interface LookupAssignment {
  readonly navigation: SingleValuedNavigationDefinition;
  readonly value: LookupValue;
}

/** A validated write: what a create or update will store, checked before anything is written. */
export interface WritePlan {
  readonly entity: EntityMetadata;
  readonly columns: Map<string, unknown>;
  readonly primaryKey?: string;
  readonly lookups: LookupAssignment[];
  readonly collectionBinds: {
    readonly navigation: string;
    readonly link: CollectionLink;
    readonly targets: BindTarget[];
  }[];
  readonly collectionInserts: {
    readonly navigation: string;
    readonly link: CollectionLink;
    readonly plans: WritePlan[];
  }[];
}

const MAX_DEPTH = 32;
const BIND = "@odata.bind";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validate a JSON body for `entity` and turn it into a plan. `mode` "update" refuses deep insert
 * (the Web API only inserts related rows on create). Nothing is written here.
 */
export function buildWritePlan(
  ctx: ServerContext,
  entity: EntityMetadata,
  body: unknown,
  mode: "create" | "update",
  contentIds: ReadonlyMap<string, string> | undefined,
  depth = 0,
): WritePlan {
  if (depth > MAX_DEPTH) throw odataError(`The deep insert is nested more than ${MAX_DEPTH} levels.`);
  if (!isPlainObject(body)) {
    throw odataError(
      "A node of type 'StartArray' or a primitive value was read from the JSON reader when a 'StartObject' node was expected.",
    );
  }
  const plan: WritePlan & { primaryKey?: string } = {
    entity,
    columns: new Map(),
    lookups: [],
    collectionBinds: [],
    collectionInserts: [],
  };
  let primaryKey: string | undefined;
  const lookupValueProps = new Set([...entity.lookups()].map((l) => l.valueProperty));

  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key.endsWith(BIND)) {
      const navName = key.slice(0, -BIND.length);
      const single = entity.singleValuedNavigation(navName);
      if (single) {
        if (value === null) {
          plan.lookups.push({ navigation: single, value: { kind: "clear" } });
          continue;
        }
        if (typeof value !== "string") throw odataError(`The value of '${key}' must be a URL string.`);
        plan.lookups.push({
          navigation: single,
          value: { kind: "bind", target: bindFor(ctx, value, single.targetEntity, navName, contentIds) },
        });
        continue;
      }
      const link = entity.collectionNavigation(navName)
        ? collectionLink(ctx.schema, entity, navName)
        : undefined;
      if (entity.collectionNavigation(navName)) {
        if (!link)
          throw odataError(`The collection-valued navigation property '${navName}' cannot be bound here.`);
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
          throw odataError(`The value of '${key}' must be an array of URL strings.`);
        }
        const targets = (value as string[]).map((v) =>
          bindFor(ctx, v, link.target.logicalName, navName, contentIds),
        );
        plan.collectionBinds.push({ navigation: navName, link, targets });
        continue;
      }
      throw undeclaredProperty(navName);
    }
    // Other instance annotations (`@odata.type`, `x@OData.Community.Display.V1.FormattedValue`) are ignored.
    if (key.includes("@")) continue;

    const single = entity.singleValuedNavigation(key);
    if (single) {
      if (value === null) {
        plan.lookups.push({ navigation: single, value: { kind: "clear" } });
        continue;
      }
      if (!isPlainObject(value)) {
        throw odataError(
          `A primitive value was specified; however, a value of the navigation property '${key}' was expected.`,
        );
      }
      if (mode === "update")
        throw odataError(`Deep insert through '${key}' is only supported when creating a record.`);
      const target = ctx.schema.metadata.entity(single.targetEntity);
      if (!target) throw odataError(`The navigation property '${key}' points at an unknown table.`);
      const child = buildWritePlan(ctx, target, value, "create", contentIds, depth + 1);
      plan.lookups.push({ navigation: single, value: { kind: "insert", plan: child } });
      continue;
    }
    if (entity.collectionNavigation(key)) {
      if (mode === "update")
        throw odataError(`Deep insert through '${key}' is only supported when creating a record.`);
      const link = collectionLink(ctx.schema, entity, key);
      if (!link)
        throw odataError(`Deep insert through '${key}' is not supported: its relationship is unknown.`);
      if (!Array.isArray(value))
        throw odataError(`The value of collection-valued navigation property '${key}' must be an array.`);
      const plans = value.map((v) => buildWritePlan(ctx, link.target, v, "create", contentIds, depth + 1));
      plan.collectionInserts.push({ navigation: key, link, plans });
      continue;
    }
    if (lookupValueProps.has(key)) {
      throw codeError(
        "0x80060888",
        400,
        "CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.",
      );
    }
    const attr = entity.attribute(key);
    if (!attr) throw unknownProperty(key, entity.logicalName);
    const coerced = coerceValue(value, attr.type);
    checkMaxLength(entity, key, coerced);
    if (key === entity.primaryIdAttribute) {
      if (coerced === null) throw odataError(`The primary key '${key}' cannot be null.`);
      primaryKey = coerced as string;
      continue;
    }
    plan.columns.set(key, coerced);
  }
  return primaryKey === undefined ? plan : { ...plan, primaryKey };
}

function bindFor(
  ctx: ServerContext,
  value: string,
  expectedEntity: string,
  navName: string,
  contentIds: ReadonlyMap<string, string> | undefined,
): BindTarget {
  const target = parseBindTarget(ctx, value, contentIds);
  // `ownerid` points at the abstract `principal`: any table may stand behind it.
  const expectedKnown = ctx.schema.metadata.entity(expectedEntity) !== undefined;
  if (expectedKnown && target.entity.logicalName !== expectedEntity) {
    throw odataError(
      `An entity of type 'Microsoft.Dynamics.CRM.${target.entity.logicalName}' cannot be bound to the navigation property '${navName}' of type 'Microsoft.Dynamics.CRM.${expectedEntity}'.`,
    );
  }
  return target;
}
