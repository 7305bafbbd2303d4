import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, demoLogin, eventually, moveTo, signInWithPassword,
  signThroughApi, withDemoShopSettings, assertLayout,
} from './shop.mjs';
import { mouseStroke, padBox, touchStroke, wave } from './pad.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The plate as the customer's page shows it (chalicelib/records/vehicles.mask_plate): ABC-1234 → ABC-**34. */
const masked = (plate) => plate.replace(/^([A-Z]{3})-(\d{2})(\d{2})$/, '$1-**$3');

/**
 * Layout faults of the customer's page on a phone: sideways scrolling, text cut off, and tap
 * targets under 44 px (Apple's and WCAG 2.5.5's size). A radio or checkbox counts by the label
 * that wraps it: that is what the finger hits.
 */
function customerLayoutFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) faults.push(`page is ${root.scrollWidth}px wide in a ${root.clientWidth}px viewport`);
    const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.id || el.getAttribute('name') || '').trim().slice(0, 40);
    for (const el of document.querySelectorAll('button, input, select, textarea, a[href], [role="button"]')) {
      const target = (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) || el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not rendered
      if (box.height < 44 || box.width < 44) {
        faults.push(`<${target.tagName.toLowerCase()}> "${name(target)}" is ${Math.round(box.width)}×${Math.round(box.height)}px`);
      }
    }
    for (const el of document.querySelectorAll('h1, h2, h3, p, td, label, li, b, small, .btn')) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
        faults.push(`<${el.tagName.toLowerCase()}> "${name(el)}" is cut (${el.scrollWidth} > ${el.clientWidth}px)`);
      }
    }
    return faults;
  });
}

/** A token of the right shape that no link ever had. */
const madeUpToken = () => randomBytes(24).toString('base64url');

/** Bring the pad fully into view and give its box. */

test('the customer follows the order on a phone link, approves one added item, declines the other and signs; the advisor sees it', async () => {
  const staff = await openPage(browser, 'tablet');
  const phone = await openPage(browser, 'phone'); // a fresh context: nobody signed in
  const errors = [];
  const { page } = phone;
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(staff.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '郭建宏', make: 'Ford', model: 'Focus' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '定期保養 40,000 公里', hours: 2, rate: 900 },
    ]);
    await signThroughApi(owner, order.order_id, 'authorization');
    await moveTo(owner, order.order_id, 'authorized', 'in_progress');
    // The technician found more: two added items, waiting for the customer's answer.
    for (const [description, price] of [['雨刷片（一對）', 800], ['冷氣濾網', 650]]) {
      await owner.post(`/api/orders/${order.order_id}/lines`, {
        line_id: randomUUID(), kind: 'part', description, quantity: 1, unit_price: price, origin: 'additional',
      });
    }
    const pending = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(pending.lines.map((l) => l.state), ['approved', 'proposed', 'proposed']);
    // 1,800 + 800 + 650 = 3,250, tax included (the declined lines are the only ones left out).
    assert.equal(pending.totals.total, 3250);
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    assert.match(link.url, /\/t\/[A-Za-z0-9_-]{32}$/);
    assert.equal(link.revoked, false);
    const url = `${BASE_URL}${new URL(link.url).pathname}`; // the test server's origin

    // The customer opens the link on a phone.
    const opened = await page.goto(url);
    assert.equal(opened.status(), 200);
    const headers = opened.headers();
    assert.match(headers['x-robots-tag'], /noindex/);
    assert.match(headers['content-security-policy'], /default-src 'none'/);
    assert.match(headers['content-security-policy'], /script-src 'sha256-/);
    assert.doesNotMatch(headers['content-security-policy'], /unsafe-inline/);
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.equal(await page.locator('meta[name=robots]').getAttribute('content'), 'noindex,nofollow');

    const header = page.locator('header');
    assert.equal(await header.getByRole('heading', { level: 1 }).innerText(), '順安汽車保養廠');
    const plate = order.vehicle.plate;
    assert.match(await header.innerText(), new RegExp(masked(plate).replace(/\*/g, '\\*')));
    assert.ok(!(await page.locator('body').innerText()).includes(plate), `the full plate ${plate} is on the page`);

    // The timeline: the steps so far, with their times; the rest still to come.
    const done = await page.locator('ol.tl li:not(.todo)').allInnerTexts();
    assert.deepEqual(done.map((text) => text.split(' ')[0]), ['已接車', '已委修', '維修中']);
    for (const text of done) assert.match(text, /\d+\/\d+ \d\d:\d\d/, `no time on "${text}"`);
    const todo = await page.locator('ol.tl li.todo').allInnerTexts();
    assert.deepEqual(todo.map((text) => text.split(' ')[0]), ['品檢中', '待交車', '已交車']);
    assert.match(await page.locator('.state').innerText(), /維修中/);

    // The lines and the total.
    const lines = page.locator('section[aria-labelledby=h-lines]');
    for (const text of ['定期保養 40,000 公里', '雨刷片（一對）', '冷氣濾網', 'NT$1,800', 'NT$800', 'NT$650']) {
      assert.ok(await lines.getByText(text, { exact: false }).first().isVisible(), `"${text}" is not in the lines`);
    }
    assert.equal(await lines.getByText('待您同意').count(), 2);
    assert.match(await lines.locator('tr.t').last().innerText(), /合計（含稅）[\s\S]*NT\$3,250/);
    assert.match(await lines.locator('tr.note').innerText(), /內含營業稅 NT\$155/); // 3,095 + 155

    // The answer: one approved, one declined; the new total follows.
    const send = page.getByRole('button', { name: /送出回覆/ });
    assert.ok(await send.isDisabled(), 'send is enabled before anything is answered');
    const item = (description) => page.getByRole('radiogroup', { name: description });
    await item('雨刷片（一對）').getByRole('radio', { name: /^同意/ }).tap();
    await item('冷氣濾網').getByRole('radio', { name: /^不同意/ }).tap();
    await page.locator('#newtotal').filter({ hasText: 'NT$2,600' }).waitFor(); // 1,800 + 800: nothing added
    await page.getByLabel(/簽名人姓名/).fill('郭建宏');
    await page.getByRole('checkbox', { name: /我已閱讀以上項目與金額/ }).check();
    assert.ok(await send.isDisabled(), 'send is enabled without a signature');

    // A signature in several strokes, with a finger and with the mouse.
    const box = await padBox(page);
    const cdp = await phone.context.newCDPSession(page);
    await touchStroke(page, cdp, box, wave(0.06, 0.34, 0.5));
    await touchStroke(page, cdp, box, [[0.38, 0.2], [0.4, 0.4], [0.42, 0.6], [0.44, 0.8], [0.46, 0.85]]);
    await mouseStroke(page, box, wave(0.5, 0.92, 0.55));
    await send.waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('#send').disabled);

    assert.deepEqual(await customerLayoutFaults(page), [], 'layout faults on the customer\'s page (phone)');
    await page.locator('section[aria-labelledby=h-approve] ul.plain').evaluate((list) => list.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'customer-phone');

    const posted = page.waitForResponse((response) => response.url().endsWith('/signatures')
      && response.request().method() === 'POST');
    const reloaded = page.waitForEvent('load');
    await send.tap();
    const answer = await posted;
    assert.equal(answer.status(), 200, await answer.text());
    await page.locator('#amsg').filter({ hasText: '已送出，謝謝' }).waitFor();
    await reloaded;

    // Answered: nothing left to approve; the declined item is gone from the bill; the signed
    // estimate is among the documents, signed remotely.
    assert.equal(await page.locator('#approve').count(), 0, 'the items are still offered after the answer');
    assert.equal(await page.getByText('待您同意').count(), 0);
    // Coming back, the customer sees they were heard, and what they said.
    assert.match(await page.locator('p.done').innerText(), /回覆追加項目：同意 1 項、不同意 1 項/);
    assert.match(await lines.locator('tr.t').last().innerText(), /NT\$2,600/);
    assert.equal(await lines.getByText('冷氣濾網').count(), 0, 'the declined item is still on the bill');
    const documents = page.locator('section[aria-labelledby=h-docs]');
    assert.match(await documents.innerText(), /追加估價單 v1[\s\S]*遠端簽署/);
    assert.deepEqual(await customerLayoutFaults(page), [], 'layout faults on the answered page (phone)');
    await page.locator('section[aria-labelledby=h-now]').evaluate((section) => scrollTo(0, section.offsetTop - 8));
    await screenshot(page, 'customer-answered-phone');

    // The staff's side: what the customer answered, signed remotely through the link.
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    const state = Object.fromEntries(stored.lines.map((l) => [l.description, l.state]));
    assert.deepEqual(state, { '定期保養 40,000 公里': 'approved', '雨刷片（一對）': 'approved', '冷氣濾網': 'declined' });
    assert.equal(stored.totals.total, 2600);
    const estimate = stored.signatures.find((s) => s.kind === 'estimate');
    assert.ok(estimate, 'no estimate signature on the order');
    assert.equal(estimate.method, 'remote');
    assert.equal(estimate.signer_name, '郭建宏');

    // The stream told the customer when the car was checked in (locally: the outbox).
    const told = await eventually(async () => (await owner.get(`/api/orders/${order.order_id}`))
      .messages?.find((message) => message.step === 'checked_in'), 'the check-in message');

    // The advisor's order screen on a tablet.
    await staff.page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(staff.page, login, password);
    await staff.page.getByTestId('order-state').filter({ hasText: '維修中' }).waitFor();
    await staff.page.getByTestId('signature-estimate').filter({ hasText: '客戶透過連結遠端簽署' }).waitFor();
    assert.match(await staff.page.getByTestId('signature-estimate').innerText(), /郭建宏/);
    // …and what the customer was sent, by which channel, in which state.
    assert.ok(told.channel, 'the message names its channel');
    const sent = staff.page.getByTestId('order-messages').locator('li.message');
    const checkedIn = sent.filter({ hasText: '已接車' }).first();
    await checkedIn.waitFor();
    // The customer says it never came: the advisor sends it again from the tablet, once.
    await checkedIn.getByRole('button', { name: '重新發送' }).tap();
    await staff.page.getByText('已重新發送。').waitFor();
    const resent = (await owner.get(`/api/orders/${order.order_id}`)).messages
      .find((message) => message.message_id === told.message_id);
    assert.equal(resent.resends, 1);

    // The advisor's link panel shows the same link, and revokes it from the tablet: it now gets
    // the page a made-up token gets.
    const panel = staff.page.locator('section.customer-link');
    assert.equal(await panel.getByLabel('客戶進度連結').inputValue(), link.url);
    staff.page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: '停用連結' }).tap();
    await panel.getByText('連結已停用').waitFor();
    const revoked = await owner.get(`/api/orders/${order.order_id}/link`);
    assert.equal(revoked.revoked, true);
    assert.equal(revoked.url, null);
    const gone = await page.goto(url);
    const goneBody = await gone.text(); // read before the next navigation drops it
    assert.ok(!(await page.locator('body').innerText()).includes(masked(plate)), 'the 404 page tells about the car');
    const guessed = await page.goto(`${BASE_URL}/t/${madeUpToken()}`);
    assert.equal(gone.status(), 404);
    assert.equal(guessed.status(), 404);
    assert.equal(goneBody, await guessed.text(), 'a revoked link and a made-up token answer differently');
    assert.match(goneBody, /找不到這個連結/);
    const without = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'date'));
    assert.deepEqual(without(gone.headers()), without(guessed.headers()));
    assert.match(gone.headers()['x-robots-tag'], /noindex/);
    assert.match(gone.headers()['content-security-policy'], /default-src 'none'/);

    // The customer asks for a link again: the advisor makes a new one; it opens the page.
    staff.page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: '重新產生連結' }).tap();
    const fresh = await eventually(async () => {
      const answer = await owner.get(`/api/orders/${order.order_id}/link`);
      return answer.url && !answer.revoked ? answer : null;
    }, 'the new link');
    await eventually(async () => (await panel.getByLabel('客戶進度連結').inputValue()) === fresh.url,
      'the panel showing the new link');
    assert.notEqual(fresh.url, link.url);
    assert.equal((await page.goto(`${BASE_URL}${new URL(fresh.url).pathname}`)).status(), 200);

    assert.deepEqual(errors, [], 'the customer\'s page threw or broke its CSP');
  } finally {
    await phone.context.close();
    await staff.context.close();
  }
});

test('above the shop\'s amount, the customer also types the code texted to their phone', async () => {
  const phone = await openPage(browser, 'phone');
  const { page } = phone;
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  const { login, password } = demoLogin();
  const owner = await apiAs(phone.context.request, login, password);
  try {
    await withDemoShopSettings(async () => {
      const before = (await owner.get('/api/shop/settings')).remote_code_above;
      await owner.patch('/api/shop/settings', { remote_code_above: 2000 });
      try {
        const car = await aCustomerWithVehicle(owner, { name: '陳志明' });
        const order = await anOrderWithLines(owner, car, [
          { kind: 'labour', description: '定期保養', hours: 1, rate: 900 },
        ]);
        await signThroughApi(owner, order.order_id, 'authorization');
        await moveTo(owner, order.order_id, 'authorized', 'in_progress');
        await owner.post(`/api/orders/${order.order_id}/lines`, {
          line_id: randomUUID(), kind: 'part', description: '電瓶', quantity: 1, unit_price: 3200,
          origin: 'additional', reason: '電瓶測試 CCA 低於標準',
        });
        const link = await owner.get(`/api/orders/${order.order_id}/link`);
        await page.goto(`${BASE_URL}${new URL(link.url).pathname}`);

        // Declined, the total stays under the amount: no code asked.
        const otp = page.locator('#otp');
        const battery = page.getByRole('radiogroup', { name: '電瓶' });
        await battery.getByRole('radio', { name: /^不同意/ }).tap();
        assert.ok(await otp.isHidden(), 'a code is asked for a total under the amount');
        // Approved: 900 + 3,200 = 4,100, above 2,000: the code is asked for.
        await battery.getByRole('radio', { name: /^同意/ }).tap();
        await page.locator('#newtotal').filter({ hasText: 'NT$4,100' }).waitFor();
        await otp.waitFor({ state: 'visible' });
        await page.getByLabel(/簽名人姓名/).fill('陳志明');
        await page.getByRole('checkbox', { name: /我已閱讀以上項目與金額/ }).check();
        const box = await padBox(page);
        await mouseStroke(page, box, wave(0.06, 0.5, 0.5));
        await mouseStroke(page, box, wave(0.5, 0.94, 0.45));
        const send = page.getByRole('button', { name: /送出回覆/ });
        assert.ok(await send.isDisabled(), 'send is enabled without the code');

        await page.getByRole('button', { name: /傳送確認碼/ }).tap();
        const national = `0${car.customer.mobile.replace(/^\+886/, '')}`; // stored as +8869…
        await page.locator('#cmsg').filter({ hasText: `已傳送到 ${national.slice(0, 4)}-***-${national.slice(-3)}` }).waitFor();
        // Locally the SMS lands in the outbox (/dev/outbox), exactly as it would have been sent.
        const outbox = await (await phone.context.request.get(`${BASE_URL}/dev/outbox`)).text();
        const code = outbox.match(/追加項目確認碼 (\d{6})/)?.[1];
        assert.ok(code, 'no code in the outbox');
        await page.getByLabel(/確認碼/).fill(code);
        await page.waitForFunction(() => !document.querySelector('#send').disabled);
        await page.locator('#otp').evaluate((section) => section.scrollIntoView({ block: 'center' }));
        await screenshot(page, 'customer-code-phone');

        const posted = page.waitForResponse((response) => response.url().endsWith('/signatures')
          && response.request().method() === 'POST');
        await send.tap();
        assert.equal((await posted).status(), 200);
        await page.locator('p.done').waitFor();
        const stored = await owner.get(`/api/orders/${order.order_id}`);
        assert.equal(stored.lines.find((line) => line.description === '電瓶').state, 'approved');
        assert.ok(stored.messages.some((m) => m.step === 'approval_code' && m.state === 'sent'),
          'the code message is not on the order screen');
      } finally {
        await owner.patch('/api/shop/settings', { remote_code_above: before });
      }
    });
    assert.deepEqual(errors, [], 'the customer\'s page threw or broke its CSP');
  } finally {
    await phone.context.close();
  }
});

test('after delivery the customer stops service reminders with one tap, and can turn them back on', async () => {
  const phone = await openPage(browser, 'phone');
  const { page } = phone;
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(phone.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '黃淑芬' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '定期保養（更換機油）', hours: 1, rate: 900 },
    ]);
    await signThroughApi(owner, order.order_id, 'authorization');
    await moveTo(owner, order.order_id, 'authorized', 'in_progress', 'quality_check', 'ready');
    await signThroughApi(owner, order.order_id, 'checkout');
    await moveTo(owner, order.order_id, 'delivered');
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    await page.goto(`${BASE_URL}${new URL(link.url).pathname}`);
    const stop = page.getByRole('link', { name: /停止保養提醒/ });
    assert.deepEqual(await customerLayoutFaults(page), [], 'layout faults on the delivered order\'s page (phone)');

    await stop.tap();
    await page.waitForURL(/\/o\//);
    assert.ok(!page.url().includes(car.customer.customer_id), 'the customer id is in the URL');
    await page.getByRole('status').filter({ hasText: '已停止保養與檢查提醒' }).waitFor();
    const stopped = await owner.get(`/api/customers/${car.customer.customer_id}`);
    assert.equal(stopped.reminders_opt_out?.via, 'link');
    assert.deepEqual(await customerLayoutFaults(page), [], 'layout faults on the opt-out page (phone)');
    await screenshot(page, 'customer-reminders-stopped-phone');

    await page.getByRole('button', { name: /恢復提醒/ }).tap();
    await page.getByRole('status').filter({ hasText: '已恢復提醒' }).waitFor();
    const back = await owner.get(`/api/customers/${car.customer.customer_id}`);
    assert.equal(back.reminders_opt_out, undefined);
    await page.getByRole('button', { name: /停止提醒/ }).tap(); // changed their mind again
    await page.getByRole('status').filter({ hasText: '已停止保養與檢查提醒' }).waitFor();
    assert.deepEqual(errors, [], 'the pages threw or broke their CSP');

    // At the desk: the customer's screen says who stopped them and when; the advisor records
    // the car's inspection date, sees the service reminder the delivery scheduled, and turns
    // reminders back on when the customer asks in person.
    const desk = await openPage(browser, 'tablet');
    try {
      await desk.page.goto(`${BASE_URL}/#/customers/${encodeURIComponent(car.customer.customer_id)}`);
      await signInWithPassword(desk.page, login, password);
      const panel = desk.page.getByTestId('customer-reminders');
      await panel.getByText(/已停止（客戶於 .* 透過提醒訊息的連結停止）/).waitFor();
      await panel.getByTestId('reminder-service').filter({ hasText: '保養提醒' }).waitFor();
      await panel.getByLabel('定期檢驗日期').fill('2027-06-30');
      await panel.getByRole('button', { name: '儲存日期' }).tap();
      await panel.getByTestId('reminder-inspection').filter({ hasText: '2027-06-16 發送' }).waitFor();
      await panel.getByRole('button', { name: '恢復提醒' }).tap();
      await panel.getByText(/^開啟中/).waitFor();
      assert.equal((await owner.get(`/api/customers/${car.customer.customer_id}`)).reminders_opt_out, undefined);
      assert.equal((await owner.get(`/api/vehicles/${car.vehicle.vehicle_id}`)).inspection_due_on, '2027-06-30');
      await assertLayout(desk.page, 'the customer\'s reminders (tablet)');
      await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await screenshot(desk.page, 'customer-reminders-tablet');
    } finally {
      await desk.context.close();
    }
  } finally {
    await phone.context.close();
  }
});
