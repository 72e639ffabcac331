/**
 * Sync failures in words a technician understands: what happened to which record, and what each
 * button will do. Codes stay out of these sentences (the screen shows them under "Details").
 */
export interface FailureFacts {
  readonly action: "Create" | "Update" | "Delete" | "Upload";
  readonly entity: string;
  /** 0 conflict, 1 record not found, 2 already exists, 3 other (Dataverse's syncerror types). */
  readonly errorType: 0 | 1 | 2 | 3;
  readonly httpStatus?: number;
}

export interface FailureText {
  /** What happened, in one or two sentences. */
  readonly what: string;
  readonly retry: string;
  readonly discard: string;
}

const NOUNS: Readonly<Record<string, string>> = {
  incident: "case",
  task: "task",
  account: "customer",
  contact: "contact",
  annotation: "note",
};

export function nounOf(entity: string): string {
  return NOUNS[entity] ?? "record";
}

/** The column that names a record of each table the app shows. */
export const TITLE_COLUMNS: Readonly<Record<string, string>> = {
  incident: "title",
  task: "subject",
  account: "name",
  contact: "fullname",
  annotation: "subject",
};

export function explainFailure(f: FailureFacts): FailureText {
  const noun = nounOf(f.entity);
  if (f.action === "Upload")
    return {
      what: `A file or photo of this ${noun} couldn't be sent to the office${f.httpStatus === 400 ? " (it is too big or not accepted)" : ""}.`,
      retry: "Retry sends the file again.",
      discard: "Discard removes the file from this device; the record itself is kept.",
    };
  if (f.errorType === 1) {
    if (f.action === "Delete")
      return {
        what: `This ${noun} was already deleted in the office, so there was nothing left to delete.`,
        retry: "Retry tries the delete again.",
        discard: `Discard clears this message and shows the ${noun} again until the next sync removes it.`,
      };
    return {
      what: `This ${noun} was deleted in the office. Your changes can't be saved.`,
      retry: `Retry sends your changes again (only useful if the office restores the ${noun}).`,
      discard: `Discard drops your changes; the ${noun} then disappears from this device at the next sync.`,
    };
  }
  if (f.errorType === 0)
    return {
      what: `Someone changed this ${noun} in the office while you were working on it.`,
      retry: "Retry saves your version over theirs.",
      discard: "Discard drops your changes and keeps the office's version.",
    };
  if (f.errorType === 2)
    return {
      what: `This ${noun} already exists in the office, so it couldn't be created again.`,
      retry: "Retry tries to create it again.",
      discard: `Discard removes your copy of the ${noun} from this device.`,
    };
  const what =
    f.httpStatus === 401 || f.httpStatus === 403
      ? `You aren't allowed to make this change to the ${noun}.`
      : f.httpStatus !== undefined && f.httpStatus >= 400 && f.httpStatus < 500
        ? `The office system refused this change to the ${noun}: some of its values aren't accepted.`
        : `The office system couldn't save this change to the ${noun}.`;
  return {
    what,
    retry: "Retry sends the change again.",
    discard:
      f.action === "Create"
        ? `Discard removes the new ${noun} from this device.`
        : f.action === "Delete"
          ? `Discard cancels the delete and shows the ${noun} again.`
          : `Discard drops your changes to the ${noun} from this device.`,
  };
}
