import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, statusSaying } from './browser.mjs';

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

    // An app route the server never saw opens the shell too; the API and customer links do not.
    await page.goto(`${BASE_URL}/board/today`);
    await page.getByRole('heading', { name: '登入' }).waitFor();
    for (const path of ['/api/health', '/q/some-token', '/t/some-tag']) {
      await assert.rejects(page.goto(`${BASE_URL}${path}`), `${path} was answered offline`);
    }
  } finally {
    await context.close();
  }
});
