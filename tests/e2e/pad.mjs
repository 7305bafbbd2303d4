// Drawing on a signature pad as a person does: real mouse or touch input through Chromium, at a
// hand's pace (the staff tablet's pad and the customer's page both take these).
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stroke through `points` (fractions of the pad), with the real mouse, at a hand's pace. */
export async function mouseStroke(page, box, points) {
  const at = ([fx, fy]) => [box.x + box.width * fx, box.y + box.height * fy];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) {
    await page.mouse.move(...at(point), { steps: 3 });
    await pause(20); // signature_pad takes a point at most every 16 ms
  }
  await page.mouse.up();
}

/** The same with a finger: real touch events through Chromium's input pipeline. */
export async function touchStroke(page, cdp, box, points) {
  const at = ([fx, fy]) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(points[0])] });
  for (const point of points.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(point)] });
    await pause(20);
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** A wave from `x0` to `x1` across the pad at height `y`: `n` points. */
export const wave = (x0, x1, y, n = 14) => Array.from({ length: n }, (_, i) => [
  x0 + ((x1 - x0) * i) / (n - 1), y + 0.18 * Math.sin((i / (n - 1)) * Math.PI * 3),
]);

/** The signature pad of the customer's page, scrolled into view, and where it is. */
export async function padBox(page) {
  const pad = page.locator('#pad');
  await pad.evaluate((canvas) => canvas.scrollIntoView({ block: 'center' }));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return pad.boundingBox();
}
