import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, statusSaying } from './browser.mjs';

const PART_TAG_TITLE = '舊品標籤'; // the tag page, from the app's own shell

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the service worker takes control and the shell still opens with the network off', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    await page.goto(`${BASE_URL}/`);
    await statusSaying(page, '系統正常');
    await page.waitForFunction(() => navigator.serviceWorker?.controller?.scriptURL.endsWith('/sw.js'));

    await context.setOffline(true);
    const response = await page.reload();
    assert.ok(response?.fromServiceWorker(), 'the offline reload was not answered by the service worker');
    await page.getByRole('heading', { name: '登入' }).waitFor();
    await statusSaying(page, '離線中');

    // An app route the server never saw opens the shell too, and so does a part tag's link (a
    // technician scanning in a bay without Wi-Fi); the API and the customer's links (progress,
    // booking page, a booking's manage link) do not.
    for (const [path, heading] of [['/board/today', '登入'], ['/q/ABCD2345', PART_TAG_TITLE]]) {
      await page.goto(`${BASE_URL}${path}`);
      await page.getByRole('heading', { name: heading }).waitFor();
    }
    for (const path of ['/api/health', '/t/some-token', '/b/SOMESHOP', '/m/some-token']) {
      await assert.rejects(page.goto(`${BASE_URL}${path}`), `${path} was answered offline`);
    }
  } finally {
    await context.close();
  }
});
