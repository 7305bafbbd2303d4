// Photos from the tablet's camera: shrunk on the device (a 12 MP shot of 4 MB becomes ~300 KB, the
// difference between uploading in a bay and not), then sent by the write queue: a presigned POST
// straight to storage, and `complete`, which has the API check the bytes (docs/api.md).
import { ApiError, OfflineError } from './http';
import type { PhotoWrite, SendTools } from './queue';

export const MAX_SIDE_PX = 1600;
export const JPEG_QUALITY = 0.8;

/** The size a `width`×`height` picture is drawn at: longest side at most `max`, never enlarged. */
export function fitWithin(width: number, height: number, max = MAX_SIDE_PX): { width: number; height: number } {
  if (!(width > 0 && height > 0)) throw new RangeError(`not a picture size: ${width}×${height}`);
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * A JPEG of the photo with its longest side at most 1600 px. Drawing it again also leaves the
 * camera's EXIF (GPS included) on the tablet; `from-image` applies the EXIF rotation first.
 */
export async function downsize(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height);
    if (typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d canvas');
      context.drawImage(bitmap, 0, 0, width, height);
      return await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    }
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d canvas');
    context.drawImage(bitmap, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no JPEG'))), 'image/jpeg', JPEG_QUALITY));
  } finally {
    bitmap.close();
  }
}

/**
 * A photo as it is queued: downsized, or, in a format this browser cannot draw, as it is when
 * the API takes its type (else the drawing's failure is thrown).
 */
export async function photoToSend(file: Blob): Promise<Blob> {
  try {
    return await downsize(file);
  } catch (failure) {
    if (!['image/jpeg', 'image/png', 'image/webp'].includes(file.type)) throw failure;
    return file;
  }
}

/** What the API answers to a new photo: where to POST the bytes. */
export interface PresignedUpload { photo_id: string; upload: { url: string; fields: Record<string, string> } }

type Request = <T>(method: 'POST', path: string, body?: unknown) => Promise<T>;

/**
 * Send one queued photo: ask for a presigned POST, post the bytes (skipped when a previous try got
 * that far), then complete. No answer from storage keeps the photo queued. A 403 is most often an
 * expired form (the tablet was offline between asking and posting): asked once more at once; a
 * second 403 is a real refusal.
 */
export async function sendPhoto(write: PhotoWrite, tools: SendTools, request: Request, fetchImpl: typeof fetch = fetch): Promise<unknown> {
  const base = `/api/orders/${encodeURIComponent(write.order_id)}/photos`;
  if (!write.uploaded) {
    const blob = await tools.blob();
    if (!blob) throw new ApiError(410, 'photo_lost', 'photo bytes no longer on this device');
    for (let attempt = 1; ; attempt++) {
      const presigned = await request<PresignedUpload>('POST', base, {
        photo_id: write.photo_id, subject: write.subject, content_type: write.content_type, size: write.size,
      });
      const form = new FormData();
      for (const [name, value] of Object.entries(presigned.upload.fields)) form.append(name, value);
      form.append('file', blob, `${write.photo_id}.jpg`); // the file goes last in an S3 POST form
      let answer: Response;
      try {
        answer = await fetchImpl(presigned.upload.url, { method: 'POST', body: form });
      } catch {
        throw new OfflineError();
      }
      if (answer.ok) break;
      if (answer.status === 403 && attempt === 1) continue;
      throw new ApiError(answer.status, `storage_${answer.status}`, `storage answered ${answer.status}`);
    }
    await tools.markUploaded();
  }
  return request('POST', `/api/orders/${encodeURIComponent(write.order_id)}/photos/${encodeURIComponent(write.photo_id)}/complete`);
}
