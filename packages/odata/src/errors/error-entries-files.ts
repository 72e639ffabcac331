/**
 * Errors of files, images and attachments. The first is Dataverse's (documented in "Use file
 * column data" for a file over the column's MaxSizeInKB, and raised for attachments over the org's
 * MaxUploadFileSize); the last is the device's, with the Windows HRESULT for a full disk, because
 * Dataverse has no code for "this device has no room".
 */
export const FILE_ERRORS = {
  unManagedidsattachmentinvalidfilesize: {
    code: "0x80044a02",
    httpStatus: 400,
    message: "Attachment file size is too big.",
    retryable: false,
  },
  // "Use image column data": an image over its column's MaxSizeInKB (a file column's is 0x80044a02).
  ProcessImageFailure: {
    code: "0x80072553",
    httpStatus: 400,
    message: "Error occured when processing image. Reason: File size is too big.",
    retryable: false,
  },
  // "Web service error codes": a chunk of a chunked upload above the size the service announced
  // in `x-ms-chunk-size` (4 MB), which "Use file column data" calls only a recommendation.
  ChunkSizeExceeded: {
    code: "0x80090008",
    httpStatus: 400,
    message: "Invalid file chunk size. Maximum chunk size supported: 4 MB.",
    retryable: false,
  },
  UploadingAndDownloadingInMultipleChunksNotSupported: {
    code: "0x80090017",
    httpStatus: 400,
    message: "Downloading in multiple chunks is not supported for the files stored in the database.",
    retryable: false,
  },
  DeviceStorageFull: {
    code: "0x80070070",
    httpStatus: 0,
    message: "There is not enough space on this device to keep the file offline.",
    retryable: false,
  },
} as const;
