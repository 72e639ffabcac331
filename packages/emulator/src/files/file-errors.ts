import { type XrmError, xrmError } from "@xrm-offline/odata";

/**
 * The errors of file and image columns, from the catalogue: 0x80044a02 is what Microsoft documents
 * ("Use file column data") for a file over MaxSizeInKB, and the service also raises it for
 * attachments over the org's MaxUploadFileSize.
 */
export function fileTooBig(limitKB: number): XrmError {
  return xrmError(
    "unManagedidsattachmentinvalidfilesize",
    `Attachment file size is too big. The limit is ${limitKB} KB.`,
  );
}

export function fileRequestError(message: string): XrmError {
  return xrmError("InvalidArgument", message);
}

export function noFile(column: string): XrmError {
  return xrmError("ObjectDoesNotExist", `No file attachment found for attribute: ${column}.`);
}
