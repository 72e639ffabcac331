import { xrmError } from "@xrm-offline/odata";

/**
 * `Xrm.Utility.getGlobalContext().client` as an offline-first model-driven app reports it
 * (client.md of the Client API reference): `getClientState()` is always "Offline" and
 * `isOffline()` always true — "A client in offline-first mode always reports it's offline" — while
 * `isNetworkAvailable()` follows the network "regardless of client mode". Scripts that branch on
 * `isOffline()` to decide whether the server is reachable are wrong on a real device; the harness
 * shows them the same answers, and the network switch drives `isNetworkAvailable()`.
 */
export type ClientName = "Web" | "Outlook" | "Mobile";
/** 0 Unknown, 1 Desktop, 2 Tablet, 3 Phone (XrmEnum.ClientFormFactor). */
export type FormFactor = 0 | 1 | 2 | 3;

export interface HarnessClientContext {
  getClient(): ClientName;
  getClientState(): "Online" | "Offline";
  getFormFactor(): FormFactor;
  isOffline(): boolean;
  isNetworkAvailable(): boolean;
}

export interface ClientContextOptions {
  /** Default "Mobile" (the offline clients are the mobile apps). */
  readonly client?: ClientName;
  /** Default 3 (Phone). */
  readonly formFactor?: FormFactor;
}

const CLIENTS: readonly string[] = ["Web", "Outlook", "Mobile"];

export function createClientContext(
  networkAvailable: () => boolean,
  options: ClientContextOptions = {},
): HarnessClientContext {
  const client = options.client ?? "Mobile";
  const formFactor = options.formFactor ?? 3;
  if (!CLIENTS.includes(client)) {
    throw xrmError(
      "InvalidArgument",
      `client must be "Web", "Outlook" or "Mobile", got ${JSON.stringify(client)}.`,
    );
  }
  if (![0, 1, 2, 3].includes(formFactor)) {
    throw xrmError("InvalidArgument", `formFactor must be 0, 1, 2 or 3, got ${JSON.stringify(formFactor)}.`);
  }
  return Object.freeze({
    getClient: () => client,
    getClientState: () => "Offline" as const,
    getFormFactor: () => formFactor,
    isOffline: () => true,
    isNetworkAvailable: () => networkAvailable(),
  });
}
