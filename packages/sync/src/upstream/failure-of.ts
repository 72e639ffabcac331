import { toHexCode, type WriteOperation } from "@xrm-offline/odata";
import type { RemoteError, SyncErrorType, SyncFailureInit } from "../ports.ts";

const ACTIONS = { create: "Create", update: "Update", delete: "Delete" } as const;

/** A failure row (like Dataverse's syncerror) for a write the server rejected for good. */
export function failureOf(
  operation: WriteOperation,
  error: RemoteError,
  errorType: SyncErrorType,
  now: number,
): SyncFailureInit {
  return {
    action: ACTIONS[operation.kind],
    entityLogicalName: operation.entityLogicalName,
    recordId: operation.id,
    data: actionData(operation),
    errorCode: error.errorCode,
    code: toHexCode(error.errorCode),
    message: error.message,
    errorType,
    httpStatus: error.status,
    errorTime: new Date(now).toISOString(),
  };
}

/**
 * The change, as syncerror.actiondata shows it: the columns, and each lookup as a bind to
 * `<table>(<id>)` (or null when cleared). For display and diagnostics; the outbox keeps the
 * operation itself for a retry.
 */
function actionData(operation: WriteOperation): Record<string, unknown> {
  if (operation.kind === "delete") return {};
  const data: Record<string, unknown> = { ...operation.columns };
  for (const b of operation.lookups) {
    data[`${b.navigationProperty}@odata.bind`] =
      b.targetId === null ? null : `${b.targetEntity}(${b.targetId})`;
  }
  return data;
}
