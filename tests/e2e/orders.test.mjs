import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, cutNetwork, launch, openPage, restoreNetwork, screenshot } from './browser.mjs';
import {
  aBusyBoard, aCustomerWithVehicle, anOrder, apiAs, assertLayout, aTechnician, demoLogin, eventually, newMobile, newPlate,
  paidInFull, signInWithPassword, signThroughApi,
} from './shop.mjs';

/** Scroll the screen back to its top (for a screenshot of what a person sees first). */
const scrollToTop = (page) => page.locator('main').evaluate((main) => main.scrollTo(0, 0));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The page's order screen once it shows `state` (zh-TW label) in its badge. */
async function orderInState(page, label) {
  await page.getByTestId('order-state').filter({ hasText: label }).waitFor();
}

test('an advisor opens an order from a new plate, prices it and takes it to delivered on a tablet', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '今日看板' }).waitFor();
    assert.ok(await page.getByText('王店長').isVisible(), 'the header does not name who is signed in');

    // New order: the plate is unknown, so customer and vehicle are made on the same screen.
    await page.getByRole('link', { name: '新工單' }).tap();
    const plate = newPlate();
    await page.getByLabel('車牌').fill(plate.toLowerCase().replace('-', ' '));
    await page.getByText('查無此車牌').waitFor();
    await page.getByRole('button', { name: `新車牌 ${plate.replace('-', '')}：建立車主與車輛` }).tap();

    const mobile = page.getByLabel('手機');
    assert.equal(await mobile.getAttribute('inputmode'), 'tel');
    assert.equal(await page.getByLabel('目前里程（公里）').getAttribute('inputmode'), 'numeric');
    assert.equal(await page.getByLabel('年份').getAttribute('inputmode'), 'numeric');
    // The number first: no customer of the shop has it, so the new customer's fields follow.
    await mobile.fill(newMobile());
    await page.getByText('本店沒有這支手機的客戶，請建立新客戶。').waitFor();
    await page.getByLabel('姓名').fill('陳志明');
    await page.getByRole('button', { name: 'LINE', exact: true }).tap();
    await page.getByRole('checkbox', { name: /個資告知 2026-01 版/ }).check();
    await page.getByLabel('車牌', { exact: true }).last().fill(plate);
    await page.getByLabel('廠牌').fill('Toyota');
    await page.getByLabel('車型').fill('RAV4');
    await page.getByLabel('年份').fill('2021');
    await page.getByRole('button', { name: '油電', exact: true }).tap();
    await page.getByLabel('目前里程（公里）').fill('38500');
    await page.getByLabel('問診（一行一項）').fill('冷氣不冷\n怠速時方向盤抖動');
    await page.getByLabel('預計交車時間').fill('2026-12-01T17:30');
    await page.getByRole('button', { name: '客戶在店等候', exact: true }).tap();
    await assertLayout(page, 'the new order form (tablet)');
    await scrollToTop(page);
    await screenshot(page, 'new-order-tablet');
    await page.getByRole('button', { name: '開立工單' }).tap();

    // The order screen: checked in, with what was typed.
    await page.getByRole('heading', { name: plate }).waitFor();
    await orderInState(page, '已接車');
    for (const text of ['陳志明', 'Toyota RAV4', '冷氣不冷', '怠速時方向盤抖動', '12/1 17:30', '38,500 km']) {
      assert.ok(await page.getByText(text, { exact: false }).first().isVisible(), `"${text}" is not on the order screen`);
    }
    const orderId = decodeURIComponent(new URL(page.url()).hash.split('/').pop());

    // A labour line and a part line; the money is the API's.
    await page.getByRole('button', { name: '新增項目' }).tap();
    assert.equal(await page.getByLabel('每小時工資').getAttribute('inputmode'), 'numeric');
    await page.getByLabel('項目說明').fill('冷氣系統檢查');
    await page.getByLabel('工時（小時）').fill('1.5');
    await page.getByLabel('每小時工資').fill('800');
    await page.getByRole('button', { name: '加入工單' }).tap();
    await page.getByText('冷氣系統檢查', { exact: true }).waitFor();
    await page.getByTestId('total').filter({ hasText: 'NT$1,200' }).waitFor(); // as typed: nothing added

    await page.getByRole('button', { name: '零件', exact: true }).tap();
    await page.getByLabel('項目說明').fill('冷媒 R1234yf');
    await page.getByLabel('料號').fill('R1234YF-500');
    await page.getByLabel('數量').fill('2');
    assert.equal(await page.getByLabel('單價').getAttribute('inputmode'), 'numeric');
    await page.getByLabel('單價').fill('1350');
    await page.getByRole('button', { name: '加入工單' }).tap();
    await page.getByText('冷媒 R1234yf', { exact: true }).waitFor();
    // 1.5 h × 800 = 1,200; 2 × 1,350 = 2,700; total 3,900, tax included (3,714 + 186).
    await page.getByTestId('total').filter({ hasText: 'NT$3,900' }).waitFor();
    assert.equal(await page.getByTestId('tax-included').innerText(), '內含營業稅 NT$186');

    const owner = await apiAs(context.request, login, password);
    const stored = await owner.get(`/api/orders/${orderId}`);
    assert.deepEqual(stored.totals, { total: 3900, sales: 3714, tax: 186 });
    assert.equal(stored.customer.name, '陳志明');
    assert.equal(stored.vehicle.plate, plate);
    assert.equal(new Date(stored.promised_at).toISOString(), '2026-12-01T09:30:00.000Z', '17:30 in Taipei');
    assert.equal(stored.waits_in_shop, true);
    await assertLayout(page, 'the order screen (tablet)');
    await scrollToTop(page);
    await screenshot(page, 'order-tablet');

    // The steps, each from the big buttons the API offers; the customer signs the authorization
    // and the checkout list (on this tablet in signing.test.mjs; through the API here).
    // Before 待交車 the work is done and the final check passed; before 交車 the car is walked
    // around with the customer.
    for (const [button, label] of [
      ['客戶已委修', '已委修'], ['開始維修', '維修中'], ['送品檢', '品檢中'],
      ['品檢通過，待交車', '待交車'], ['交車', '已交車'],
    ]) {
      const document = { 客戶已委修: 'authorization', 交車: 'checkout' }[button];
      if (button === '品檢通過，待交車') {
        const done = page.getByRole('button', { name: '完工', exact: true });
        for (let left = await done.count(); left > 0; left -= 1) {
          await done.first().tap();
          await eventually(async () => (await done.count()) < left, 'a line marked done');
        }
        const check = page.getByRole('region', { name: '品檢' });
        for (const item of await check.getByRole('group').all()) {
          await item.getByRole('button', { name: '通過', exact: true }).tap();
        }
        await check.getByLabel('試車里程（公里）').fill('3');
        await check.getByRole('button', { name: '送出品檢結果' }).tap();
        await check.getByText(/品檢通過/).waitFor();
      }
      if (button === '交車') {
        const walk = page.getByRole('region', { name: '交車檢查' });
        await walk.getByText('貴重物品已歸還（或車內沒有貴重物品）').tap();
        await walk.getByRole('button', { name: '完成交車檢查' }).tap();
        await walk.getByTestId('handover-done').waitFor();
      }
      if (document) await signThroughApi(owner, orderId, document);
      if (button === '交車') await paidInFull(owner, orderId); // at the counter (checkout.test.mjs)
      await page.getByRole('button', { name: button, exact: true }).tap();
      await orderInState(page, label);
    }
    assert.equal(await page.getByRole('button', { name: '取消工單' }).count(), 0, 'a delivered order offers cancel');
    const history = page.locator('.history li');
    assert.equal(await history.count(), 10, 'one event for the check-in, one per step, one per signature, the final check and the walk-around');
    assert.match(await history.last().innerText(), /王店長[\s\S]*待交車 → 已交車/);

    // The board shows it among today's delivered orders, beside other cars of the day.
    await aBusyBoard(owner, await aTechnician(context.request, owner, "周技師"));
    await page.getByRole('link', { name: '看板' }).tap();
    await page.getByRole('heading', { name: '今日看板' }).waitFor();
    const delivered = page.locator('[data-state="delivered"]');
    const card = delivered.getByRole('link').filter({ hasText: plate });
    await card.waitFor();
    assert.match(await card.innerText(), /陳志明[\s\S]*NT\$3,900/);
    const board = await owner.get('/api/board');
    assert.equal(await page.getByTestId('count-delivered').innerText(), String(board.counts.delivered ?? 0));
    await assertLayout(page, 'the board (tablet)');
    await screenshot(page, 'board-tablet');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a plate typed without its hyphen finds the car on file, and a number on file offers its owner: nothing twice', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '黃志豪', make: 'Mazda', model: 'CX-5' });
    const national = `0${car.customer.mobile.replace(/^\+886/, '')}`;

    await page.goto(`${BASE_URL}/#/orders/new`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '開立工單' }).waitFor();
    // Typed as a person types it: no hyphen. The car on file is offered, and no "new plate".
    const typed = car.vehicle.plate.replace('-', '');
    await page.getByLabel('車牌').fill(typed);
    await page.getByRole('button', { name: new RegExp(`${car.vehicle.plate}.*CX-5.*黃志豪`) }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^新車牌/ }).count(), 0, 'a registered plate was offered as new');

    // A second car of theirs: a new plate, but their number is on file, so they are offered.
    const plate = newPlate();
    await page.getByLabel('車牌').fill(plate.replace('-', ''));
    await page.getByRole('button', { name: `新車牌 ${plate.replace('-', '')}：建立車主與車輛` }).tap();
    await page.getByLabel('手機').fill(national);
    await page.getByRole('button', { name: new RegExp(`黃志豪.*${national.slice(0, 4)}`) }).tap();
    await page.locator('.picked').filter({ hasText: '黃志豪' }).waitFor();
    assert.equal(await page.getByLabel('姓名').count(), 0, 'a new customer was offered for a number on file');
    await page.getByLabel('廠牌').fill('Toyota');
    await page.getByLabel('車型').fill('Yaris');
    // Then changed to the plate on file: that car is offered instead of a second one.
    const plateField = page.getByLabel('車牌', { exact: true }).last();
    await plateField.fill(typed.toLowerCase());
    await page.getByRole('button', { name: '開立工單' }).tap();
    await page.getByText(`車牌 ${car.vehicle.plate} 已經登錄在本店，請直接選這輛車。`).waitFor();
    await page.getByRole('button', { name: `改選 ${car.vehicle.plate}（Mazda CX-5）` }).waitFor();
    await plateField.fill(plate);
    await page.getByRole('button', { name: '開立工單' }).tap();

    await page.getByRole('heading', { name: plate }).waitFor();
    await orderInState(page, '已接車');
    const { customers } = await owner.get(`/api/customers?phone=${national}`);
    assert.deepEqual(customers.map((c) => c.customer_id), [car.customer.customer_id], 'a second customer with the number');
    const owned = await owner.get(`/api/customers/${car.customer.customer_id}`);
    assert.deepEqual(owned.vehicles.map((v) => v.plate).sort(), [car.vehicle.plate, plate].sort());
  } finally {
    await context.close();
  }
});

test('checking in a booked car already in the shop offers its open order instead of a second one', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '劉家豪', make: 'Honda', model: 'HR-V' });
    const open = await anOrder(owner, car); // opened at the counter from the plate
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await owner.post('/api/appointments', {
      appointment_id: randomUUID(), at: `${today}T17:45:00+08:00`, duration_minutes: 60,
      purpose: '冷氣檢查', source: 'phone', customer_id: car.customer.customer_id,
      vehicle_id: car.vehicle.vehicle_id,
    });

    await page.goto(`${BASE_URL}/#/appointments`);
    await signInWithPassword(page, login, password);
    const row = page.locator('.appointment').filter({ hasText: car.vehicle.plate });
    await row.getByRole('button', { name: '報到開單' }).tap();
    await page.getByText(`這輛車還有未結案的工單 ${open.number}（已接車）`).waitFor();
    await page.getByRole('link', { name: `開啟工單 ${open.number}` }).tap();
    await page.getByRole('heading', { name: car.vehicle.plate }).waitFor();
    assert.equal(decodeURIComponent(new URL(page.url()).hash.split('/').pop()), open.order_id);
    const { orders } = await owner.get(`/api/vehicles/${car.vehicle.vehicle_id}`);
    assert.deepEqual(orders.map((o) => o.order_id), [open.order_id], 'a second order was opened');
  } finally {
    await context.close();
  }
});

test('a step refused by the API shows its message and the order as another tablet left it', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const order = await anOrder(owner, await aCustomerWithVehicle(owner));

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await orderInState(page, '已接車');
    // The documents' drafts come after the order: once they are in, the steps stay put (a tap
    // while they arrive could land on the signing link that pushes the buttons down).
    await page.getByRole('link', { name: '請客戶簽署委修確認單' }).waitFor();
    await page.getByRole('button', { name: '同意', exact: true }).waitFor();
    // Someone else cancels it on another tablet; this one still offers the old next steps.
    await owner.post(`/api/orders/${order.order_id}/transitions`, { to: 'cancelled', client_id: randomUUID() });
    await page.getByRole('button', { name: '客戶已委修' }).tap();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    const expected = await context.request.post(`${BASE_URL}/api/orders/${order.order_id}/transitions`, {
      data: { to: 'authorized', client_id: randomUUID() }, headers: { Authorization: `Bearer ${owner.session.access_token}`, 'Accept-Language': 'zh-TW' },
    });
    assert.equal(expected.status(), 409);
    const { message } = (await expected.json()).error;
    assert.equal(await alert.innerText(), message);
    // The refused step did not land: the screen reads the order again and shows it cancelled.
    await orderInState(page, '已取消');
    assert.equal(await alert.innerText(), message, 'the message is still shown after the re-read');
    // A closed order offers no change the API would refuse: no line decisions, no new line.
    await page.getByText('此工單目前沒有可進行的下一步').waitFor();
    assert.equal(await page.getByRole('button', { name: '同意', exact: true }).count(), 0);
    assert.equal(await page.locator('.line-actions').count(), 0);
    assert.equal((await owner.get(`/api/orders/${order.order_id}`)).state, 'cancelled');
  } finally {
    await context.close();
  }
});

test('the board and an order fit a phone (390×844): columns scroll sideways one at a time', async () => {
  const { context, page } = await openPage(browser, 'phone');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const order = await anOrder(owner, await aCustomerWithVehicle(owner, { name: '張雅婷', make: 'Honda', model: 'CR-V' }));
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'part', description: '煞車來令片（前）', part_number: 'BP-0421', quantity: 1, unit_price: 2400,
    });

    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '今日看板' }).waitFor();
    const column = page.locator('[data-state="checked_in"]');
    const card = column.getByRole('link').filter({ hasText: order.vehicle.plate });
    await card.waitFor();
    await page.getByRole('button', { name: /^已接車 \d+$/ }).tap();
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-state="checked_in"]').getBoundingClientRect();
      return box.left >= 0 && box.right <= innerWidth;
    });
    await assertLayout(page, 'the board (phone)');
    await screenshot(page, 'board-phone');

    // Pull to refresh, from the top of the board: the board asks the API again.
    await scrollToTop(page);
    // A real touch gesture (Chromium's input pipeline), down from the top of the board.
    const box = await page.locator('section[aria-labelledby="board-title"]').boundingBox();
    const x = box.x + box.width / 2;
    const cdp = await context.newCDPSession(page);
    const touch = (type, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: y === null ? [] : [{ x, y }] });
    await touch('touchStart', box.y + 80);
    for (const dy of [30, 60, 90, 120]) await touch('touchMove', box.y + 80 + dy);
    await page.getByText('放開即可更新').waitFor();
    const asked = page.waitForRequest((request) => request.url().includes('/api/board'));
    await touch('touchEnd', null);
    await asked;

    await card.tap();
    await page.getByRole('heading', { name: order.vehicle.plate }).waitFor();
    // 1.5 h × 800 = 1,200 and 2,400 of parts: 3,600, tax included.
    await page.getByTestId('total').filter({ hasText: 'NT$3,600' }).waitFor();
    await assertLayout(page, 'the order screen (phone)');
    await screenshot(page, 'order-phone');
  } finally {
    await context.close();
  }
});

test('with no network a new line waits in the queue, survives a reload and is sent once the network is back', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const order = await anOrder(owner, await aCustomerWithVehicle(owner));

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await orderInState(page, '已接車');
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);

    await cutNetwork(context);
    await page.getByRole('button', { name: '新增項目' }).tap();
    await page.getByLabel('項目說明').fill('輪胎對調');
    await page.getByLabel('工時（小時）').fill('0.5');
    await page.getByLabel('每小時工資').fill('800');
    await page.getByRole('button', { name: '加入工單' }).tap();
    await page.getByText('已存入待上傳，連線後自動送出。').waitFor();
    await page.getByText('1 筆待上傳').waitFor();

    // Closed and opened again with no network: the write is still there (IndexedDB).
    await page.reload();
    await page.getByText('1 筆待上傳').waitFor();
    assert.equal((await owner.get(`/api/orders/${order.order_id}`)).lines.length, 1, 'sent while offline?');

    await restoreNetwork(context);
    await page.getByText('1 筆待上傳').waitFor({ state: 'detached' });
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(stored.lines.map((line) => line.description), ['前輪煞車來令片更換', '輪胎對調']);
    assert.deepEqual(stored.totals, { total: 1600, sales: 1524, tax: 76 }); // the lines: nothing added
  } finally {
    await context.close();
  }
});
