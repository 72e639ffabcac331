import type { AttributeDefinition } from "@xrm-offline/metadata";
import { checkEdmValue } from "../edm/edm-value.ts";
import { xrmError } from "../errors/error-catalogue.ts";
import { ATTACHMENT_BODY_COLUMNS, checkAttachmentBody } from "./blob-ref.ts";
import type { RecordDraft } from "./record-draft.ts";
import { WRITE_LIMITS } from "./write-limits.ts";

/** A plain column: its value checked against the column's Edm type (an attachment body by size). */
export function writeColumnValue(
  draft: RecordDraft,
  attribute: AttributeDefinition,
  key: string,
  value: unknown,
): void {
  const { ctx, entity } = draft;
  if (/^_.+_value$/.test(key)) {
    throw xrmError(
      "InvalidArgument",
      `'${key}' is the read-only value of a lookup; set the lookup with '<navigation property>@odata.bind' or a lookup object.`,
    );
  }
  if (ATTACHMENT_BODY_COLUMNS[entity.logicalName] === key && typeof value === "string") {
    // A file in base64: capped by the org's attachment size, not by the text column limit.
    draft.columns[key] = checkAttachmentBody(entity.logicalName, key, value, ctx.maxUploadFileSize);
    return;
  }
  const checked = checkEdmValue(attribute.type, value);
  if (!checked.ok) {
    const tooLong = typeof value === "string" && value.length > WRITE_LIMITS.maxStringLength;
    throw xrmError(
      tooLong ? "StringLengthTooLong" : "ODataParserError",
      tooLong
        ? `The length of the '${key}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${WRITE_LIMITS.maxStringLength}'.`
        : `Cannot write '${key}' (${attribute.type}) on ${entity.logicalName}: ${checked.reason}.`,
    );
  }
  draft.columns[key] = checked.value;
}
