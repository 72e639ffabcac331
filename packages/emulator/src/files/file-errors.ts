import { XrmError } from "@xrm-offline/odata";

/**
 * The errors of file and image columns, with Dataverse's codes where Microsoft documents them
 * ("Use file column data": 0x80044a02 for a file over MaxSizeInKB).
 */
export function fileTooBig(limitKB: number): XrmError {
  return new XrmError({
    code: "0x80044a02",
    httpStatus: 400,
    message: `Attachment file size is too big. The limit is ${limitKB} KB.`,
  });
}

export function fileRequestError(message: string): XrmError {
  return new XrmError({ code: "0x80040203", httpStatus: 400, message });
}

export function noFile(column: string): XrmError {
  return new XrmError({
    code: "0x80040217",
    httpStatus: 404,
    message: `No file attachment found for attribute: ${column}.`,
  });
}
