import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrder, apiAs, assertLayout, aTechnician, demoLogin, signInWithPassword,
  signThroughApi,
} from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Tap the PIN's digits on the numeric pad. */
async function typePin(page, pin) {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).tap();
}

test('a registered shop tablet switches person with two taps and a PIN', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const technician = await aTechnician(context.request, owner, "李技師");

    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '今日看板' }).waitFor();
    await page.getByRole('link', { name: '設定' }).tap();
    await page.getByLabel('平板名稱').fill('接待櫃台 1 號');
    await assertLayout(page, 'settings (tablet)');
    await page.getByRole('button', { name: '登記此平板' }).tap();
    await page.getByText('此平板已登記為「接待櫃台 1 號」').waitFor();
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('servicelane.device')));
    assert.equal(stored.name, '接待櫃台 1 號');
    assert.ok(stored.device_secret, 'the device secret is not kept on the tablet');

    // Switch person: the shop's staff as big buttons.
    await page.getByRole('button', { name: '切換人員' }).tap();
    await page.getByRole('heading', { name: '誰要使用這台平板？' }).waitFor();
    const person = page.getByRole('button', { name: new RegExp(technician.name) });
    await person.waitFor();
    assert.ok(await page.getByRole('button', { name: /王店長/ }).isVisible(), 'the owner is not among the staff buttons');
    await assertLayout(page, 'the staff buttons (tablet)');
    await screenshot(page, 'sign-in-pin-tablet');

    await person.tap();
    await page.getByRole('heading', { name: `${technician.name}，請輸入 PIN` }).waitFor();
    await assertLayout(page, 'the PIN pad (tablet)');
    await screenshot(page, 'pin-pad-tablet');

    // A wrong PIN is refused with the API's message, and the pad is cleared for another try.
    const wrong = technician.pin === '000000' ? '111111' : '000000';
    await typePin(page, wrong);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.notEqual((await alert.innerText()).trim(), '');
    assert.match(await page.getByRole('img', { name: /PIN/ }).getAttribute('aria-label'), /0\/6$/);

    await typePin(page, technician.pin);
    await page.getByRole('heading', { name: '我的工作' }).waitFor();
    assert.ok(await page.locator('.header').getByText(technician.name).isVisible(), 'the header does not name the technician');
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('servicelane.session')));
    assert.equal(session.staff.staff_id, technician.staff_id);
    assert.equal(session.access_token, undefined, 'the access token must stay in memory');

    // And back to the staff buttons for the next person.
    await page.getByRole('button', { name: '切換人員' }).tap();
    await page.getByRole('heading', { name: '誰要使用這台平板？' }).waitFor();
  } finally {
    await context.close();
  }
});

test("a technician's job list on a phone: by order with plate and number, what to do, and done in one tap", async () => {
  const { context, page } = await openPage(browser, 'phone');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const technician = await aTechnician(context.request, owner, "黃技師");
    const order = await anOrder(owner, await aCustomerWithVehicle(owner, { name: '吳宗翰', make: 'Mazda', model: 'CX-5' }));
    const line = order.lines[0];
    // The customer signs the authorization; the advisor dispatches the work; work starts.
    await signThroughApi(owner, order.order_id, 'authorization');
    await owner.post(`/api/orders/${order.order_id}/transitions`, { to: 'authorized', client_id: randomUUID() });
    await owner.post(`/api/orders/${order.order_id}/dispatch`, { technician_id: technician.staff_id });
    await owner.post(`/api/orders/${order.order_id}/transitions`, { to: 'in_progress', client_id: randomUUID() });

    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, technician.mobile, technician.password);
    await page.getByRole('heading', { name: '我的工作' }).waitFor();
    // The jobs by order: the plate and the order's number, then each job with its buttons.
    const group = page.getByRole('region', { name: order.vehicle.plate });
    await group.waitFor();
    assert.match(await group.innerText(), new RegExp(order.number));
    const job = group.getByTestId('job').filter({ hasText: '前輪煞車來令片更換' });
    await job.getByRole('button', { name: '開始' }).waitFor();
    await assertLayout(page, 'the job list (phone)');
    await screenshot(page, 'jobs-phone');

    // Finished without the clock started (the technician forgot): one tap, folded away.
    await job.getByRole('button', { name: '完成' }).tap();
    await group.getByText('已完成 1 項').waitFor();
    const { jobs } = await technician.api.get('/api/jobs');
    assert.equal(jobs.find((j) => j.line.line_id === line.line_id)?.line.state, 'done');
  } finally {
    await context.close();
  }
});

test("today's appointments: add one from a plate, then check it in to an order with one tap", async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const { vehicle } = await aCustomerWithVehicle(owner, { name: '蔡佩君', make: 'Nissan', model: 'Kicks' });

    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, login, password);
    await page.getByRole('link', { name: '預約表' }).tap();
    await page.getByRole('heading', { name: '預約表' }).waitFor();
    // The day's list (the demo shop's bookings) first: tapping while it loads could land on a
    // row's check-in button as the list pushes the add button down.
    await page.locator('.appointment').first().waitFor();
    await page.getByRole('button', { name: '新增預約' }).tap();
    await page.getByLabel('車輛（以車牌查詢）').fill(vehicle.plate.slice(0, 5));
    await page.getByRole('button', { name: new RegExp(vehicle.plate) }).tap();
    // 14:30: the demo day's 10:30 is full (two cars in a slot that takes two).
    await page.getByLabel(/^時間/).fill('14:30');
    await page.getByLabel('預約項目').fill('四萬公里定期保養');
    await page.getByRole('button', { name: 'LINE', exact: true }).tap();
    await page.getByLabel('需預備零件').fill('機油濾芯、空氣濾芯');
    await assertLayout(page, 'the appointment form (tablet)');
    await page.getByRole('button', { name: '加入預約表' }).tap();

    const row = page.locator('.appointment').filter({ hasText: vehicle.plate });
    await row.waitFor();
    assert.match(await row.innerText(), /14:30[\s\S]*蔡佩君 · 四萬公里定期保養[\s\S]*LINE · 60 分鐘 · 機油濾芯、空氣濾芯/);
    await assertLayout(page, 'the appointments (tablet)');
    await screenshot(page, 'appointments-tablet');

    await row.getByRole('button', { name: '報到開單' }).tap();
    await page.getByRole('heading', { name: vehicle.plate }).waitFor();
    await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();
  } finally {
    await context.close();
  }
});
