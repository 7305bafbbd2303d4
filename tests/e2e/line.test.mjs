import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, eventually, signInWithPassword } from './shop.mjs';

// The LINE stand-in `python -m devstack test browser` starts beside the product (devstack/line_standin.py).
const LINE = (process.env.SL_LINE_STANDIN ?? 'http://127.0.0.1:8003').replace(/\/$/, '');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** What the customer types on the stand-in's phone page: posted to the API's webhook, signed as LINE signs. */
async function customerTypes(request, userId, text) {
  const answer = await request.post(`${LINE}/send`, { form: { text, user: userId }, maxRedirects: 0 });
  assert.equal(answer.status(), 303);
}

/** What the stand-in received from the API (each request's path, headers and JSON body). */
async function lineReceived(request) {
  return (await request.get(`${LINE}/sent`)).json();
}

test('a customer writes on LINE: the order shows it with a badge, the advisor replies from the tablet and LINE receives it', async () => {
  const tablet = await openPage(browser, 'tablet');
  const phone = await openPage(browser, 'phone');
  const { page } = tablet;
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(tablet.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '周怡君', make: 'Mazda', model: 'CX-5' });
    const order = await anOrder(owner, car);
    const userId = `U${randomUUID().replaceAll('-', '')}`;

    // The customer links LINE with the counter's code, then asks about the car.
    const link = await owner.get(`/api/customers/${car.customer.customer_id}/line-link`);
    await customerTypes(tablet.context.request, userId, `綁定通知 ${link.code}`);
    await eventually(async () => (await owner.get(`/api/customers/${car.customer.customer_id}`)).line_linked_at, 'the LINE link');
    await customerTypes(tablet.context.request, userId, '請問車子今天下午好得了嗎？');

    // The board's header counts it (opening the conversation reads it, so the badge first).
    await page.goto(`${BASE_URL}/#/board`);
    await signInWithPassword(page, login, password);
    const badge = page.getByTestId('inbox-count');
    await badge.waitFor();
    assert.ok(Number(await badge.innerText()) >= 1);
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);

    const panel = page.getByTestId('conversation');
    await panel.getByText('請問車子今天下午好得了嗎？').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'line-order-conversation');
    // Opened, the conversation is read: it leaves the inbox.
    await eventually(async () => !(await owner.get('/api/inbox')).conversations
      .some((entry) => entry.customer_id === car.customer.customer_id), 'the conversation read');

    const reply = '您好，下午四點前可以取車，完成會再通知您。';
    await panel.getByLabel('回覆').fill(reply);
    await panel.getByRole('button', { name: '回覆', exact: true }).tap();
    await panel.getByTestId('chat-out').filter({ hasText: reply }).waitFor();
    const pushed = await eventually(async () => (await lineReceived(tablet.context.request))
      .find((sent) => sent.path === '/v2/bot/message/push' && sent.json?.to === userId), 'the push to LINE');
    assert.deepEqual(pushed.json.messages, [{ type: 'text', text: reply }]);
    assert.match(pushed.headers['x-line-retry-key'], /^[0-9a-f-]{36}$/);
    assert.equal(pushed.headers.authorization.startsWith('Bearer '), true);
    await assertLayout(page, 'the order with its LINE conversation');
    await screenshot(page, 'line-order-replied');

    // Another message: the badge counts it, and the inbox lists the customer.
    await customerTypes(tablet.context.request, userId, '好的，謝謝！');
    await page.goto(`${BASE_URL}/#/inbox`);
    const item = page.getByTestId('inbox-item').filter({ hasText: '周怡君' });
    await item.waitFor();
    await assertLayout(page, 'the LINE inbox');
    await screenshot(page, 'line-inbox');
    await item.tap();
    await page.getByTestId('conversation').getByText('好的，謝謝！').waitFor();
    await page.getByTestId('inbox-count').waitFor({ state: 'detached' }); // read: the badge clears
    // The customer screen at a phone's width: the bubbles and the reply box fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('conversation').scrollIntoViewIfNeeded();
    await assertLayout(page, 'the customer screen with the conversation on a phone');
    await screenshot(page, 'line-customer-phone');

    // What the customer's phone shows: their messages and the shop's reply.
    await phone.page.goto(`${LINE}/?user=${userId}`);
    await phone.page.getByText(reply).first().waitFor();
    await screenshot(phone.page, 'line-standin-phone');
    assert.deepEqual(errors, []);
  } finally {
    await tablet.context.close();
    await phone.context.close();
  }
});
