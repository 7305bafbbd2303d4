import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'not a PNG');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

async function loadPng(context, url) {
  const response = await context.request.get(url);
  assert.equal(response.status(), 200, `${url} did not load`);
  assert.match(response.headers()['content-type'] ?? '', /^image\/png/, `${url} is not served as PNG`);
  return pngSize(await response.body());
}

test('the manifest is linked and its 192 and 512 icons load at their stated sizes', async () => {
  const { context, page } = await openPage(browser, 'phone');
  try {
    await page.goto(`${BASE_URL}/`);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.ok(href, 'no <link rel="manifest">');
    const manifestUrl = new URL(href, page.url());
    const response = await context.request.get(manifestUrl.href);
    assert.equal(response.status(), 200);
    const manifest = await response.json();

    assert.equal(manifest.name, 'ServiceLane 服務接待');
    assert.equal(manifest.short_name, 'ServiceLane');
    assert.equal(manifest.lang, 'zh-Hant-TW');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    assert.equal(await page.locator('meta[name="theme-color"]').getAttribute('content'), manifest.theme_color);

    const declared = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`).sort();
    assert.deepEqual(declared, ['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of manifest.icons) {
      assert.equal(await loadPng(context, new URL(icon.src, manifestUrl).href), icon.sizes);
    }

    const appleIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
    assert.equal(await loadPng(context, new URL(appleIcon, page.url()).href), '180x180');
  } finally {
    await context.close();
  }
});
