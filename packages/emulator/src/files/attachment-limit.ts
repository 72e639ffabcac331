import type { ServerContext } from "../context.ts";
import type { WritePlan } from "../write/payload.ts";
import { fileRequestError, fileTooBig } from "./file-errors.ts";

/**
 * The organization's MaxUploadFileSize default: 5,242,880 bytes (5 MB; an admin can raise it to
 * 131,072 KB). It caps note attachments (`annotation.documentbody`) and email attachments
 * (`activitymimeattachment.body`), which are base64 text columns, not file columns.
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 5_242_880;

const BODY_COLUMN: Readonly<Record<string, string>> = {
  annotation: "documentbody",
  activitymimeattachment: "body",
};

/** Decoded size of padded standard base64 text, or undefined when it is not that. */
export function base64Size(text: string): number | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * Check a note's or attachment's body against the size limit and stamp `filesize`, as the
 * service does; recurse into deep-insert plans. Runs before anything is written.
 */
export function checkAttachments(ctx: ServerContext, plan: WritePlan): void {
  const column = BODY_COLUMN[plan.entity.logicalName];
  const body = column === undefined ? undefined : plan.columns.get(column);
  if (typeof body === "string") {
    const size = base64Size(body);
    if (size === undefined) throw fileRequestError(`The attachment in '${column}' is not valid Base64.`);
    const limit = ctx.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
    if (size > limit) throw fileTooBig(Math.floor(limit / 1024));
    if (plan.entity.attribute("filesize")) plan.columns.set("filesize", size);
  }
  for (const insert of plan.collectionInserts) for (const inner of insert.plans) checkAttachments(ctx, inner);
}
