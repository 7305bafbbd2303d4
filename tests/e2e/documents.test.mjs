// The checkout list and the old parts: an old part moved after the customer signed the list sets
// the signature aside, and the order screen says the list must be signed again, and why.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword, signThroughApi,
} from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an old part moved after the checkout list was signed: the order screen asks for a new signature', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '周怡君', make: 'Honda', model: 'Fit' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'part', description: '機油濾芯', part_number: 'OF-15400', quantity: 1, unit_price: 350 },
    ]);
    await moveTo(owner, order.order_id, 'authorized', 'in_progress', 'quality_check', 'ready');
    const tag = await owner.post('/api/parts', {
      tag_id: randomUUID(), order_id: order.order_id, part_name: '舊機油濾芯', wish: 'dispose',
    });
    const signed = await signThroughApi(owner, order.order_id, 'checkout');
    await owner.post(`/api/parts/${tag.code}/events`, { event_id: randomUUID(), to: 'held', location: '回收區' });

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').filter({ hasText: '待交車' }).waitFor();
    const checkout = page.locator('li.document[data-kind="checkout"]');
    await checkout.getByText('需重新簽署', { exact: true }).waitFor();
    await checkout.getByRole('alert').filter({ hasText: '舊機油濾芯' }).waitFor();
    await checkout.getByText(/已作廢/).waitFor(); // the signed version, kept and marked
    // The list can be signed again at once: the next step on the screen.
    await page.getByRole('link', { name: '請客戶簽署結帳清單' }).waitFor();
    assert.equal(await page.getByTestId('integrity-alert').count(), 0); // nothing was tampered with
    await assertLayout(page, 'the order screen with a checkout list to sign again');

    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.signed.checkout, undefined);
    assert.equal(stored.signatures.find((s) => s.signature_id === signed.signature_id).superseded_reason.code, 'old_part_changed');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
