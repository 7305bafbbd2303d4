import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, cutNetwork, launch, openPage, restoreNetwork, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, apiAs, assertLayout, demoLogin, signInWithPassword } from './shop.mjs';
import { tapCounter } from './touch.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Letters no other test's parts use, so a search finds this test's parts only. */
const tag = () => [...randomBytes(4)].map((b) => 'ABCDEFGHJKLMNPQRSTUVWXYZ'[b % 24]).join('');

/**
 * The demo shop's catalogue gets this test's own parts, an operation and a 10,000 km menu for a
 * model only this test's car has (other tests share the demo shop's catalogue).
 */
async function seedOwnCatalogue(owner, model) {
  const mark = tag();
  const digits = String(10000 + (randomBytes(2).readUInt16BE(0) % 89999));
  const oem = { part_number: `${digits}-${mark}1`, name: `冷氣濾網 ${mark}`, grade: 'oem', brand: 'TOYOTA', price: 650 };
  const after = { part_number: `AC-${digits}`, name: `冷氣濾網 ${mark}`, grade: 'aftermarket', brand: 'SAKURA', price: 320 };
  const filter = { part_number: `${digits}-${mark}9`, name: `機油濾芯 ${mark}`, grade: 'oem', brand: 'TOYOTA', price: 780 };
  const key = (part) => `${part.part_number.replace(/[\s\-./_]/g, '').toUpperCase()}~${part.brand.toUpperCase()}`;
  for (const part of [oem, after, filter]) await owner.put(`/api/catalogue/parts/${encodeURIComponent(key(part))}`, part);
  const head = await owner.get('/api/catalogue');
  const rateId = head.rates?.[0]?.rate_id ?? 'general';
  if (!head.rates?.length) {
    await owner.put('/api/catalogue/rates', { rates: [{ rate_id: 'general', name: '一般工資', name_en: 'General', rate: 1600 }] });
  }
  const code = `OIL${mark}`;
  await owner.put(`/api/catalogue/operations/${code}`, {
    name: `更換機油 ${mark}`, name_en: 'Oil change', hours: 0.5, by_model: { [`TOYOTA|${model}`]: 0.4 }, rate_id: rateId,
  });
  const menuId = `m10k${mark.toLowerCase()}`;
  await owner.put(`/api/catalogue/menus/${menuId}`, {
    name: `10,000 公里保養 ${mark}`, name_en: '10,000 km service', mileage_km: 10000, months: 6, make: 'TOYOTA', model,
    items: [{ kind: 'labour', code }, { kind: 'part', part_key: key(filter), quantity: 1 }], price: 1000,
  });
  return { mark, oem: { ...oem, part_key: key(oem) }, after: { ...after, part_key: key(after) }, menuId, code };
}

test('offline on the tablet, the advisor adds a 10,000 km service in two taps and finds parts by name and number; back online the lines reach the server with their grade', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const model = `ALTIS${tag()}`;
    const seeded = await seedOwnCatalogue(owner, model);
    const car = await aCustomerWithVehicle(owner, { make: 'Toyota', model });
    const order = await owner.post('/api/orders', {
      order_id: randomUUID(), customer_id: car.customer.customer_id, vehicle_id: car.vehicle.vehicle_id,
      concerns: ['定期保養'], waits_in_shop: true, mileage_km: 9800,
    });

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').waitFor();
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
    // The tablet has downloaded the catalogue: this car's menu is offered, nearest its mileage first.
    const menu = page.getByTestId(`menu-${seeded.menuId}`);
    await menu.waitFor();
    assert.equal(await page.locator('.catalogue-menu').first().getAttribute('data-testid'), `menu-${seeded.menuId}`);

    await cutNetwork(context);
    await assertLayout(page, 'the order screen with the catalogue (tablet)');

    // 10,000 km service: the menu, then its add button.
    const taps = tapCounter(page);
    await taps.tap(menu);
    await page.getByTestId('menu-preview').getByText('合計 NT$1,000').waitFor();
    await screenshot(page, 'catalogue-order-menu');
    await taps.tap(page.getByRole('button', { name: '加入 3 項' }));
    await page.getByText('3 筆待上傳').waitFor();
    assert.ok(taps.taps <= 3, `the 10,000 km service took ${taps.taps} taps`);
    // A second tap of the same menu sends the same line ids: the server adds them once.
    await page.getByTestId(`menu-${seeded.menuId}`).tap();
    await page.getByRole('button', { name: '加入 3 項' }).tap();
    await page.getByText('6 筆待上傳').waitFor();

    // A part by a few characters of its name, with its 副廠 offered beside the 正廠.
    const search = page.getByLabel('搜尋工時、零件、套餐');
    await search.fill(`網 ${seeded.mark}`);
    const oemRow = page.locator('.catalogue-hit').filter({ hasText: seeded.oem.part_number });
    await oemRow.waitFor();
    assert.equal(await page.locator('.catalogue-hit').count(), 2, 'the 正廠 and the 副廠 filter, nothing else');
    await oemRow.tap();
    await page.locator('.catalogue-offer label').filter({ hasText: seeded.after.part_number }).tap();
    await screenshot(page, 'catalogue-order-search');
    await page.getByRole('button', { name: '加入這項' }).tap();
    await page.getByText('7 筆待上傳').waitFor();

    // The same kind of part by its number typed without the dash.
    await search.fill(seeded.after.part_number.replace('-', '').toLowerCase());
    const afterRow = page.locator('.catalogue-hit').first();
    await afterRow.filter({ hasText: seeded.after.part_number }).waitFor();
    await afterRow.tap();
    await page.getByRole('button', { name: '加入這項' }).tap();
    await page.getByText('8 筆待上傳').waitFor();

    await restoreNetwork(context);
    await page.getByText('筆待上傳').waitFor({ state: 'detached' });
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    const menuLines = stored.lines.filter((line) => line.menu?.menu_id === seeded.menuId);
    assert.deepEqual(menuLines.map((line) => line.kind), ['labour', 'part', 'discount'], 'the menu once, not twice');
    assert.equal(menuLines.reduce((sum, line) => sum + line.amount, 0), 1000);
    assert.equal(menuLines[0].hours, 0.4, "the car's model hours");
    assert.equal(menuLines[1].grade, 'oem');
    const chosen = stored.lines.find((line) => line.part_key === seeded.oem.part_key);
    assert.equal(chosen.grade, 'oem');
    assert.deepEqual(chosen.alternatives.map((option) => option.grade), ['oem', 'aftermarket']);
    const byNumber = stored.lines.find((line) => line.part_key === seeded.after.part_key);
    assert.equal(byNumber.grade, 'aftermarket');
    assert.equal(byNumber.brand, 'SAKURA');

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
