import { xrmError } from "@xrm-offline/odata";
import type { ServerContext } from "../context.ts";
import { jsonResponse, type WireResponse } from "../http/wire.ts";
import { normalizeGuid } from "../odata/guid.ts";
import { createFromPlan, updateFromPlan } from "../write/apply-write.ts";
import { buildWritePlan } from "../write/payload.ts";
import { checkAttachments, DEFAULT_MAX_ATTACHMENT_BYTES } from "./attachment-limit.ts";
import { fileRequestError, fileTooBig, noFile } from "./file-errors.ts";

/**
 * The block messages of notes ("Use file data with Attachment and Note records"):
 * `InitializeAnnotationBlocksUpload` → a token; `UploadBlock` (shared with file columns, in
 * file-actions.ts) per block; `CommitAnnotationBlocksUpload` writes the note — created, or updated
 * when its `annotationid` exists ("This is how you can update existing annotation records") — with
 * `documentbody` made of the blocks in `BlockList` order. `InitializeAnnotationBlocksDownload` →
 * `FileSizeInBytes`, `FileName` and a token for `DownloadBlock`.
 */
export const ANNOTATION_ACTIONS: ReadonlySet<string> = new Set([
  "InitializeAnnotationBlocksUpload",
  "CommitAnnotationBlocksUpload",
  "InitializeAnnotationBlocksDownload",
]);

type Body = Record<string, unknown>;

const ctxUrl = (ctx: ServerContext, type: string) => `${ctx.root()}/$metadata#Microsoft.Dynamics.CRM.${type}`;

/** `Target`: a note with its `annotationid` (the docs: the id must be set, even to create one). */
function noteTarget(body: Body): { id: string; columns: Body } {
  const t = body.Target;
  if (typeof t !== "object" || t === null || Array.isArray(t))
    throw fileRequestError("The parameter 'Target' is required.");
  const target = t as Body;
  const type = target["@odata.type"];
  if (typeof type !== "string" || type.replace(/^#/, "") !== "Microsoft.Dynamics.CRM.annotation") {
    throw fileRequestError(
      "Target must be an annotation ('@odata.type': 'Microsoft.Dynamics.CRM.annotation').",
    );
  }
  const id = normalizeGuid(String(target.annotationid ?? ""));
  if (!id) throw fileRequestError("Target needs 'annotationid': set a new GUID to create a note.");
  const { "@odata.type": _t, ...columns } = target;
  if ("documentbody" in columns)
    throw fileRequestError("Target must not carry 'documentbody': send it in blocks.");
  return { id, columns };
}

/** A note's body as bytes (the row keeps it as Base64 text), or undefined without one. */
export function noteBodyBytes(ctx: ServerContext, id: string): Buffer | undefined {
  const body = ctx.store.get("annotation", id)?.data.documentbody;
  return typeof body === "string" && body !== "" ? Buffer.from(body, "base64") : undefined;
}

export function annotationAction(
  ctx: ServerContext,
  body: Body,
  action: string,
  downloadToken: (table: string, id: string, column: string) => string,
): WireResponse {
  switch (action) {
    case "InitializeAnnotationBlocksUpload": {
      const { id, columns } = noteTarget(body);
      const session = ctx.files.openSession({
        table: "annotation",
        id,
        column: "documentbody",
        name: typeof columns.filename === "string" ? columns.filename : "",
        mode: "blocks",
      });
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "InitializeAnnotationBlocksUploadResponse"),
        FileContinuationToken: session.token,
      });
    }
    case "CommitAnnotationBlocksUpload": {
      const token = typeof body.FileContinuationToken === "string" ? body.FileContinuationToken : "";
      const session = ctx.files.session(token);
      if (session?.mode !== "blocks" || session.table !== "annotation")
        throw fileRequestError("The FileContinuationToken is not valid.");
      const { id, columns } = noteTarget(body);
      if (id !== session.id) throw fileRequestError("Target is not the note the upload was initialized for.");
      const list = body.BlockList;
      if (!Array.isArray(list) || list.length === 0 || !list.every((b) => typeof b === "string")) {
        throw fileRequestError("The parameter 'BlockList' must be a non-empty array of block ids.");
      }
      const parts = ctx.files.parts(token);
      const data = Buffer.concat(
        (list as string[]).map((b) => {
          const part = parts.get(b);
          if (!part) throw fileRequestError(`The block '${b}' was not uploaded.`);
          return part.data;
        }),
      );
      const limit = ctx.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
      if (data.length > limit) throw fileTooBig(Math.floor(limit / 1024));
      const entity = ctx.schema.metadata.entity("annotation");
      if (!entity) throw xrmError("EntityNotExist", "The table 'annotation' is not in the metadata.");
      const payload = { ...columns, documentbody: data.toString("base64") };
      ctx.store.transaction(() => {
        const existing = ctx.store.get("annotation", id);
        const plan = buildWritePlan(ctx, entity, payload, existing ? "update" : "create", undefined);
        checkAttachments(ctx, plan);
        if (existing) updateFromPlan(ctx, plan, existing);
        else createFromPlan(ctx, plan, id);
        ctx.files.closeSession(token);
      });
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "CommitAnnotationBlocksUploadResponse"),
        AnnotationId: id,
        FileSizeInBytes: data.length,
      });
    }
    case "InitializeAnnotationBlocksDownload": {
      const t = body.Target as Body | undefined;
      const id = normalizeGuid(String(t?.annotationid ?? ""));
      if (!id) throw fileRequestError("Target needs 'annotationid'.");
      const row = ctx.store.get("annotation", id);
      if (!row) throw xrmError("ObjectDoesNotExist", `annotation With Id = ${id} Does Not Exist`);
      const bytes = noteBodyBytes(ctx, id);
      if (!bytes) throw noFile("documentbody");
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "InitializeAnnotationBlocksDownloadResponse"),
        FileSizeInBytes: bytes.length,
        FileName: typeof row.data.filename === "string" ? row.data.filename : "",
        FileContinuationToken: downloadToken("annotation", id, "documentbody"),
      });
    }
    default:
      throw fileRequestError(`Unknown action '${action}'.`);
  }
}
