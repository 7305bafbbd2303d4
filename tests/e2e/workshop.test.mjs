// The workshop floor end to end: the technician on a phone finds a problem and photographs it
// with the network cut, the advisor sees it on the board without reloading and prices it, the
// customer's answer brings it back to the technician's list, time starts and stops, and the
// final check fails once and passes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_URL, cutNetwork, launch, openPage, pushToWorker, restoreNetwork, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, aTechnician, demoLogin, eventually, moveTo,
  signInWithPassword, signThroughApi,
} from './shop.mjs';
import { mouseStroke, padBox, touchStroke, wave } from './pad.mjs';
import { cameraShots, tapCounter } from './touch.mjs';

let browser;
let photoDir;
before(async () => {
  browser = await launch();
  photoDir = mkdtempSync(join(tmpdir(), 'workshop-photos-'));
});
after(async () => {
  await browser?.close();
  if (photoDir) rmSync(photoDir, { recursive: true, force: true });
});

const jobRow = (page, description) => page.getByTestId('job').filter({ hasText: description });

test('a finding with a photo goes from the phone to the board to the customer and back; time and the final check', async () => {
  const phone = await openPage(browser, 'phone');
  const tablet = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(phone.context.request, login, password);
    const technician = await aTechnician(phone.context.request, owner, '阿明師傅');
    const car = await aCustomerWithVehicle(owner, { name: '黃志明', make: 'Honda', model: 'CR-V' });
    const promisedAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    let order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '更換機油與機油芯', hours: 0.5, rate: 1200 },
      { kind: 'discount', description: '老客戶折扣', amount: 100 },
    ], { promisedAt });
    // A scratch on record at check-in: the delivery walk-around shows it beside the car.
    await owner.patch(`/api/orders/${order.order_id}/inspection`, { changes: [
      { field: 'damage.front-bumper-1', value: { x: 0.3, y: 0.08, kind: 'scratch', note: '前保桿舊刮痕' }, changed_at: new Date().toISOString() },
    ] });
    await owner.post(`/api/orders/${order.order_id}/dispatch`, { technician_id: technician.staff_id });
    order = await moveTo(owner, order.order_id, 'authorized', 'in_progress');

    // The advisor's board is open on the tablet and stays open.
    await tablet.page.goto(`${BASE_URL}/`);
    await signInWithPassword(tablet.page, login, password);
    await tablet.page.getByRole('heading', { name: '今日看板' }).waitFor();

    // The technician's phone: the job list, by order; the discount is never a job.
    const { page } = phone;
    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, technician.mobile, technician.password);
    await page.goto(`${BASE_URL}/#/jobs`);
    const group = page.getByRole('region', { name: car.vehicle.plate });
    await group.waitFor();
    assert.equal(await group.getByText('老客戶折扣').count(), 0, 'a discount is on the job list');
    const oil = jobRow(page, '更換機油與機油芯');
    await oil.getByRole('button', { name: '開始' }).tap();
    await oil.getByText('施工中').waitFor();
    await tablet.page.getByText('阿明師傅：更換機油與機油芯').waitFor({ timeout: 30_000 }); // no reload

    // A problem found under the car, with the network cut: a photo and a line, ≤ 8 taps.
    await cutNetwork(phone.context);
    const [shot] = await cameraShots(page, photoDir, 1);
    const hands = tapCounter(page);
    await hands.tap(group.getByRole('button', { name: '發現問題' }));
    await hands.photo(page.getByRole('button', { name: /^拍照/ }), shot);
    await page.getByRole('button', { name: /已拍 1 張/ }).waitFor();
    await hands.tap(page.getByRole('textbox', { name: '項目', exact: true }));
    await page.keyboard.type('前煞車來令片');
    await hands.tap(page.getByRole('textbox', { name: '原因（客戶會看到）' }));
    await page.keyboard.type('來令片剩 2 mm，煞車有金屬聲');
    await hands.tap(page.getByRole('button', { name: '左前輪' }));
    await screenshot(page, 'workshop-finding-phone');
    await assertLayout(page, 'the finding form (phone)');
    await hands.tap(page.getByRole('button', { name: '送出給顧問' }));
    await page.getByText('已送出：顧問報價後會請客戶同意。').waitFor();
    assert.ok(hands.taps <= 8, `adding a line with one photo took ${hands.taps} taps`);
    console.log(`# taps to add a line with one photo on the phone: ${hands.taps}`);
    await restoreNetwork(phone.context);
    await eventually(async () => (await page.getByText(/筆待上傳/).count()) === 0, 'the phone sending its queue');

    // The advisor sees it on the board without reloading, and prices it.
    await tablet.page.getByTestId('found').filter({ hasText: '1 項待報價' }).waitFor({ timeout: 30_000 });
    await screenshot(tablet.page, 'workshop-board-found-tablet');
    await tablet.page.getByRole('link', { name: new RegExp(car.vehicle.plate) }).first().tap();
    await tablet.page.getByText('來令片剩 2 mm，煞車有金屬聲').waitFor();
    const pricing = tablet.page.getByRole('group', { name: '技師發現的項目：請報價後送客戶同意' });
    await pricing.locator('img').first().waitFor(); // the phone's photo, with its line
    await pricing.getByLabel('單價').fill('2400');
    await pricing.getByRole('button', { name: '儲存價格' }).tap();
    await tablet.page.getByText('待報價').waitFor({ state: 'detached' });
    await assertLayout(tablet.page, 'the order with a priced finding (tablet)');

    // The added work takes longer: the advisor moves the promised time, with why.
    const later = new Date(Date.parse(promisedAt) + 2 * 3600_000);
    const local = new Date(later.getTime() + 8 * 3600_000).toISOString().slice(0, 16); // Taipei wall time
    await tablet.page.getByRole('button', { name: '變更預計交車' }).tap();
    await tablet.page.getByLabel('新的預計交車時間').fill(local);
    await tablet.page.getByLabel('原因（客戶會收到）').fill('追加更換來令片');
    await tablet.page.getByRole('button', { name: '更新並通知客戶' }).tap();
    await tablet.page.getByText(/原預計 .*追加更換來令片/).waitFor();
    const moved = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(moved.promise.at, later.toISOString().replace(/:\d\d\.\d+Z$/, ':00.000Z'));
    assert.equal(moved.promised_at, order.promised_at, 'the signed time changed');

    // The advisor asks the customer (their message goes out), who approves on their own phone;
    // the line comes back to who found it, no dispatch.
    const found = (await owner.get(`/api/orders/${order.order_id}`)).lines.find((line) => line.description === '前煞車來令片');
    assert.equal(found.amount, 2400);
    await tablet.page.getByRole('button', { name: '追加項目待同意', exact: true }).tap();
    await tablet.page.getByTestId('order-state').filter({ hasText: '待追加同意' }).waitFor();
    // The customer, on their own phone, sees the technician's photo and why, and approves.
    const customer = await openPage(browser, 'phone');
    try {
      const link = await owner.get(`/api/orders/${order.order_id}/link`);
      await customer.page.goto(`${BASE_URL}${new URL(link.url).pathname}`);
      const item = customer.page.getByRole('radiogroup', { name: '前煞車來令片' });
      await customer.page.getByText('來令片剩 2 mm，煞車有金屬聲').waitFor();
      await customer.page.getByText(/時間已更新.*追加更換來令片/).waitFor(); // the new time, and why
      assert.equal(await customer.page.locator('section[aria-labelledby=h-approve] .thumbs img').count(), 1,
        'the technician\'s photo is not beside the item');
      await item.getByRole('radio', { name: /^同意/ }).tap();
      await customer.page.getByLabel(/簽名人姓名/).fill('黃志明');
      await customer.page.getByRole('checkbox', { name: /我已閱讀以上項目與金額/ }).check();
      const box = await padBox(customer.page);
      const cdp = await customer.context.newCDPSession(customer.page);
      await touchStroke(customer.page, cdp, box, wave(0.06, 0.6, 0.5));
      await mouseStroke(customer.page, box, wave(0.3, 0.9, 0.7));
      await customer.page.waitForFunction(() => !document.querySelector('#send').disabled);
      await screenshot(customer.page, 'workshop-customer-approves-phone');
      const posted = customer.page.waitForResponse((response) => response.url().endsWith('/signatures')
        && response.request().method() === 'POST');
      await customer.page.getByRole('button', { name: /送出回覆/ }).tap();
      const answer = await posted;
      assert.equal(answer.status(), 200, await answer.text());
      await customer.page.locator('#amsg').filter({ hasText: '已送出，謝謝' }).waitFor();
    } finally {
      await customer.context.close();
    }
    await tablet.page.reload();
    await tablet.page.getByRole('button', { name: '開始維修', exact: true }).tap();
    await tablet.page.getByTestId('order-state').filter({ hasText: '維修中' }).waitFor();
    await page.getByRole('button', { name: '重新整理' }).tap();
    const pads = jobRow(page, '前煞車來令片');
    await pads.getByRole('button', { name: '開始' }).waitFor();

    // Time: the oil job paused for parts and finished; the pads started and finished.
    await oil.getByRole('button', { name: '暫停' }).tap();
    await oil.getByRole('button', { name: '等零件' }).tap();
    await oil.getByText(/暫停中・等零件/).waitFor();
    await oil.getByRole('button', { name: '完成' }).tap();
    await pads.getByRole('button', { name: '開始' }).tap();
    await pads.getByRole('button', { name: '完成' }).tap();
    await page.getByText('已完成 2 項').waitFor();
    await screenshot(page, 'workshop-jobs-phone');
    await assertLayout(page, 'the job list (phone)');
    const timed = await owner.get(`/api/orders/${order.order_id}`);
    const oilLine = timed.lines.find((line) => line.description === '更換機油與機油芯');
    assert.equal(oilLine.state, 'done');
    assert.ok(oilLine.clock.started_at && oilLine.clock.finished_at, 'the oil job has no start or finish');
    assert.deepEqual(timed.at_work, []);

    // The final check on the tablet fails once (a warning lamp), and the car goes back to work.
    await owner.post(`/api/orders/${order.order_id}/transitions`, { to: 'quality_check', client_id: randomUUID() });
    await tablet.page.reload();
    const check = tablet.page.getByRole('region', { name: '品檢' });
    await check.getByText('路試（里程、狀況）').waitFor();
    for (const item of await check.getByRole('group').all()) {
      await item.getByRole('button', { name: '通過', exact: true }).tap();
    }
    await check.getByRole('group', { name: '儀表無故障燈' }).getByRole('button', { name: '未通過' }).tap();
    await check.getByLabel('要處理什麼').fill('引擎故障燈亮');
    await check.getByLabel('試車里程（公里）').fill('5');
    await check.evaluate((panel) => panel.scrollIntoView({ block: 'start' }));
    await screenshot(tablet.page, 'workshop-quality-check-tablet');
    await check.getByRole('button', { name: '送出品檢結果' }).tap();
    await tablet.page.getByTestId('order-state').filter({ hasText: '維修中' }).waitFor();
    await page.getByRole('button', { name: '重新整理' }).tap();
    await page.getByText('品檢退回：儀表無故障燈：引擎故障燈亮').waitFor();

    // Put right, checked again: passed, and the car can be ready.
    await owner.post(`/api/orders/${order.order_id}/transitions`, { to: 'quality_check', client_id: randomUUID() });
    await tablet.page.reload();
    await check.getByText('路試（里程、狀況）').waitFor();
    for (const item of await check.getByRole('group').all()) {
      await item.getByRole('button', { name: '通過', exact: true }).tap();
    }
    await check.getByLabel('試車里程（公里）').fill('6');
    await check.getByRole('button', { name: '送出品檢結果' }).tap();
    await check.getByText(/品檢通過（/).waitFor();
    await tablet.page.getByRole('button', { name: '品檢通過，待交車' }).tap();
    await tablet.page.getByTestId('order-state').filter({ hasText: '待交車' }).waitFor();
    const ready = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(ready.road_test, { done: true, note: '試車 6 km' });

    // The checkout list waits for the truth: an old part not yet settled, then the walk-around.
    const documents = tablet.page.getByRole('region', { name: '簽署文件' });
    const oldPads = await technician.api.post('/api/parts', {
      tag_id: randomUUID(), order_id: order.order_id, part_name: '舊煞車來令片', quantity: 1, reason: '磨損到底',
    });
    await tablet.page.reload();
    await documents.getByText(/舊品都處理好後才能簽署結帳清單/).waitFor();
    assert.equal(await tablet.page.getByRole('link', { name: '請客戶簽署結帳清單' }).count(), 0, 'the checkout list is offered with an old part open');
    await owner.patch(`/api/parts/${oldPads.code}`, { wish: 'dispose' });
    await tablet.page.reload();
    await documents.getByText('請先和客戶一起做交車檢查，再簽署結帳清單。').waitFor();

    // The delivery walk-around with the customer: the scratch on record, one new mark, valuables.
    const handover = tablet.page.getByRole('region', { name: '交車檢查' });
    await handover.getByText('接車時記錄 1 處').waitFor();
    await handover.getByText('刮傷：前保桿舊刮痕').waitFor();
    const outline = handover.getByRole('img', { name: /點一下標記交車時新發現的損傷/ });
    await outline.scrollIntoViewIfNeeded();
    const box = await outline.boundingBox();
    await tablet.page.touchscreen.tap(box.x + box.width * 0.8, box.y + box.height * 0.6);
    await handover.getByRole('button', { name: '凹陷' }).tap();
    await handover.getByLabel('說明').fill('右後門小凹痕，客戶說是停車場造成');
    await handover.getByText('貴重物品已歸還（或車內沒有貴重物品）').tap();
    await handover.evaluate((panel) => panel.scrollIntoView({ block: 'start' }));
    await screenshot(tablet.page, 'workshop-handover-tablet');
    await assertLayout(tablet.page, 'the delivery walk-around (tablet)');
    await handover.getByRole('button', { name: '完成交車檢查' }).tap();
    await handover.getByTestId('handover-done').filter({ hasText: '新發現 1 處' }).waitFor();
    await signThroughApi(owner, order.order_id, 'checkout');
    const delivered = await moveTo(owner, order.order_id, 'delivered');
    assert.equal(delivered.state, 'delivered');
    assert.equal(delivered.handover.new_damage[0].kind, 'dent');

    // The day's 派工表 on screen, and as an A4 PDF read back.
    await tablet.page.goto(`${BASE_URL}/#/jobs`);
    const sheet = tablet.page.getByRole('region', { name: '阿明師傅' });
    await sheet.getByText('更換機油與機油芯').waitFor();
    await sheet.getByText('前煞車來令片').waitFor();
    await screenshot(tablet.page, 'workshop-dispatch-sheet-tablet');
    await assertLayout(tablet.page, 'the dispatch sheet (tablet)');
    const popup = tablet.page.waitForEvent('popup');
    await tablet.page.getByRole('button', { name: 'A4 派工表 PDF' }).tap();
    const tab = await popup;
    await tab.waitForURL(/dispatch-/);
    const pdf = await tablet.context.request.get(tab.url());
    const path = join(photoDir, 'dispatch.pdf');
    writeFileSync(path, await pdf.body());
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/ /g, '');
    assert.ok(text.includes('派工表') && text.includes('阿明師傅') && text.includes(car.vehicle.plate), text);
    assert.ok(text.includes('更換機油與機油芯') && text.includes('0.50'), 'the sold hours are not on the sheet');
  } finally {
    await phone.context.close();
    await tablet.context.close();
  }
});

test('the desk tablet offers alerts in settings, and the app shows an alert pushed to it', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    await context.grantPermissions(['notifications'], { origin: BASE_URL });
    await page.goto(`${BASE_URL}/`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '今日看板' }).waitFor();
    await page.getByRole('link', { name: '設定' }).tap();
    const alerts = page.getByRole('region', { name: '這台裝置的通知' });
    await alerts.getByRole('button', { name: '開啟通知' }).waitFor();
    await assertLayout(page, 'settings with alerts (tablet)');

    // The push service delivers to the app's service worker (through DevTools): it shows it.
    const payload = { title: '技師發現問題 Found by a technician', body: 'ABC-1234：前煞車來令片（阿明師傅）', url: '/#/orders/order-12345678', tag: 'finding-1' };
    const shown = await pushToWorker(context, page, `${BASE_URL}/`, payload);
    assert.deepEqual(shown, [{ title: payload.title, body: payload.body, data: { url: payload.url } }]);
  } finally {
    await context.close();
  }
});
