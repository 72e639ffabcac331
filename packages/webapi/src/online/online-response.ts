import type { WebApiResponse } from "@xrm-offline/transport";

/**
 * `Xrm.WebApi.online.execute` resolves with a fetch `Response` (@types/xrm: ExecuteResponse extends
 * Response). The transport has already read and parsed the body, so rebuild one from it.
 */
export function toExecuteResponse(
  url: string,
  answer: Pick<WebApiResponse, "status" | "headers" | "body">,
): Response {
  const text =
    answer.body === undefined
      ? null
      : typeof answer.body === "string"
        ? answer.body
        : JSON.stringify(answer.body);
  const nullBody = answer.status === 204 || answer.status === 304;
  const response = new Response(nullBody ? null : text, {
    status: answer.status,
    statusText: statusText(answer.status),
    headers: answer.headers as Record<string, string>,
  });
  // `url` is read-only on Response and empty for constructed ones; Xrm documents it.
  Object.defineProperty(response, "url", { value: url });
  return response;
}

function statusText(status: number): string {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    default:
      return "";
  }
}
