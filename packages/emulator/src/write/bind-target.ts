import type { EntityMetadata } from "@xrm-offline/metadata";
import { SERVICE_PATH, type ServerContext } from "../context.ts";
import { type EntityKey, parseRoute } from "../http/route.ts";
import { codeError, odataError, queryError } from "../http/wire.ts";

/** The row a `@odata.bind` / `@odata.id` value addresses (existence is checked when writing). */
export interface BindTarget {
  readonly entity: EntityMetadata;
  readonly key: EntityKey;
}

/** `$n` not declared (earlier in the same change set). */
export function contentIdNotFound(ref: string): never {
  throw queryError(`Content-ID Reference: '${ref}' does not exist in the batch context.`);
}

/**
 * Resolve an entity reference in any documented form — `/contacts(id)`, `contacts(id)`, an absolute
 * URL, `/contacts(emailaddress1='a@b.c')`, or `$1` inside a change set — to a table and key.
 * The segment must be an entity set name (case-sensitive), never the logical name.
 */
export function parseBindTarget(
  ctx: ServerContext,
  value: string,
  contentIds: ReadonlyMap<string, string> | undefined,
): BindTarget {
  let ref = value.trim();
  if (/^\$[A-Za-z0-9_.-]+$/.test(ref)) {
    const resolved = contentIds?.get(ref.slice(1));
    if (resolved === undefined) contentIdNotFound(ref);
    ref = resolved;
  }
  if (/^https?:\/\//i.test(ref)) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      throw odataError(`The URL '${value}' is not valid.`);
    }
    ref = url.pathname;
  }
  if (ref.startsWith(`${SERVICE_PATH}/`)) ref = ref.slice(SERVICE_PATH.length + 1);
  ref = ref.replace(/^\/+/, "");
  let route: ReturnType<typeof parseRoute>;
  try {
    route = parseRoute(ref);
  } catch {
    throw odataError(`The URL '${value}' is not a valid entity reference.`);
  }
  if (route.kind !== "entity") throw odataError(`The URL '${value}' is not a valid entity reference.`);
  const entity = ctx.schema.metadata.entityBySetName(route.set);
  // No public capture of this case; the segment error with 400 is the closest documented shape.
  if (!entity) throw codeError("0x80060888", 400, `Resource not found for the segment '${route.set}'.`);
  return { entity, key: route.key };
}
