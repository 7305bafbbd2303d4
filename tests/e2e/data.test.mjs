// Data rights and portability in the browser: a manager exports a customer's data and erases it
// from the customer screen (opened from the order), and imports a CSV in Settings and reads the
// report of its bad rows by line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, moveTo, newMobile, newPlate,
  signInWithPassword,
} from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a manager exports a customer\'s data, then erases it after typing the name', async () => {
  const { context, page } = await openPage(browser, 'phone');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const name = `資料${Math.floor(Math.random() * 1e6)}`;
  const { customer, vehicle } = await aCustomerWithVehicle(owner, { name });
  const order = await anOrder(owner, { customer, vehicle }); // open: the first erasure is refused

  await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
  await signInWithPassword(page, login, password);
  await page.getByRole('link', { name }).tap();
  await page.getByRole('heading', { name, exact: true }).waitFor();
  assert.match(page.url(), new RegExp(`#/customers/${customer.customer_id}$`));

  await page.getByRole('button', { name: '匯出個資' }).tap();
  const csvLink = page.getByRole('link', { name: '下載 CSV（Excel 可開）' });
  await csvLink.waitFor();
  const zip = await context.request.get(await csvLink.getAttribute('href'));
  assert.equal(zip.status(), 200);
  assert.deepEqual([...(await zip.body()).subarray(0, 2)], [0x50, 0x4b]); // a zip ("PK")
  const jsonHref = await page.getByRole('link', { name: '下載 JSON' }).getAttribute('href');
  assert.ok(!jsonHref.includes(encodeURIComponent(name)), 'the name is not in the link');
  const exported = await (await context.request.get(jsonHref)).json();
  assert.equal(exported.customer.name, name);
  await assertLayout(page, 'customer export');
  await page.locator('section.data-rights').scrollIntoViewIfNeeded();
  await screenshot(page, 'customer-export-phone');

  await page.getByRole('button', { name: '刪除個資' }).tap();
  const confirm = page.getByRole('button', { name: '確認刪除個資' });
  const typed = page.getByLabel(`請輸入客戶姓名「${name}」以確認`);
  await typed.fill(name.slice(0, -1));
  assert.equal(await confirm.isDisabled(), true);
  await typed.fill(name);
  await screenshot(page, 'customer-erase-phone');
  await confirm.tap(); // the erasure runs as a job, which finds the order still open
  await page.getByText('這位客戶還有未結案的工單，請交車或取消後再刪除個資。').waitFor();
  assert.equal((await owner.get(`/api/customers/${customer.customer_id}`)).name, name);
  await moveTo(owner, order.order_id, 'cancelled');
  await confirm.tap();
  await page.getByRole('heading', { name: '（已刪除）' }).waitFor();
  await page.getByText(/個資已於 .* 刪除/).waitFor();
  const after = await owner.get(`/api/customers/${customer.customer_id}`);
  assert.equal(after.name, '（已刪除）');
  assert.equal(after.mobile, undefined);
  const orderAfter = await owner.get(`/api/orders/${order.order_id}`);
  assert.equal(orderAfter.customer.name, '（已刪除）');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an owner imports a CSV in Settings and sees the bad rows by line; the shop export works', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const good = [newMobile(), newMobile()];
  const csv = [
    '姓名,手機,Email,車牌,廠牌,車型,年份,燃料',
    `王大明,${good[0]},ming@example.tw,${newPlate()},Toyota,Altis,2019,汽油`,
    '陳錯號,12345,,,,,,',
    `張車牌,${newMobile()},,AK-B-1,Ford,Focus,2018,`,
    `李小華,${good[1]},,${newPlate()},Honda,Fit,2020,油電`,
  ].join('\n');

  await page.goto(`${BASE_URL}/#/settings`);
  await signInWithPassword(page, login, password);
  const section = page.locator('section.data-transfer');
  await section.getByRole('heading', { name: '資料匯出／匯入' }).waitFor();
  await section.locator('input[type=file]').setInputFiles({ name: '客戶.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await section.getByText('共 4 列：新增客戶 2 位、車輛 2 輛，已存在 0 筆，有問題 2 列。').waitFor();
  const rows = section.locator('table.import-errors tbody tr');
  assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), ['3', '4']);
  assert.match(await rows.nth(0).innerText(), /電話號碼格式不正確/);
  assert.match(await rows.nth(1).innerText(), /車牌格式不正確/);
  await section.scrollIntoViewIfNeeded();
  await assertLayout(page, 'data import');
  await screenshot(page, 'data-import-tablet');

  // The same file again adds nothing.
  await section.locator('input[type=file]').setInputFiles({ name: '客戶.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await section.getByText('共 4 列：新增客戶 0 位、車輛 0 輛，已存在 4 筆，有問題 2 列。').waitFor();

  // The shop's export runs as a job: the bar shows while its state is asked for. Answers to
  // those questions are held back here (a slow network) to see the bar, and through a reload,
  // which follows the same job rather than starting another.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const starts = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/exports')) starts.push(request);
  });
  await page.route('**/api/exports/*', async (route) => { await held; await route.continue(); });
  const exportButton = section.getByRole('button', { name: '匯出全店資料' });
  await exportButton.tap();
  await exportButton.tap({ force: true }); // a second tap while it runs starts nothing
  const bar = section.getByRole('progressbar', { name: '進度' });
  await bar.waitFor();
  await section.getByText(/^匯出中… \d+%/).waitFor();
  assert.equal(await exportButton.isDisabled(), true);
  await bar.scrollIntoViewIfNeeded();
  await screenshot(page, 'shop-export-running-tablet');
  await page.reload();
  await page.locator('section.data-transfer').getByRole('progressbar', { name: '進度' }).waitFor();
  release();
  await section.getByText(/^已匯出：客戶 \d+ 位/).waitFor();
  assert.equal(starts.length, 1, 'one export started');
  const zip = await context.request.get(await section.getByRole('link', { name: '下載 CSV（Excel 可開）' }).getAttribute('href'));
  assert.equal(zip.status(), 200);
  assert.deepEqual(errors, []);
  await context.close();
});
