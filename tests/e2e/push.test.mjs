import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, pushToWorker, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, demoLogin, eventually, moveTo, signInWithPassword,
  signThroughApi,
} from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A subscription as a browser would send it, on a real push service's host (nothing is posted
 * there: locally the push channel delivers to the outbox). */
function aSubscription() {
  const keys = createECDH('prime256v1');
  keys.generateKeys();
  return {
    endpoint: `https://fcm.googleapis.com/fcm/send/e2e-${randomBytes(8).toString('hex')}`,
    expirationTime: null,
    keys: { p256dh: keys.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

test('on a phone the link offers 通知我, the service worker shows a pushed notification, and the advisor sees it read', async () => {
  const staff = await openPage(browser, 'tablet');
  const phone = await openPage(browser, 'phone');
  const { page, context } = phone;
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(staff.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '陳怡君', make: 'Honda', model: 'CR-V' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '更換機油與機油芯', hours: 1, rate: 800 },
    ]);
    await signThroughApi(owner, order.order_id, 'authorization');
    await moveTo(owner, order.order_id, 'authorized', 'in_progress');
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    const path = new URL(link.url).pathname;

    // The page registers its service worker; where the browser can take push, the button shows.
    await page.goto(`${BASE_URL}${path}`);
    const section = page.locator('section#push[data-ready="1"]');
    await section.waitFor();
    const notifyMe = page.getByRole('button', { name: /有進度時通知我/ });
    assert.ok(await notifyMe.isVisible());
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, script: registration.active?.scriptURL };
    });
    assert.deepEqual(worker, { scope: `${BASE_URL}/t/`, script: `${BASE_URL}/t/sw.js` });
    await screenshot(page, 'customer-push-phone');

    // Subscribing needs the browser's push service (FCM for Chromium), which this machine cannot
    // reach: the page says so plainly instead of failing silently.
    await context.grantPermissions(['notifications'], { origin: BASE_URL });
    await notifyMe.click();
    await page.locator('#pushmsg').filter({ hasText: '無法開啟通知' }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#pushmsg').innerText(), /LINE 或簡訊/);

    // A subscription as Chromium would have sent it; the next step goes out on push (locally:
    // to the outbox), once.
    const stored = await page.evaluate(async ([at, body]) => {
      const answer = await fetch(`${at}/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return answer.json();
    }, [path, aSubscription()]);
    assert.deepEqual(stored, { subscribed: true });
    await moveTo(owner, order.order_id, 'awaiting_approval');
    const pushed = await eventually(async () => (await owner.get(`/api/orders/${order.order_id}`))
      .messages?.find((message) => message.message_id === 'awaiting_approval.push' && message.state === 'sent'),
    'the push message');
    assert.equal(pushed.channel, 'push');

    // The push service delivers to the service worker (through DevTools): it shows the notification.
    const payload = {
      title: '追加項目待確認', body: '【順安汽車保養廠】您的愛車有追加維修項目等待您確認',
      url: link.url, message_id: 'awaiting_approval.push', tag: order.order_id,
    };
    const shown = await pushToWorker(context, page, `${BASE_URL}/t/`, payload);
    assert.deepEqual(shown, [{ title: payload.title, body: payload.body, data: { url: link.url, id: 'awaiting_approval.push' } }]);

    // Tapping it opens the link and the service worker tells the shop (the same request, sent
    // here from the page: DevTools cannot tap a notification).
    const read = await page.evaluate(async (at) => {
      const answer = await fetch(`${at}/messages/read`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message_id: 'awaiting_approval.push' }) });
      return answer.json();
    }, path);
    assert.ok(read.read_at);

    // The advisor's order screen: the push message, read, with the time.
    await staff.page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(staff.page, login, password);
    const messages = staff.page.getByTestId('order-messages');
    const readTag = messages.locator('li.message').filter({ hasText: '網頁推播' }).getByTestId('message-read');
    await readTag.waitFor();
    assert.match(await readTag.innerText(), /^已讀 \d/);
    await messages.scrollIntoViewIfNeeded();
    await screenshot(staff.page, 'order-messages-read-tablet');
    assert.deepEqual(errors, []);
  } finally {
    await staff.context.close();
    await phone.context.close();
  }
});
