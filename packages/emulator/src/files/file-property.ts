import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import type { EntityKey } from "../http/route.ts";
import { emptyResponse, jsonResponse, type WireRequest, type WireResponse } from "../http/wire.ts";
import { requireId } from "../write/resolve-key.ts";
import { commitFile, removeFile } from "./commit-file.ts";
import { checkColumnSize, type FileColumn } from "./file-columns.ts";
import { chunkTooBig, fileRequestError, noFile } from "./file-errors.ts";

/** The chunk size the service recommends in `x-ms-chunk-size` (4 MiB, as Dataverse answers). */
export const CHUNK_SIZE: number = 4 * 1024 * 1024;

const EXPOSE = "x-ms-file-size; x-ms-file-name; x-ms-chunk-size; mimetype";

function fileName(req: WireRequest): string | undefined {
  // The header wins over the query parameter (Microsoft docs), but only carries ASCII names.
  return req.headers.get("x-ms-file-name") ?? req.query.get("x-ms-file-name") ?? undefined;
}

function bytesOf(req: WireRequest): Buffer {
  return req.bodyBytes ?? Buffer.from(req.body, "utf8");
}

/** `Content-Range: bytes 0-4194303/25870370` → start, end (inclusive), total. */
function parseContentRange(header: string | undefined): { start: number; end: number; total: number } {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header?.trim() ?? "");
  if (!m)
    throw fileRequestError("A chunk needs a Content-Range header of the form 'bytes <start>-<end>/<size>'.");
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (start > end || end >= total)
    throw fileRequestError(`The Content-Range '${header}' is not a valid range.`);
  return { start, end, total };
}

function startChunked(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  id: string,
  column: FileColumn,
): WireResponse {
  const name = fileName(req);
  if (!name)
    throw fileRequestError("The file name is missing: send x-ms-file-name as a header or query parameter.");
  const session = ctx.files.openSession({
    table: entity.logicalName,
    id,
    column: column.column,
    name,
    mode: "chunked",
  });
  return {
    status: 200,
    headers: {
      "OData-Version": "4.0",
      "Accept-Ranges": "bytes",
      Location: `${ctx.root()}/${set}(${id})/${column.column}?sessiontoken=${session.token}`,
      "x-ms-chunk-size": String(CHUNK_SIZE),
      "Access-Control-Expose-Headers": "x-ms-chunk-size",
    },
  };
}

function uploadChunk(
  ctx: ServerContext,
  req: WireRequest,
  id: string,
  column: FileColumn,
  token: string,
  entity: EntityMetadata,
): WireResponse {
  const session = ctx.files.session(token);
  if (session?.mode !== "chunked" || session.id !== id || session.column !== column.column) {
    throw fileRequestError("The sessiontoken is not valid for this column.");
  }
  const range = parseContentRange(req.headers.get("content-range"));
  checkColumnSize(column, range.total);
  // x-ms-chunk-size is the most one chunk may carry: Dataverse refuses more (ChunkSizeExceeded).
  if (range.end - range.start + 1 > CHUNK_SIZE) throw chunkTooBig(range.end - range.start + 1, CHUNK_SIZE);
  const data = bytesOf(req);
  if (data.length !== range.end - range.start + 1) {
    throw fileRequestError(
      `The body has ${data.length} bytes; Content-Range announces ${range.end - range.start + 1}.`,
    );
  }
  ctx.files.putPart(token, String(range.start), range.start, data);
  // Assemble once every byte of the file has arrived (chunks may come in any order or again).
  const parts = [...ctx.files.parts(token).values()].sort((a, b) => a.start - b.start);
  let next = 0;
  for (const p of parts) {
    if (p.start > next) break;
    next = Math.max(next, p.start + p.data.length);
  }
  if (next < range.total) return emptyResponse(206);
  const whole = Buffer.alloc(range.total);
  for (const p of parts) p.data.copy(whole, p.start, 0, Math.min(p.data.length, range.total - p.start));
  ctx.store.transaction(() => {
    commitFile(ctx, entity, id, column, {
      name: fileName(req) ?? session.name,
      mimeType: mimeOf(req, session.name),
      data: whole,
    });
    ctx.files.closeSession(token);
  });
  return emptyResponse(204);
}

function mimeOf(req: WireRequest, name: string): string {
  const declared = req.headers.get("x-ms-file-mime-type");
  if (declared) return declared;
  return guessMime(name);
}

/** The MIME type Dataverse derives from the file name's extension (a small table of common types). */
export function guessMime(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  const types: Record<string, string> = {
    txt: "text/plain",
    pdf: "application/pdf",
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    gif: "image/gif",
    webp: "image/webp",
    svg: "image/svg+xml",
    json: "application/json",
    csv: "text/csv",
    zip: "application/zip",
  };
  return types[ext] ?? "application/octet-stream";
}

function download(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  id: string,
  column: FileColumn,
): WireResponse {
  const file = ctx.files.get(entity.logicalName, id, column.column);
  if (!file) throw noFile(column.column);
  const headers = {
    "OData-Version": "4.0",
    "Content-Type": "application/octet-stream",
    "x-ms-file-size": String(file.size),
    // A header carries ASCII only: other names are percent-encoded (the client decodes them).
    "x-ms-file-name": /^[\u0020-\u007e]*$/.test(file.name) ? file.name : encodeURIComponent(file.name),
    mimetype: file.mimeType,
    "Access-Control-Expose-Headers": EXPOSE,
  };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range")?.trim() ?? "");
  if (!range) return { status: 200, headers, bytes: file.data };
  const start = Number(range[1]);
  const end = Math.min(range[2] ? Number(range[2]) : file.size - 1, file.size - 1);
  if (start >= file.size || start > end) {
    return { status: 416, headers: { "OData-Version": "4.0", "Content-Range": `bytes */${file.size}` } };
  }
  return {
    status: 206,
    headers: {
      ...headers,
      "x-ms-chunk-size": String(CHUNK_SIZE),
      "Content-Range": `bytes ${start}-${end}/${file.size}`,
    },
    bytes: file.data.subarray(start, end + 1),
  };
}

/**
 * A file or image column addressed as a property: upload (one PATCH, or `x-ms-transfer-mode:
 * chunked` then `Content-Range` chunks on the session's Location), download (`$value`, with
 * `Range`), and DELETE — as "Use file column data" describes the Web API.
 */
export function fileProperty(
  ctx: ServerContext,
  req: WireRequest,
  entity: EntityMetadata,
  set: string,
  key: EntityKey,
  column: FileColumn,
): WireResponse {
  const id = requireId(ctx, entity, key);
  const isValue = req.path.endsWith("/$value");
  switch (req.method) {
    case "GET": {
      if (isValue) return download(ctx, req, entity, id, column);
      const file = ctx.files.get(entity.logicalName, id, column.column);
      return jsonResponse(200, {
        "@odata.context": `${ctx.root()}/$metadata#${set}(${id})/${column.column}`,
        value: file?.fileId ?? null,
      });
    }
    case "PATCH":
    case "PUT": {
      if (isValue) throw fileRequestError("Upload to the column itself, not to its $value.");
      const token = req.query.get("sessiontoken");
      if (token) return uploadChunk(ctx, req, id, column, token, entity);
      if (req.headers.get("x-ms-transfer-mode")?.toLowerCase() === "chunked") {
        return startChunked(ctx, req, entity, set, id, column);
      }
      const name = fileName(req);
      if (!name) throw fileRequestError("The file name is missing: send the x-ms-file-name header.");
      const data = bytesOf(req);
      checkColumnSize(column, data.length);
      ctx.store.transaction(() =>
        commitFile(ctx, entity, id, column, { name, mimeType: mimeOf(req, name), data }),
      );
      return emptyResponse(204);
    }
    case "DELETE":
      ctx.store.transaction(() => removeFile(ctx, entity, id, column));
      return emptyResponse(204);
    default:
      throw fileRequestError(`The HTTP method '${req.method}' is not allowed for a file column.`);
  }
}
