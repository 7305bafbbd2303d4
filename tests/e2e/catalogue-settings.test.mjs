// Settings → 目錄 (issue 20): a manager adds a labour operation and a 10,000 km service menu at
// a fixed price on the tablet; the catalogue the tablets download (gzip from S3, through CORS,
// decompressed in the page) holds both.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, layoutFaults, openPage, screenshot } from './browser.mjs';
import { seedCatalogue } from './catalogue.mjs';
import { apiAs, demoLogin, newMobile, signInWithPassword } from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Scroll the screen's one scroller so `locator` is at its top. */
async function scrollToTop(page, locator) {
  await locator.evaluate((el) => {
    const scroller = el.closest('.main');
    scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function remove(context, api, path) {
  const answer = await context.request.fetch(`${BASE_URL}${path}`, {
    method: 'DELETE', headers: { Authorization: `Bearer ${api.session.access_token}` },
  });
  assert.ok([204, 404].includes(answer.status()), `DELETE ${path}: ${answer.status()}`);
}

for (const device of ['tablet', 'phone']) {
  test(`a manager adds an operation and a 10,000 km menu at a fixed price in Settings (${device})`, async () => {
    const { context, page } = await openPage(browser, device);
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    await seedCatalogue(owner);
    const managerPassword = `pw-${randomUUID()}`;
    const mobile = newMobile();
    await owner.post('/api/staff', { staff_id: randomUUID(), name: '李店長', role: 'manager', mobile, password: managerPassword });
    const manager = await apiAs(context.request, mobile, managerPassword);
    const code = `T${randomBytes(3).toString('hex').toUpperCase()}`;
    const menuName = `測試 10,000 公里保養 ${code}`;
    try {
      await page.goto(`${BASE_URL}/#/settings`);
      await signInWithPassword(page, mobile, managerPassword);
      const panel = page.locator('section.catalogue');
      await panel.getByRole('heading', { name: '工資費率' }).waitFor();
      await panel.locator('.admin-row[data-operation="OIL"]').waitFor();  // read from the snapshot
      await panel.locator('.catalogue-rate').first().waitFor();

      // a labour operation with the shop's own hours for an Altis
      const operations = panel.locator('form', { has: page.locator('#catalogue-operations-title') });
      await scrollToTop(page, operations.locator('[data-form="operation"]'));
      await operations.getByLabel(/^代碼/).fill(code.toLowerCase());
      await operations.getByLabel('工時名稱').fill('更換煞車油');
      await operations.getByLabel('英文名稱（可不填）').fill('Brake fluid change');
      await operations.getByLabel('工時（小時）').first().fill('0.8');
      await operations.getByRole('button', { name: '新增車型工時' }).tap();
      await operations.getByLabel('廠牌').fill('toyota');
      await operations.getByLabel('車型（可不填）').fill('altis');
      await operations.locator('#op-car-hours-0').fill('0.6');
      await screenshot(page, `catalogue-operation-${device}`);
      await operations.getByRole('button', { name: '儲存工時項目' }).tap();
      await page.getByText(`工時項目 ${code} 已儲存`).waitFor();
      await panel.locator(`.admin-row[data-operation="${code}"]`).waitFor();

      // a 10,000 km menu for the Altis: the new operation, an oil filter, a fixed price
      const menus = panel.locator('form', { has: page.locator('#catalogue-menus-title') });
      await scrollToTop(page, menus.locator('[data-form="menu"]'));
      await menus.getByLabel('套餐名稱').fill(menuName);
      await menus.getByLabel('里程（公里）').fill('10000');
      await menus.getByLabel('月數').fill('6');
      await menus.getByLabel('廠牌（空白：所有車）').fill('TOYOTA');
      await menus.getByLabel('車型（可不填）').fill('ALTIS');
      await menus.getByLabel('加入工時項目').selectOption(code);
      await menus.getByRole('button', { name: '加入', exact: true }).first().tap();
      await menus.getByLabel('加入零件').selectOption('04152YZZA1~TOYOTA');
      await menus.getByRole('button', { name: '加入', exact: true }).nth(1).tap();
      await menus.getByText('零件：04152-YZZA1 機油芯 × 1').waitFor();
      // 0.6 h for an Altis at 1,600 + 380: what the items add up to, shown beside the fixed price
      await menus.getByText('依項目加總（目前 NT$1,340）').waitFor();
      await menus.getByLabel('套餐價（元）').fill('1200');
      await scrollToTop(page, menus.locator('.catalogue-items'));
      await screenshot(page, `catalogue-menu-${device}`);
      // The data-transfer panel's invisible file input (over its 46 px label on a phone) is
      // that panel's, further down the same screen, and reported apart: not counted here.
      const faults = (await layoutFaults(page)).filter((fault) => !fault.startsWith('<input> "null"'));
      assert.deepEqual(faults, [], `layout faults on catalogue settings (${device})`);
      await menus.getByRole('button', { name: '儲存保養套餐' }).tap();
      await page.getByText(`保養套餐「${menuName}」已儲存`).waitFor();
      const row = menus.locator('.admin-row', { hasText: menuName });
      await row.getByText('套餐價 NT$1,200').waitFor();
      await scrollToTop(page, row);
      await screenshot(page, `catalogue-menus-${device}`);

      // what the tablets download holds both
      const head = await manager.get('/api/catalogue');
      const snapshot = await page.evaluate(async (url) => {
        const response = await fetch(url);
        const text = await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).text();
        return JSON.parse(text);
      }, head.url);
      const op = snapshot.operations.find((o) => o.code === code);
      assert.deepEqual([op.hours, op.by_model, op.name_en], [0.8, { 'TOYOTA|ALTIS': 0.6 }, 'Brake fluid change']);
      const menu = snapshot.menus.find((m) => m.name === menuName);
      assert.deepEqual([menu.mileage_km, menu.months, menu.make, menu.model, menu.price],
        [10000, 6, 'TOYOTA', 'ALTIS', 1200]);
      assert.deepEqual(menu.items, [{ kind: 'labour', code }, { kind: 'part', part_key: '04152YZZA1~TOYOTA', quantity: 1 }]);
      if (device === 'tablet') {
        // 從匯出檔還原: a shop export's shop.json brings its catalogue back (here, one part)
        const restore = panel.locator('.catalogue-restore');
        await scrollToTop(page, restore);
        const input = restore.locator('input[type=file]');
        await input.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"notes": 1}') });
        await page.getByText('這不是資料匯出的 shop.json，或裡面沒有目錄。').waitFor();
        const exported = { exported_at: '2026-12-01T10:00:00+08:00', catalogue: [{
          type: 'catalogue_part', part_number: `R-${code}`, name: '還原測試來令片', grade: 'aftermarket',
          grade_zh: '副廠', brand: 'BOSCH', price: 1450 }] };
        await input.setInputFiles({ name: 'shop.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
        await page.getByText('已還原 1 項零件、0 項工時、0 個保養套餐。').waitFor();
        await screenshot(page, 'catalogue-restore-tablet');
        const restored = await manager.get('/api/catalogue');
        const parts = await page.evaluate(async (url) => {
          const response = await fetch(url);
          return JSON.parse(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).text()).parts;
        }, restored.url);
        const at = parts.part_key.indexOf(`R${code}~BOSCH`);
        assert.deepEqual([parts.name[at], parts.grade[at], parts.price[at]], ['還原測試來令片', 'aftermarket', 1450]);
        await remove(context, owner, `/api/catalogue/parts/R${code}~BOSCH`);
      }
      assert.deepEqual(errors, []);
      for (const m of snapshot.menus.filter((m) => m.name === menuName)) await remove(context, owner, `/api/catalogue/menus/${m.menu_id}`);
    } finally {
      await remove(context, owner, `/api/catalogue/operations/${code}`);
      await context.close();
    }
  });
}
