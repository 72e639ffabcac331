import { xrmError } from "../errors/error-catalogue.ts";
import { unknownNavigationError } from "./name-hints.ts";
import type { RecordDraft } from "./record-draft.ts";
import { bindingFromBind, collectionBinding } from "./write-lookups.ts";

/**
 * A key with an annotation (`name@odata.bind`): a single-valued navigation sets a lookup; a
 * collection-valued one links existing records, which only an online create can do.
 */
export function writeBindAnnotation(draft: RecordDraft, key: string, value: unknown): void {
  const { ctx, entity } = draft;
  const at = key.indexOf("@");
  const name = key.slice(0, at);
  const annotation = key.slice(at + 1);
  if (annotation !== "odata.bind" || name === "") {
    throw xrmError(
      "ODataParserError",
      `'${key.slice(0, 80)}' is not accepted in a write: the only annotation a data object may carry is '<navigation property>@odata.bind'.`,
    );
  }
  const nav = entity.singleValuedNavigation(name);
  if (nav) {
    draft.addLookup(key, bindingFromBind(ctx.metadata, entity, nav, value));
    return;
  }
  const coll = entity.collectionNavigation(name);
  if (!coll) throw unknownNavigationError(entity, key, name);
  if (ctx.mode === "offline") {
    throw xrmError(
      "InvalidArgument",
      `'${key}' binds the collection-valued navigation property '${name}', which offline mode does not support (associate records when online).`,
    );
  }
  if (!draft.isCreate) {
    throw xrmError(
      "InvalidArgument",
      `'${key}': the Web API binds collection-valued navigation properties only when creating a record; use Xrm.WebApi.online.execute with an Associate request to link existing records.`,
    );
  }
  draft.collectionBindings.push(collectionBinding(ctx.metadata, entity, key, coll.targetEntity, value));
}
