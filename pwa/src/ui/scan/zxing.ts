// ZXing's QR reader on a frame of the video: drawn on a canvas no bigger than the reader needs,
// turned to grey, binarised, read. The modules are imported one by one: the package's index pulls
// in every format's reader and writer (400 kB), which the bundler cannot leave out.
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer';
import DecodeHintType from '@zxing/library/esm/core/DecodeHintType';
import QRCodeReader from '@zxing/library/esm/core/qrcode/QRCodeReader';
import RGBLuminanceSource from '@zxing/library/esm/core/RGBLuminanceSource';
import type { QrDecoder } from './decoder';

/** The longer side of the frame as read: a 50 × 30 mm label held at arm's length still has ~3 px a module. */
const MAX_SIDE = 960;

export function zxingDecoder(): QrDecoder {
  const reader = new QRCodeReader();
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });

  return {
    kind: 'zxing',
    async decode(video) {
      const width = video.videoWidth, height = video.videoHeight;
      if (!context || width === 0 || height === 0) return [];
      const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const grey = new Uint8ClampedArray(canvas.width * canvas.height);
      for (let i = 0, p = 0; i < grey.length; i++, p += 4) {
        grey[i] = (data[p]! * 77 + data[p + 1]! * 150 + data[p + 2]! * 29) >> 8;
      }
      try {
        const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(grey, canvas.width, canvas.height)));
        return [reader.decode(bitmap, hints).getText()];
      } catch {
        return []; // no code in sight, or one seen in part (checksum, format): the next frame may read it
      } finally {
        reader.reset();
      }
    },
  };
}
