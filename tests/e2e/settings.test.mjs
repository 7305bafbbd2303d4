import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, signInWithPassword, withDemoShopSettings,
} from './shop.mjs';

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

test('an owner changes a threshold and the checklist on the tablet, and the next walk-around uses them', () => withDemoShopSettings(async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const settingsBefore = await owner.get('/api/shop/settings');
  const templateBefore = await owner.get('/api/shop/inspection-template');
  try {
    const tread = settingsBefore.tread_yellow_mm === 3.5 ? '4.0' : '3.5';
    // An item of the cabin group goes; the lights group gets one more at its end.
    const removed = templateBefore.items.findLast((item) => item.group === 'cabin');
    assert.ok(removed, 'the template has no cabin item to remove');
    const lastLight = templateBefore.items.findLast((item) => item.group === 'lights');

    await page.goto(`${BASE_URL}/#/settings`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '設定', exact: true }).waitFor();

    // The tread threshold on the decimal keypad; the law is shown, not editable.
    const treadField = page.getByLabel(/^胎紋建議更換（黃燈）/);
    assert.equal(await treadField.getAttribute('inputmode'), 'decimal');
    await page.getByText('1.6 mm，低於即紅燈').waitFor();
    await page.getByText('出廠滿 6 年').waitFor();
    await treadField.fill(tread);
    await page.getByRole('button', { name: '儲存門檻' }).tap();
    await page.getByText('已儲存', { exact: true }).waitFor();

    // The checklist: add 後車廂照明 to the lights, remove one, save.
    const template = page.locator('section.template', { has: page.locator('#template-title') });
    const row = (itemId) => template.locator(`.template-item[data-item="${itemId}"]`);
    await row(removed.item_id).waitFor();
    await template.getByRole('button', { name: '新增項目到「燈光」' }).tap();
    const added = template.locator('.template-item[data-item=""]');
    const addedZh = added.getByRole('textbox', { name: /中文名稱$/ });
    await page.waitForFunction(() => document.activeElement?.closest('.template-item')?.dataset.item === '');
    await page.keyboard.type('後車廂照明');
    await added.getByRole('textbox', { name: /英文名稱$/ }).fill('Boot light');
    assert.equal(await addedZh.inputValue(), '後車廂照明');
    // Last of the lights group: after the item that was last, nothing below it to move to.
    assert.ok(await template.getByRole('button', { name: '下移：後車廂照明' }).isDisabled());
    assert.equal(await row(lastLight.item_id).evaluate((el) => el.nextElementSibling?.dataset.item), '');
    await template.getByRole('button', { name: `刪除：${removed.zh}` }).tap();
    assert.equal(await row(removed.item_id).count(), 0);
    await template.getByText('有修改尚未儲存').waitFor();
    await template.getByRole('button', { name: '儲存檢查項目' }).tap();
    await template.getByText('檢查項目已儲存').waitFor();
    await row('boot_light').waitFor();

    const stored = await owner.get('/api/shop/inspection-template');
    const ids = stored.items.map((item) => item.item_id);
    assert.equal(ids.indexOf('boot_light'), ids.indexOf(lastLight.item_id) + 1);
    assert.deepEqual(stored.items.find((item) => item.item_id === 'boot_light'),
      { item_id: 'boot_light', group: 'lights', zh: '後車廂照明', en: 'Boot light' });
    assert.ok(!ids.includes(removed.item_id), `${removed.item_id} is still in the template`);
    assert.equal(stored.items.length, templateBefore.items.length);
    assert.equal((await owner.get('/api/shop/settings')).tread_yellow_mm, Number(tread));

    // A reload shows what was saved.
    await page.reload();
    await row('boot_light').waitFor();
    assert.equal(await page.getByLabel(/^胎紋建議更換（黃燈）/).inputValue(), tread);
    assert.equal(await row('boot_light').getByRole('textbox', { name: /中文名稱$/ }).inputValue(), '後車廂照明');
    assert.equal(await row('boot_light').getByRole('textbox', { name: /英文名稱$/ }).inputValue(), 'Boot light');
    assert.equal(await row(removed.item_id).count(), 0);

    await scrollToTop(page, template);
    await assertLayout(page, 'settings, the checklist template (tablet)');
    await screenshot(page, 'settings-template-tablet');

    // The final check's list, one tap away from the top: 車內外清潔 says what the shop means by it.
    await page.locator('main').evaluate((main) => { main.scrollTop = 0; });
    await page.getByRole('navigation', { name: '設定項目' }).getByRole('button', { name: '品檢項目' }).tap();
    await page.waitForFunction(() => {
      const top = document.getElementById('quality-template-title').getBoundingClientRect().top;
      return top >= 0 && top < innerHeight / 2;
    });
    const finalCheck = page.locator('section.template', { has: page.locator('#quality-template-title') });
    const cleaned = finalCheck.locator('.template-item[data-item="cleaned"]').getByRole('textbox', { name: /中文名稱$/ });
    await cleaned.fill('車內外清潔（含腳踏墊吸塵）');
    await finalCheck.getByRole('button', { name: '儲存檢查項目' }).tap();
    await finalCheck.getByText('檢查項目已儲存').waitFor();
    const finalItems = (await owner.get('/api/quality-check')).items;
    assert.equal(finalItems.find((item) => item.item_id === 'cleaned').zh, '車內外清潔（含腳踏墊吸塵）');
    assert.equal(finalItems.find((item) => item.item_id === 'road_test').kind, 'road_test');

    // The next walk-around lists the new item, not the removed one.
    const order = await anOrder(owner, await aCustomerWithVehicle(owner, { name: '張志明', make: 'Honda', model: 'CR-V' }));
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}/walkaround`);
    const checklist = page.locator('#walk-checklist');
    const item = checklist.locator('[data-item="boot_light"]');
    await item.waitFor();
    assert.match(await item.innerText(), /後車廂照明/);
    assert.equal(await checklist.locator(`[data-item="${removed.item_id}"]`).count(), 0);
    assert.equal(await checklist.locator('[data-item]').count(), stored.items.length);
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    try { // the shop as it was, for the other tests
      await owner.patch('/api/shop/settings', { tread_yellow_mm: settingsBefore.tread_yellow_mm });
      await owner.put('/api/shop/inspection-template', { items: templateBefore.items, groups: templateBefore.groups });
    } finally {
      await context.close();
    }
  }
}));

/** A 300 × 120 PNG logo, drawn by the browser itself (no file kept in the repo). */
async function aLogo(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = Object.assign(document.createElement('canvas'), { width: 300, height: 120 });
    const g = canvas.getContext('2d');
    g.fillStyle = '#0b4f8a';
    g.fillRect(0, 0, 300, 120);
    g.fillStyle = '#fff';
    g.font = 'bold 56px sans-serif';
    g.fillText('順安', 70, 80);
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

test('an owner sets the shop\'s LINE ID, logo and code amount; the customer\'s page shows them', () => withDemoShopSettings(async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const before = await owner.get('/api/shop');
  const settingsBefore = await owner.get('/api/shop/settings');
  try {
    await page.goto(`${BASE_URL}/#/settings`);
    await signInWithPassword(page, login, password);
    const panel = page.locator('form.shop-profile');
    await panel.getByLabel('LINE ID').waitFor();
    assert.equal(await panel.getByLabel('店名').inputValue(), before.name);
    await panel.getByLabel('LINE ID').fill('@shunan88');
    const amount = panel.getByLabel(/遠端同意需簡訊確認碼的金額/);
    assert.equal(await amount.getAttribute('inputmode'), 'numeric');
    await amount.fill('15000');
    await panel.getByRole('button', { name: '儲存店家資料' }).tap();
    await panel.getByText('已儲存').waitFor();
    assert.equal((await owner.get('/api/shop')).line_id, '@shunan88');
    assert.equal((await owner.get('/api/shop/settings')).remote_code_above, 15000);

    await panel.locator('input[type=file]').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await aLogo(page) });
    await panel.getByText('標誌已更新').waitFor();
    const logo = panel.locator('.shop-logo img');
    await page.waitForFunction(() => document.querySelector('.shop-logo img')?.naturalWidth > 0);
    assert.ok(await logo.isVisible());
    await panel.evaluate((form) => form.scrollIntoView({ block: 'start' }));
    await assertLayout(page, 'the shop details (tablet)');
    await screenshot(page, 'settings-shop-tablet');

    // The customer's page: the logo in the header, the LINE button opening the account.
    const order = await anOrder(owner, await aCustomerWithVehicle(owner));
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    const phone = await openPage(browser, 'phone');
    try {
      await phone.page.goto(`${BASE_URL}${new URL(link.url).pathname}`);
      await phone.page.waitForFunction(() => document.querySelector('header img.logo')?.naturalWidth > 0);
      assert.equal(await phone.page.getByRole('link', { name: /LINE 聯絡/ }).getAttribute('href'),
        'https://line.me/R/ti/p/%40shunan88');
      await screenshot(phone.page, 'customer-logo-phone');
    } finally {
      await phone.context.close();
    }
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await owner.patch('/api/shop', { line_id: before.line_id ?? '' });
    await owner.patch('/api/shop/settings', { remote_code_above: settingsBefore.remote_code_above });
    await context.close();
  }
}));
