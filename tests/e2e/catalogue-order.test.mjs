import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, cutNetwork, launch, openPage, restoreNetwork, screenshot } from './browser.mjs';
import { apiAs, assertLayout, demoLogin, newMobile, newPlate, signInWithPassword } from './shop.mjs';
import { tapCounter } from './touch.mjs';
import { partKey, SEED, seedCatalogue } from './catalogue.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('offline on the tablet, the advisor adds a seeded 10,000 km service in two taps and finds parts by name and number; back online the lines reach the server with their grade', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    await seedCatalogue(owner);
    // The seed's Altis menu: its labour and parts, at a fixed price below their sum (a 套餐優惠 line more).
    const altis = SEED.menus.find((menu) => menu.model === 'ALTIS');
    assert.equal(altis.price, 2800);
    const oem = { number: '04152-YZZA1', key: partKey('04152-YZZA1', 'TOYOTA') };
    const bosch = { number: 'F026407209', key: partKey('F026407209', 'BOSCH') };
    const oil = { number: '08880-83715', key: partKey('08880-83715', 'TOYOTA') };
    // A Corolla Altis: the seed's TOYOTA/ALTIS menu is its (ALTIS is one word of its model).
    const customer = await owner.post('/api/customers', {
      customer_id: randomUUID(), name: '陳志明', mobile: newMobile(), channel: 'line', consent: { version: '2026-01', method: 'tablet' },
    });
    const vehicle = await owner.post('/api/vehicles', {
      vehicle_id: randomUUID(), plate: newPlate(), make: 'Toyota', model: 'Corolla Altis', year: 2025, fuel: 'gasoline',
      customer_id: customer.customer_id, mileage_km: 9500,
    });
    const order = await owner.post('/api/orders', {
      order_id: randomUUID(), customer_id: customer.customer_id, vehicle_id: vehicle.vehicle_id,
      concerns: ['定期保養'], waits_in_shop: true, mileage_km: 9800,
    });

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
    // The tablet has downloaded the catalogue: this car's menu is offered, nearest its mileage first.
    const menu = page.getByTestId(`menu-${altis.menu_id}`);
    await menu.waitFor();
    assert.match(await page.locator('.catalogue-menu').first().innerText(), /10,000 公里/, 'the menu nearest 9,800 km first');

    await cutNetwork(context);
    await assertLayout(page, 'the order screen with the catalogue (tablet)');

    // 10,000 km service: the menu, then its add button.
    const taps = tapCounter(page);
    await taps.tap(menu);
    await page.getByTestId('menu-preview').getByText('合計 NT$2,800').waitFor();
    await screenshot(page, 'catalogue-order-menu');
    await taps.tap(page.getByRole('button', { name: '加入 5 項' }));
    await page.getByText('5 筆待上傳').waitFor();
    assert.ok(taps.taps <= 3, `the 10,000 km service took ${taps.taps} taps`);
    // A second tap of the same menu sends the same line ids: the server adds them once.
    await page.getByTestId(`menu-${altis.menu_id}`).tap();
    await page.getByRole('button', { name: '加入 5 項' }).tap();
    await page.getByText('10 筆待上傳').waitFor();

    // A part by a few characters of its name, with its 副廠 offered beside the 正廠.
    const search = page.getByLabel('搜尋工時、零件、套餐');
    await search.fill('油芯');
    const oemRow = page.locator('.catalogue-hit').filter({ hasText: oem.number });
    await oemRow.waitFor();
    await page.locator('.catalogue-hit').filter({ hasText: bosch.number }).waitFor();
    await oemRow.tap();
    await page.locator('.catalogue-offer label').filter({ hasText: bosch.number }).tap();
    await screenshot(page, 'catalogue-order-search');
    await page.getByRole('button', { name: '加入這項' }).tap();
    await page.getByText('11 筆待上傳').waitFor();

    // Engine oil by its number typed without the dash, in lower case.
    await search.fill(oil.number.replace('-', ''));
    const oilRow = page.locator('.catalogue-hit').first();
    await oilRow.filter({ hasText: oil.number }).waitFor();
    await oilRow.tap();
    await page.getByRole('button', { name: '加入這項' }).tap();
    await page.getByText('12 筆待上傳').waitFor();

    await restoreNetwork(context);
    await page.getByText('筆待上傳').waitFor({ state: 'detached' });
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    const menuLines = stored.lines.filter((line) => line.menu?.menu_id === altis.menu_id);
    assert.deepEqual(menuLines.map((line) => line.kind), ['labour', 'labour', 'part', 'part', 'discount'], 'the menu once, not twice');
    assert.equal(menuLines.reduce((sum, line) => sum + line.amount, 0), 2800, 'the lines total the menu price');
    assert.deepEqual(menuLines.filter((line) => line.kind === 'part').map((line) => [line.part_key, line.grade]),
      [[oem.key, 'oem'], [oil.key, 'oem']]);
    const chosen = stored.lines.find((line) => line.part_key === oem.key && !line.menu);
    assert.equal(chosen.grade, 'oem');
    assert.deepEqual(chosen.alternatives.map((option) => [option.part_key, option.grade]), [[oem.key, 'oem'], [bosch.key, 'aftermarket']]);
    const byNumber = stored.lines.find((line) => line.part_key === oil.key && !line.menu);
    assert.equal(byNumber.grade, 'oem');
    assert.equal(byNumber.brand, 'TOYOTA');

    // The order shows the choice and the parts status: the advisor records 副廠 and an order.
    await page.reload();
    const options = page.getByTestId(`options-${chosen.line_id}`);
    await options.waitFor();
    await options.getByRole('button', { name: /副廠/ }).tap();
    await options.getByRole('button', { name: /副廠/, pressed: true }).waitFor();
    const row = page.locator('li.line').filter({ has: options });
    await row.getByRole('button', { name: '零件狀態' }).tap();
    await row.getByRole('button', { name: '已訂', exact: true }).tap();
    await row.getByLabel('供應商').fill('三和汽材');
    await row.getByLabel('預計到貨日').fill('2026-12-20');
    await row.getByRole('button', { name: '儲存狀態' }).tap();
    await row.getByTestId('supply').filter({ hasText: '已訂 · 三和汽材 · 預計 12/20' }).waitFor();
    await assertLayout(page, 'the order with catalogue lines (tablet)');
    await row.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'catalogue-order-lines');
    const after = await owner.get(`/api/orders/${order.order_id}`);
    const changed = after.lines.find((line) => line.line_id === chosen.line_id);
    assert.equal(changed.grade, 'aftermarket');
    assert.deepEqual(changed.supply, { status: 'ordered', supplier: '三和汽材', expected_on: '2026-12-20' });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
