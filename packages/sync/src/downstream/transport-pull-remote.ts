/** `PullRemote` over the transport: one GET per call, errors as TransportError (an XrmError). */
import type { Transport } from "@xrm-offline/transport";
import type { PullRemote } from "./pull-ports.ts";

export function transportPullRemote(transport: Pick<Transport, "send">): PullRemote {
  return {
    async get(url, prefer, signal) {
      const headers: Record<string, string> = prefer.length > 0 ? { Prefer: prefer.join(",") } : {};
      const response = await transport.send({ method: "GET", url, headers }, { signal });
      return response.body;
    },
  };
}
