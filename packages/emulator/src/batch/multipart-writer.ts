import { STATUS_TEXT, type WireResponse } from "../http/wire.ts";

const CRLF = "\r\n";

/** One inner response as an `application/http` part (CRLF line ends, as the service writes). */
function httpPart(response: WireResponse, contentId: string | undefined): string {
  const lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"];
  if (contentId !== undefined) lines.push(`Content-ID: ${contentId}`);
  lines.push("");
  lines.push(`HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}`.trimEnd());
  for (const [name, value] of Object.entries(response.headers)) {
    // GET parts stream JSON in the real service.
    const v =
      name === "Content-Type" && response.status === 200 && value.startsWith("application/json")
        ? `${value}; odata.streaming=true`
        : value;
    lines.push(`${name}: ${v}`);
  }
  lines.push("");
  lines.push(response.body ?? "");
  return lines.join(CRLF);
}

export type BatchResponseItem =
  | { readonly kind: "operation"; readonly response: WireResponse; readonly contentId?: string }
  | {
      readonly kind: "changeset";
      readonly boundary: string;
      readonly parts: readonly { readonly response: WireResponse; readonly contentId?: string }[];
    };

/** The multipart body of a `$batch` response with `batchresponse_` / `changesetresponse_` boundaries. */
export function writeBatchResponse(boundary: string, items: readonly BatchResponseItem[]): string {
  const out: string[] = [];
  for (const item of items) {
    out.push(`--${boundary}`);
    if (item.kind === "operation") {
      out.push(httpPart(item.response, item.contentId));
      continue;
    }
    out.push(`Content-Type: multipart/mixed; boundary=${item.boundary}`);
    out.push("");
    for (const part of item.parts) {
      out.push(`--${item.boundary}`);
      out.push(httpPart(part.response, part.contentId));
    }
    out.push(`--${item.boundary}--`);
  }
  out.push(`--${boundary}--`);
  return `${out.join(CRLF)}${CRLF}`;
}
