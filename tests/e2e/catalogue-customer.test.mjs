import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, DEVICES, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, signInWithPassword } from './shop.mjs';

// The order side of the catalogue on the customer's phone, inside LINE's in-app browser: the
// customer chooses 副廠 over 正廠 on their page and the new total is right; a part is ordered
// and their page (and the shop's board) shows the day it is expected.
const LINE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 '
  + '(KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0';
const OEM = { part_key: '04465-0D130~TOYOTA', part_number: '04465-0D130', description: '前煞車來令片（正廠）', grade: 'oem', brand: 'TOYOTA', unit_price: 3200 };
const AFTERMARKET = { part_key: 'BP-2231~BREMBO', part_number: 'BP-2231', description: '前煞車來令片（副廠）', grade: 'aftermarket', brand: 'BREMBO', unit_price: 1800 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function aPhone() {
  const context = await browser.newContext({ ...DEVICES.phone, locale: 'zh-TW', userAgent: LINE_UA });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  return { context, page, errors };
}

/** A day some days from now in Taipei, as YYYY-MM-DD, and as the customer reads it (M/D). */
function daysAhead(days) {
  const iso = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(new Date(Date.now() + days * 86_400_000));
  const [, month, day] = iso.split('-');
  return { iso, shown: `${Number(month)}/${Number(day)}` };
}

/** Tap targets under 48 px on the customer's page (the buttons and links a finger hits). */
function smallTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, a[href]')]
    .map((el) => ({ el, box: el.getBoundingClientRect() }))
    .filter(({ box }) => box.width && box.height && (box.height < 44 || box.width < 44))
    .map(({ el, box }) => `${el.textContent.trim().slice(0, 30)} ${Math.round(box.width)}×${Math.round(box.height)}`));
}

test('the customer chooses 副廠 over 正廠 on their phone and the new total is right; an ordered part shows its expected day', async () => {
  const staff = await openPage(browser, 'tablet');
  const phone = await aPhone();
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(staff.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '陳怡君', make: 'Toyota', model: 'Altis' });
    const pads = randomUUID();
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '更換前煞車來令片', op_code: 'BRAKE-F', hours: 1, rate: 1600 },
    ]);
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: pads, kind: 'part', description: OEM.description, part_number: OEM.part_number,
      part_key: OEM.part_key, grade: 'oem', brand: 'TOYOTA', quantity: 1, unit_price: OEM.unit_price,
      alternatives: [OEM, AFTERMARKET],
    });
    assert.equal((await owner.get(`/api/orders/${order.order_id}`)).totals.total, 4800); // 1,600 + 3,200
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    const url = `${BASE_URL}${new URL(link.url).pathname}`;

    // The customer opens their page: the pads at 正廠, with 副廠 offered and the total it makes.
    const { page, errors } = phone;
    await page.goto(url);
    const lines = page.locator('section[aria-labelledby=h-lines]');
    assert.match(await lines.locator('.grade').first().innerText(), /正廠/);
    const options = lines.getByRole('group', { name: /選擇零件等級/ });
    const aftermarket = options.getByRole('button', { name: /副廠/ });
    assert.match(await aftermarket.innerText(), /NT\$1,800[\s\S]*NT\$3,400/);
    assert.equal(await options.getByRole('button', { name: /正廠/ }).getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await smallTargets(page), []);
    await lines.scrollIntoViewIfNeeded();
    await screenshot(page, 'catalogue-customer-choice-phone');

    // 副廠: the page comes back with the new line and total.
    const chosen = page.waitForResponse((response) => response.url().endsWith('/choice'));
    await aftermarket.tap();
    assert.equal((await chosen).status(), 200);
    await page.waitForLoadState('load');
    await lines.getByText('前煞車來令片（副廠）').waitFor();
    assert.match(await lines.locator('tr.t').last().innerText(), /NT\$3,400/);
    assert.equal(await lines.getByRole('button', { name: /副廠/ }).getAttribute('aria-pressed'), 'true');
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.totals.total, 3400);
    const line = stored.lines.find((item) => item.line_id === pads);
    assert.equal(line.grade, 'aftermarket');
    assert.equal(line.brand, 'BREMBO');

    // The shop orders the part; the customer's page says when it is expected.
    const expected = daysAhead(3);
    await owner.post(`/api/orders/${order.order_id}/lines/${pads}/supply`, { status: 'ordered', supplier: '和泰汽車', expected_on: expected.iso });
    await page.reload();
    const wait = page.locator('#partswait');
    assert.match(await wait.innerText(), new RegExp(`等待零件，預計 ${expected.shown} 到貨`));
    assert.match(await wait.innerText(), new RegExp(`Waiting for parts, expected ${expected.shown}`));
    await page.locator('section[aria-labelledby=h-now]').scrollIntoViewIfNeeded();
    await screenshot(page, 'catalogue-customer-parts-wait-phone');
    assert.deepEqual(errors, []);

    // The board shows the order waiting for its parts, with the day.
    await staff.page.goto(`${BASE_URL}/`);
    await signInWithPassword(staff.page, login, password);
    await staff.page.getByRole('heading', { name: '今日看板' }).waitFor();
    const card = staff.page.getByRole('link', { name: new RegExp(car.vehicle.plate) });
    assert.equal(await card.getByTestId('parts-wait').innerText(), `待料 ${expected.shown}`);
    await assertLayout(staff.page, 'the board with an order waiting for parts');
    await screenshot(staff.page, 'catalogue-board-parts-wait-tablet');
  } finally {
    await staff.context.close();
    await phone.context.close();
  }
});
