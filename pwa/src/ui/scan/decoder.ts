// Reading QR codes from the camera: the browser's own BarcodeDetector where it has one (Chrome on
// Android, Safari with the flag), else ZXing's JavaScript reader (@zxing/library), fetched only
// then as a chunk of its own from this origin (precached with the app, so it works offline; no
// WebAssembly, which the app's Content-Security-Policy does not allow).

/** Reads the QR codes in a video frame: their texts (none most of the time). */
export interface QrDecoder {
  kind: 'native' | 'zxing';
  decode(video: HTMLVideoElement): Promise<string[]>;
}

interface DetectedBarcode { rawValue: string }
interface BarcodeDetectorLike { detect(source: CanvasImageSource): Promise<DetectedBarcode[]> }
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeDecoder(): Promise<QrDecoder | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    // Desktop Linux and some others expose the class with no formats behind it.
    if (!(await Detector.getSupportedFormats()).includes('qr_code')) return null;
    const detector = new Detector({ formats: ['qr_code'] });
    return { kind: 'native', decode: async (video) => (await detector.detect(video)).map((code) => code.rawValue) };
  } catch {
    return null;
  }
}

export async function createDecoder(): Promise<QrDecoder> {
  const native = await nativeDecoder();
  if (native) return native;
  const { zxingDecoder } = await import('./zxing');
  return zxingDecoder();
}
