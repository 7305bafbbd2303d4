// The invitation list (邀約回廠名單) on two tablets and a phone: the advisor calls one customer and
// records the outcome, sends another the invitation by SMS (it lands in the outbox), the rows
// leave the to-do list, and the second tablet sees them contacted; a customer who said no to
// marketing shows it on the row and the message buttons stay off.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request as apiRequest } from 'playwright-core';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, signInWithPassword, withDemoShopSettings,
} from './shop.mjs';

let browser, requests, owner;
before(async () => {
  browser = await launch();
  requests = await apiRequest.newContext();
  const { login, password } = demoLogin();
  owner = await apiAs(requests, login, password);
});
after(async () => {
  await browser?.close();
  await requests?.dispose();
});

/** Taipei's date `days` from today. */
function taipeiDay(days) {
  const at = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(at);
}

/** A customer's car (with an order, so a message has one to hang on) whose inspection and
 * insurance fall due in `days`. */
async function aCarDue(name, days, customerChange) {
  const car = await aCustomerWithVehicle(owner, { name, make: 'Honda', model: 'CR-V' });
  if (customerChange) await owner.patch(`/api/customers/${car.customer.customer_id}`, customerChange);
  await anOrder(owner, car);
  await owner.patch(`/api/vehicles/${car.vehicle.vehicle_id}`, {
    inspection_due_on: taipeiDay(days), insurance_due_on: taipeiDay(days + 2),
  });
  return car;
}

test('the advisor works through the invitation list and the second tablet sees who was contacted', async () => {
  const called = await aCarDue('邱建宏', 3);
  const texted = await aCarDue('賴淑芬', 5);
  const noMarketing = await aCarDue('郭俊傑', 6, { marketing: { agreed: false, method: 'tablet' } });

  const first = await openPage(browser, 'tablet');
  await first.page.goto(`${BASE_URL}/#/invitations`);
  await signInWithPassword(first.page, demoLogin().login, demoLogin().password);
  await first.page.goto(`${BASE_URL}/#/invitations`);
  const calledRow = first.page.locator(`[data-vehicle="${called.vehicle.vehicle_id}"]`);
  await calledRow.waitFor();
  assert.match(await calledRow.innerText(), /驗車/);
  assert.match(await calledRow.innerText(), /保險到期/);
  const call = calledRow.getByRole('link', { name: /打電話/ });
  const digits = called.customer.mobile.replace(/\D/g, '').slice(-8);
  assert.match(await call.getAttribute('href'), new RegExp(`^tel:\\+?\\d*${digits}$`));
  assert.ok(!(await call.innerText()).includes(digits), 'the number shows masked on the row');
  const refusedRow = first.page.locator(`[data-vehicle="${noMarketing.vehicle.vehicle_id}"]`);
  await refusedRow.getByText('不接受行銷訊息').waitFor();
  assert.ok(await refusedRow.getByRole('button', { name: '傳簡訊' }).isDisabled());
  await assertLayout(first.page, 'the invitation list');
  await screenshot(first.page, 'invitations-tablet');

  // The call: no answer, try again on a later day.
  await calledRow.getByRole('button', { name: '記錄結果' }).tap();
  await calledRow.getByLabel('下次聯絡日期（沒接或再聯絡時可填）').fill(taipeiDay(2));
  await calledRow.getByLabel('備註').fill('響很久沒人接');
  await calledRow.getByRole('button', { name: '號碼錯誤' }).scrollIntoViewIfNeeded();
  await assertLayout(first.page, 'the outcome buttons');
  await screenshot(first.page, 'invitations-outcome-tablet');
  await calledRow.getByRole('button', { name: '沒接' }).tap();
  const doneList = first.page.locator('.invitation-done');
  await doneList.locator(`[data-vehicle="${called.vehicle.vehicle_id}"]`).waitFor();
  assert.equal(await first.page.locator(`.invitation-list:not(.invitation-done) [data-vehicle="${called.vehicle.vehicle_id}"]`).count(), 0);

  // The SMS, outside quiet hours whatever the time of the run.
  const rules = await owner.get('/api/shop/notification-settings');
  await withDemoShopSettings(async () => {
    await owner.patch('/api/shop/notification-settings', { quiet_start: '00:00', quiet_end: '00:00' });
    try {
      const textedRow = first.page.locator(`.invitation-list:not(.invitation-done) [data-vehicle="${texted.vehicle.vehicle_id}"]`);
      await textedRow.getByRole('button', { name: '傳簡訊' }).tap();
      await textedRow.waitFor({ state: 'detached' });
    } finally {
      await owner.patch('/api/shop/notification-settings', { quiet_start: rules.quiet_start, quiet_end: rules.quiet_end });
    }
  });
  const outbox = await (await first.context.request.get(`${BASE_URL}/dev/outbox`)).text();
  assert.match(outbox, /賴淑芬 您好/);

  // The second tablet: both are contacted, with who did it.
  const second = await openPage(browser, 'tablet');
  await second.page.goto(`${BASE_URL}/#/invitations`);
  await signInWithPassword(second.page, demoLogin().login, demoLogin().password);
  await second.page.goto(`${BASE_URL}/#/invitations`);
  const seen = second.page.locator(`.invitation-done [data-vehicle="${called.vehicle.vehicle_id}"]`);
  await seen.waitFor();
  assert.match(await seen.innerText(), /上次聯絡：.*電話，沒接/);
  assert.match(await second.page.locator(`.invitation-done [data-vehicle="${texted.vehicle.vehicle_id}"]`).innerText(), /簡訊，已傳送/);
  // Recording the same car again is refused, naming who called.
  await assert.rejects(owner.post(`/api/invitations/${called.vehicle.vehicle_id}/contacts`, {
    client_id: crypto.randomUUID(), method: 'call', outcome: 'later',
  }), /answered 409: .*already_contacted/);
  await second.context.close();
  await first.context.close();

  const phone = await openPage(browser, 'phone');
  await phone.page.goto(`${BASE_URL}/#/board`);
  await signInWithPassword(phone.page, demoLogin().login, demoLogin().password);
  // The phone's nav has no 邀約 tab: the board links to it.
  await phone.page.getByRole('link', { name: '邀約', exact: true }).tap();
  await phone.page.locator(`[data-vehicle="${noMarketing.vehicle.vehicle_id}"]`).waitFor();
  await assertLayout(phone.page, 'the invitation list on a phone');
  await screenshot(phone.page, 'invitations-phone');
  await phone.context.close();
});
