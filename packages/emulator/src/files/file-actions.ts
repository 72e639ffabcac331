import type { EntityMetadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import type { ServerContext } from "../context.ts";
import { parseJsonBody } from "../http/json-body.ts";
import { emptyResponse, jsonResponse, type WireRequest, type WireResponse } from "../http/wire.ts";
import { normalizeGuid } from "../odata/guid.ts";
import { ANNOTATION_ACTIONS, annotationAction, noteBodyBytes } from "./annotation-actions.ts";
import { base64Size } from "./attachment-limit.ts";
import { commitFile, removeFile } from "./commit-file.ts";
import { checkColumnSize, type FileColumn, fileColumnOf } from "./file-columns.ts";
import { fileRequestError, noFile } from "./file-errors.ts";
import { guessMime } from "./file-property.ts";

/** The unbound actions of "Use file column data" (the block messages). */
export const FILE_ACTIONS: ReadonlySet<string> = new Set([
  "InitializeFileBlocksUpload",
  "UploadBlock",
  "CommitFileBlocksUpload",
  "InitializeFileBlocksDownload",
  "DownloadBlock",
  "DeleteFile",
  ...ANNOTATION_ACTIONS,
]);

/** A block is at most 4 MB (Microsoft docs: "blocks of 4 MB or less"). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

type Body = Record<string, unknown>;

function str(body: Body, name: string): string {
  const v = body[name];
  if (typeof v !== "string" || v === "") throw fileRequestError(`The parameter '${name}' is required.`);
  return v;
}

function base64(text: string, name: string): Buffer {
  if (base64Size(text) === undefined) {
    throw fileRequestError(`The parameter '${name}' is not valid Base64.`);
  }
  return Buffer.from(text, "base64");
}

/** `Target: { "<pk>": id, "@odata.type": "Microsoft.Dynamics.CRM.<table>" }` and the named column. */
function target(ctx: ServerContext, body: Body): { entity: EntityMetadata; id: string; column: FileColumn } {
  const t = body.Target;
  if (typeof t !== "object" || t === null || Array.isArray(t))
    throw fileRequestError("The parameter 'Target' is required.");
  const type = (t as Body)["@odata.type"];
  const logical = typeof type === "string" ? type.replace(/^#?Microsoft\.Dynamics\.CRM\./, "") : "";
  const entity = ctx.schema.metadata.entity(logical);
  if (!entity) throw fileRequestError(`Target has an unknown '@odata.type': '${String(type)}'.`);
  const id = normalizeGuid(String((t as Body)[entity.primaryIdAttribute] ?? ""));
  if (!id) throw fileRequestError(`Target needs '${entity.primaryIdAttribute}'.`);
  if (!ctx.store.get(entity.logicalName, id)) {
    throw noFileRecord(entity, id);
  }
  const name = str(body, "FileAttributeName");
  const column = fileColumnOf(entity, name, ctx.fileColumns);
  if (!column) throw fileRequestError(`'${name}' is not a file or image column of '${entity.logicalName}'.`);
  return { entity, id, column };
}

function noFileRecord(entity: EntityMetadata, id: string) {
  return xrmError("ObjectDoesNotExist", `${entity.logicalName} With Id = ${id} Does Not Exist`);
}

/** A download token names the file it reads; it is not a secret (the emulator has one user). */
function downloadToken(table: string, id: string, column: string): string {
  return Buffer.from(JSON.stringify([table, id, column])).toString("base64");
}

function readDownloadToken(token: string): [string, string, string] {
  try {
    const v = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "string"))
      return v as [string, string, string];
  } catch {
    // fall through
  }
  throw fileRequestError("The FileContinuationToken is not valid.");
}

const ctxUrl = (ctx: ServerContext, type: string) => `${ctx.root()}/$metadata#Microsoft.Dynamics.CRM.${type}`;

/** Run one of FILE_ACTIONS (POST only). */
export function fileAction(ctx: ServerContext, req: WireRequest, action: string): WireResponse {
  if (req.method !== "POST") throw fileRequestError(`'${action}' is an action: use POST.`);
  const parsed = parseJsonBody(req.body);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw fileRequestError("The request body must be a JSON object.");
  }
  const body = parsed as Body;
  switch (action) {
    case "InitializeFileBlocksUpload": {
      const { entity, id, column } = target(ctx, body);
      const session = ctx.files.openSession({
        table: entity.logicalName,
        id,
        column: column.column,
        name: str(body, "FileName"),
        mode: "blocks",
      });
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "InitializeFileBlocksUploadResponse"),
        FileContinuationToken: session.token,
      });
    }
    case "UploadBlock": {
      const session = ctx.files.session(str(body, "FileContinuationToken"));
      if (session?.mode !== "blocks") throw fileRequestError("The FileContinuationToken is not valid.");
      const blockId = str(body, "BlockId");
      if (Buffer.from(blockId, "base64").length > 64)
        throw fileRequestError("A BlockId is at most 64 bytes before encoding.");
      const data = base64(str(body, "BlockData"), "BlockData");
      if (data.length > MAX_BLOCK_BYTES) throw fileRequestError("A block is at most 4 MB.");
      ctx.files.putPart(session.token, blockId, 0, data);
      return emptyResponse(204);
    }
    case "CommitFileBlocksUpload": {
      const token = str(body, "FileContinuationToken");
      const session = ctx.files.session(token);
      if (session?.mode !== "blocks") throw fileRequestError("The FileContinuationToken is not valid.");
      const list = body.BlockList;
      if (!Array.isArray(list) || list.length === 0 || !list.every((b) => typeof b === "string")) {
        throw fileRequestError("The parameter 'BlockList' must be a non-empty array of block ids.");
      }
      const parts = ctx.files.parts(token);
      const blocks = (list as string[]).map((b) => {
        const part = parts.get(b);
        if (!part) throw fileRequestError(`The block '${b}' was not uploaded.`);
        return part.data;
      });
      const data = Buffer.concat(blocks);
      const entity = ctx.schema.metadata.entity(session.table)!;
      const column = fileColumnOf(entity, session.column, ctx.fileColumns)!;
      checkColumnSize(column, data.length);
      if (!ctx.store.get(entity.logicalName, session.id)) throw noFileRecord(entity, session.id);
      const name = str(body, "FileName");
      const mimeType = typeof body.MimeType === "string" && body.MimeType ? body.MimeType : guessMime(name);
      const stored = ctx.store.transaction(() => {
        const s = commitFile(ctx, entity, session.id, column, { name, mimeType, data });
        ctx.files.closeSession(token);
        return s;
      });
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "CommitFileBlocksUploadResponse"),
        FileId: stored.fileId,
        FileSizeInBytes: stored.size,
      });
    }
    case "InitializeFileBlocksDownload": {
      const { entity, id, column } = target(ctx, body);
      const file = ctx.files.get(entity.logicalName, id, column.column);
      if (!file) throw noFile(column.column);
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "InitializeFileBlocksDownloadResponse"),
        FileSizeInBytes: file.size,
        FileName: file.name,
        FileContinuationToken: downloadToken(entity.logicalName, id, column.column),
        IsChunkingSupported: true,
      });
    }
    case "DownloadBlock": {
      const [table, id, column] = readDownloadToken(str(body, "FileContinuationToken"));
      const offset = body.Offset;
      const length = body.BlockLength;
      if (
        !Number.isSafeInteger(offset) ||
        (offset as number) < 0 ||
        !Number.isSafeInteger(length) ||
        (length as number) <= 0
      ) {
        throw fileRequestError("Offset and BlockLength must be non-negative integers (BlockLength > 0).");
      }
      // A note's body lives in its row (Base64); a file or image column's in the file store.
      const whole = table === "annotation" ? noteBodyBytes(ctx, id) : ctx.files.get(table, id, column)?.data;
      if (!whole) throw noFile(column);
      const data = whole.subarray(offset as number, (offset as number) + (length as number));
      return jsonResponse(200, {
        "@odata.context": ctxUrl(ctx, "DownloadBlockResponse"),
        Data: data.toString("base64"),
      });
    }
    case "DeleteFile": {
      const fileId = normalizeGuid(str(body, "FileId"));
      const where = fileId ? ctx.files.byFileId(fileId) : undefined;
      if (!where) throw noFile("FileId");
      const entity = ctx.schema.metadata.entity(where.table)!;
      const column = fileColumnOf(entity, where.column, ctx.fileColumns)!;
      ctx.store.transaction(() => removeFile(ctx, entity, where.id, column));
      return emptyResponse(204);
    }
    default:
      if (ANNOTATION_ACTIONS.has(action)) return annotationAction(ctx, body, action, downloadToken);
      throw fileRequestError(`Unknown file action '${action}'.`);
  }
}
