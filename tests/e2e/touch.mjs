// The phone's and the tablet's hands in the browser tests: a camera's photos and counted taps.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real JPEG files as a camera would hand them over (larger than the 1600 px the tablet sends),
 * drawn in the page's canvas: a sky, a road and a car-coloured block, so each photo differs.
 */
export async function cameraShots(page, photoDir, count) {
  const files = [];
  for (let i = 0; i < count; i++) {
    const base64 = await page.evaluate(async (hue) => {
      const canvas = new OffscreenCanvas(2400, 1800);
      const g = canvas.getContext('2d');
      const sky = g.createLinearGradient(0, 0, 0, 1800);
      sky.addColorStop(0, `hsl(${hue} 60% 75%)`);
      sky.addColorStop(1, `hsl(${hue} 30% 30%)`);
      g.fillStyle = sky;
      g.fillRect(0, 0, 2400, 1800);
      g.fillStyle = `hsl(${(hue + 180) % 360} 70% 45%)`;
      g.fillRect(500, 700, 1400, 600);
      g.fillStyle = '#222';
      for (const x of [750, 1650]) { g.beginPath(); g.arc(x, 1300, 180, 0, Math.PI * 2); g.fill(); }
      g.fillStyle = '#fff';
      g.font = 'bold 160px sans-serif';
      g.fillText(`PHOTO ${hue}`, 200, 300);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (const byte of bytes) text += String.fromCharCode(byte);
      return btoa(text);
    }, 40 + i * 70);
    const path = join(photoDir, `shot-${i + 1}.jpg`);
    writeFileSync(path, Buffer.from(base64, 'base64'));
    files.push(path);
  }
  return files;
}

/** Taps as a person makes them: every tap (and every key of the on-screen keypad) counts. */
export function tapCounter(page) {
  const counter = {
    taps: 0,
    async tap(locator) {
      counter.taps += 1;
      await locator.tap();
    },
    /** Tap a spot on an element, `fx`/`fy` its fractions. */
    async tapAt(locator, fx, fy) {
      await locator.scrollIntoViewIfNeeded();
      const box = await locator.boundingBox();
      counter.taps += 1;
      await page.touchscreen.tap(box.x + box.width * fx, box.y + box.height * fy);
    },
    async type(text) {
      counter.taps += text.length;
      await page.keyboard.type(text);
    },
    /** The camera: one tap opens it, one tap takes the shot. */
    async photo(button, file) {
      const chooser = page.waitForEvent('filechooser');
      await counter.tap(button);
      await (await chooser).setFiles(file);
      counter.taps += 1;
    },
  };
  return counter;
}
