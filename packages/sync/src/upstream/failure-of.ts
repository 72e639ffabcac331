import { type SyncErrorType, type SyncFailureInit, toHexCode, type WriteOperation } from "@xrm-offline/odata";
import type { RemoteError, RemotePort } from "../ports.ts";

const ACTIONS = { create: "Create", update: "Update", delete: "Delete" } as const;

/**
 * The failure (a row like Dataverse's syncerror) for a write the server rejected for good, built
 * here only: every outbox records it as given. `data` is the request body as the remote sends it.
 */
export function failureOf(
  remote: RemotePort,
  operation: WriteOperation,
  error: RemoteError,
  errorType: SyncErrorType,
  now: number,
): SyncFailureInit {
  return {
    action: ACTIONS[operation.kind],
    entity: operation.entityLogicalName,
    recordId: operation.id,
    data: actionData(remote, operation),
    errorCode: error.errorCode,
    code: toHexCode(error.errorCode),
    message: error.message,
    errorType,
    httpStatus: error.status,
    time: new Date(now).toISOString(),
  };
}

function actionData(remote: RemotePort, operation: WriteOperation): Readonly<Record<string, unknown>> {
  try {
    return remote.bodyOf(operation);
  } catch {
    // A write that cannot be rendered failed before anything was sent: nothing to show.
    return {};
  }
}
