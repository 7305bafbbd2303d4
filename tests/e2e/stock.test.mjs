// The stock of kept parts (庫存) on the tablet and the phone: a part below its minimum is on the
// 低於安全量 list and in its CSV; goods received (進貨) on the screen move it above its minimum
// and off the list; a count (盤點) sets what is on the shelf; a technician only reads.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aTechnician, apiAs, assertLayout, demoLogin, eventually, signInWithPassword } from './shop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.SL_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A part in the demo shop's catalogue, written as its item against the test stack's engines
 * (the catalogue's own routes are another part of the app); answers its part key. */
async function aCataloguePart(shopId, partNumber, name) {
  const script = `
import json, sys
from chalicelib import models
from chalicelib.core import aws, clock
aws.reset()
a = json.loads(sys.argv[1])
key = models.part_key(a["part_number"], "TOYOTA")
models.CataloguePart.from_dict({
    **models.CataloguePart.key(a["shop_id"], key), "shop_id": a["shop_id"], "part_key": key,
    "part_number": a["part_number"], "name": a["name"], "grade": "oem", "brand": "TOYOTA",
    "price": 880, "updated_at": clock.now_iso()}).save()
print(key)`;
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, JSON.stringify({
    shop_id: shopId, part_number: partNumber, name,
  })], { cwd: ROOT, env: process.env });
  return stdout.trim().split('\n').pop();
}

const newNumber = () => `04465-${randomBytes(3).toString('hex').toUpperCase()}`;

async function streamBytes(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

test('a part below its minimum is on the list and in the CSV; goods received move it above', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const shopId = owner.session.shop.shop_id;
  const number = newNumber();
  const key = await aCataloguePart(shopId, number, '前煞車來令片');
  await owner.put(`/api/stock/${encodeURIComponent(key)}`, { on_hand: 1, minimum: 4 });
  const plenty = await aCataloguePart(shopId, newNumber(), '雨刷');
  await owner.put(`/api/stock/${encodeURIComponent(plenty)}`, { on_hand: 12, minimum: 2 });

  await page.goto(`${BASE_URL}/#/stock`);
  await signInWithPassword(page, login, password);
  await page.getByRole('heading', { name: '零件庫存', exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name: '庫存', exact: true }).getAttribute('aria-current'), 'page');

  // 低於安全量: the short part, not the one with plenty.
  await page.getByRole('button', { name: /^低於安全量（\d+）$/ }).tap();
  const item = page.locator(`[data-part="${key}"]`);
  await item.waitFor();
  await item.getByText('低於安全量', { exact: true }).waitFor();
  assert.equal(await page.locator(`[data-part="${plenty}"]`).count(), 0);
  assert.deepEqual(await item.locator('dd').allTextContents(), ['1', '0', '1', '4']);
  await assertLayout(page, 'the stock list below the minimum (tablet)');
  await screenshot(page, 'stock-below-tablet');

  // The CSV to order from: UTF-8 with a BOM, both languages in the header, the part and what to order.
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: '低於安全量清單 CSV' }).tap()]);
  assert.match(download.suggestedFilename(), /^stock-below-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await streamBytes(await download.createReadStream());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
  assert.equal(lines[0], '料號 Part number,品名 Name,庫存 On hand,已保留 Reserved,可用 Available,安全量 Minimum,建議訂購量 To order');
  assert.ok(lines.includes(`${number},前煞車來令片,1,0,1,4,3`), lines.join('\n'));

  // 進貨: six received, with a big tap target; it leaves the list below the minimum.
  await item.getByRole('button', { name: '進貨', exact: true }).tap();
  await item.getByLabel('進貨數量').fill('6');
  await screenshot(page, 'stock-receive-tablet');
  await item.getByRole('button', { name: '確定', exact: true }).tap();
  await page.getByText('已更新「前煞車來令片」。').waitFor();
  await page.getByRole('button', { name: '全部', exact: true }).tap();
  await item.getByText('低於安全量', { exact: true }).waitFor({ state: 'detached' });
  assert.deepEqual(await item.locator('dd').allTextContents(), ['7', '0', '7', '4']);
  const listed = (await owner.get('/api/stock')).items.find((row) => row.part_key === key);
  assert.equal(listed.on_hand, 7);
  assert.equal(listed.below, false);
  const below = (await owner.get('/api/stock?below=1')).items.map((row) => row.part_key);
  assert.ok(!below.includes(key));

  // 盤點: the shelf holds five.
  await item.getByRole('button', { name: '盤點', exact: true }).tap();
  await item.getByLabel('架上實際數量').fill('5');
  await item.getByRole('button', { name: '確定', exact: true }).tap();
  await eventually(async () => (await item.locator('dd').first().textContent()) === '5', 'the count on the card');
  await assertLayout(page, 'the stock list (tablet)');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the stock is one column of cards, and a technician reads it without buttons', async () => {
  const { context, page } = await openPage(browser, 'phone');
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const key = await aCataloguePart(owner.session.shop.shop_id, newNumber(), '機油濾芯');
  await owner.put(`/api/stock/${encodeURIComponent(key)}`, { on_hand: 0, minimum: 6 });
  const technician = await aTechnician(context.request, owner, '張志豪');

  await page.goto(`${BASE_URL}/#/stock`);
  await signInWithPassword(page, technician.mobile, technician.password);
  const item = page.locator(`[data-part="${key}"]`);
  await item.waitFor();
  assert.equal(await item.getByRole('button').count(), 0);
  await assertLayout(page, 'the stock list (phone, technician)');
  await context.close();

  const owned = await openPage(browser, 'phone');
  await owned.page.goto(`${BASE_URL}/#/scan`);
  await signInWithPassword(owned.page, login, password);
  await owned.page.getByRole('link', { name: '庫存', exact: true }).tap(); // the phone's way in
  await owned.page.getByRole('heading', { name: '零件庫存', exact: true }).waitFor();
  await owned.page.getByRole('button', { name: /^低於安全量（\d+）$/ }).tap();
  await owned.page.locator(`[data-part="${key}"]`).getByRole('button', { name: '進貨', exact: true }).waitFor();
  await assertLayout(owned.page, 'the stock list (phone)');
  await screenshot(owned.page, 'stock-phone');
  await owned.context.close();
});
