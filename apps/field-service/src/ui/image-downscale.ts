/** Photos are made small before they are stored: a phone photo of 4–12 MB becomes ~200–400 KB. */
export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_QUALITY = 0.82;

/** The size that fits `max` on the longer side, keeping the aspect ratio (never enlarges). */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export interface EncodedImage {
  readonly base64: string;
  readonly mimetype: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}

export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error("The image could not be encoded."))),
      type,
      quality,
    ),
  );
}

/** Decode a picked photo, scale it to fit `PHOTO_MAX_SIDE` and re-encode it as JPEG. */
export async function downscaleImage(file: Blob, maxSide = PHOTO_MAX_SIDE): Promise<EncodedImage> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const size = fitWithin(bitmap.width, bitmap.height, maxSide);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("No 2D canvas in this browser.");
  ctx.drawImage(bitmap, 0, 0, size.width, size.height);
  bitmap.close();
  const blob = await canvasBlob(canvas, "image/jpeg", PHOTO_QUALITY);
  return { base64: await blobToBase64(blob), mimetype: "image/jpeg", ...size, bytes: blob.size };
}

/** A canvas as PNG (the signature). */
export async function canvasPng(canvas: HTMLCanvasElement): Promise<EncodedImage> {
  const blob = await canvasBlob(canvas, "image/png");
  return {
    base64: await blobToBase64(blob),
    mimetype: "image/png",
    width: canvas.width,
    height: canvas.height,
    bytes: blob.size,
  };
}
