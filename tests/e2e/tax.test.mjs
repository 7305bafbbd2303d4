// Prices include the business tax (營業稅法 §32): what the shop quotes is what the customer pays.
// Lines of NT$3,000 and NT$1,800 show 合計 NT$4,800 on the order screen, the customer's page and
// the signed 委修確認單 (read back with pdftotext), with nothing added; the same order for a
// business buyer shows 銷售額 and 稅額 adding up to 4,800.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, signInWithPassword, signThroughApi,
} from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const squeezed = (text) => text.replace(/\s+/g, '');

test('the total is the lines as priced, on every screen and the signed PDF; a business buyer sees it split', async () => {
  const staff = await openPage(browser, 'tablet');
  const phone = await openPage(browser, 'phone');
  const errors = [];
  staff.page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(staff.context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '蔡雅婷' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '四輪定位與底盤檢查', hours: 2, rate: 1500 },
      { kind: 'part', description: '機油 5W-30（公升）', quantity: 4, unit_price: 450 },
    ]);
    assert.deepEqual(order.totals, { total: 4800, sales: 4571, tax: 229 });

    // The order screen: 合計 4,800, the tax it holds beneath; no 5 % on top (5,040).
    const { page } = staff;
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('total').filter({ hasText: 'NT$4,800' }).waitFor();
    assert.equal(await page.getByTestId('tax-included').innerText(), '內含營業稅 NT$229');
    assert.ok(!(await page.locator('body').innerText()).includes('5,040'), 'tax added on the order screen');

    // The customer's page on a phone.
    const link = await owner.get(`/api/orders/${order.order_id}/link`);
    await phone.page.goto(`${BASE_URL}${new URL(link.url).pathname}`);
    const lines = phone.page.locator('section[aria-labelledby=h-lines]');
    assert.match(await lines.locator('tr.t').last().innerText(), /合計（含稅）[\s\S]*NT\$4,800/);
    assert.ok(!(await lines.innerText()).includes('5,040'), 'tax added on the customer page');
    await lines.evaluate((section) => scrollTo(0, section.offsetTop - 8));
    await screenshot(phone.page, 'tax-included-customer-page-phone');

    // The signed 委修確認單, as the printed PDF reads.
    const signed = await signThroughApi(owner, order.order_id, 'authorization');
    const { url } = await owner.get(`/api/orders/${order.order_id}/signatures/${signed.signature_id}/pdf`);
    const pdf = await staff.context.request.get(url);
    assert.equal(pdf.status(), 200);
    const dir = mkdtempSync(join(tmpdir(), 'tax-pdf-'));
    writeFileSync(join(dir, 'authorization.pdf'), await pdf.body());
    const text = squeezed(execFileSync('pdftotext', ['-layout', join(dir, 'authorization.pdf'), '-'], { encoding: 'utf8' }));
    assert.match(text, /合計（含稅）Total,taxincludedNT\$4,800/);
    assert.match(text, /內含營業稅BusinesstaxincludedNT\$229/);
    assert.ok(!text.includes('5,040') && !text.includes('銷售額'), 'the consumer PDF adds or splits nothing');

    // The customer asks for a company invoice: the 統一編號 checked as typed, then the split.
    await page.reload();
    await page.getByRole('button', { name: '打統一編號' }).tap();
    const taxId = page.getByLabel('統一編號', { exact: true });
    assert.equal(await taxId.getAttribute('inputmode'), 'numeric');
    await taxId.fill('22099132');
    await page.getByText('統一編號不正確，請再核對一次。').waitFor();
    const save = page.getByRole('button', { name: '儲存統一編號' });
    assert.ok(await save.isDisabled(), 'a wrong 統一編號 can be saved');
    await taxId.fill('22099131');
    await page.getByLabel('公司抬頭').fill('順安物流股份有限公司');
    await save.tap();
    await page.getByTestId('buyer').filter({ hasText: '順安物流股份有限公司' }).waitFor();
    assert.equal(await page.getByTestId('sales').innerText(), 'NT$4,571');
    assert.equal(await page.getByTestId('tax').innerText(), 'NT$229');
    assert.equal(await page.getByTestId('total').innerText(), 'NT$4,800');
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(stored.buyer, { tax_id: '22099131', title: '順安物流股份有限公司' });
    assert.equal(stored.totals.sales + stored.totals.tax, stored.totals.total);
    await assertLayout(page, 'the order screen with a business buyer (tablet)');
    await page.locator('dl.totals').evaluate((totals) => totals.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'tax-business-buyer-tablet');
    assert.deepEqual(errors, []);
  } finally {
    await staff.context.close();
    await phone.context.close();
  }
});
