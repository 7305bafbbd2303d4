import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, eventually, signInWithPassword } from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const taipeiToday = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);

test('the owner reads the shop\'s numbers for a period on the tablet, turned either way, and downloads them', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const today = taipeiToday();

  // An order opened now reaches today's figures through the stream (the poller of the stack).
  const before = await owner.get(`/api/dashboard?from=${today}&to=${today}`);
  await anOrder(owner, await aCustomerWithVehicle(owner, { name: '周志明' }));
  await eventually(async () => (await owner.get(`/api/dashboard?from=${today}&to=${today}`)).orders.opened === before.orders.opened + 1,
    'the new order in today\'s figures');

  await page.goto(`${BASE_URL}/#/dashboard`);
  await signInWithPassword(page, login, password);
  await page.getByRole('heading', { name: '營運報表', exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name: '營運報表' }).getAttribute('aria-current'), 'page');

  // This month first; then the last 90 days, with the demo shop's two months behind it.
  await page.getByRole('button', { name: '本月' }).and(page.locator('[aria-pressed="true"]')).waitFor();
  await page.getByRole('button', { name: '近 90 天' }).tap();
  await page.getByText(/，共 90 天$/).waitFor();
  const ninety = await owner.get(`/api/dashboard?from=${addDays(today, -89)}&to=${today}`);
  assert.ok(ninety.orders.opened > 50, `the demo history shows (${ninety.orders.opened} orders)`);
  const cards = page.locator('.dashboard-card');
  await cards.first().waitFor();
  assert.equal(await cards.count(), 10); // six of the orders, four of the bookings
  // The bookings: by source, the show rate, the no-shows, the orders they became.
  const bookings = page.getByRole('list', { name: '預約' });
  for (const name of ['預約來源', '到場率', '未到', '預約轉工單']) {
    await bookings.locator('.dashboard-card').filter({ hasText: name }).waitFor();
  }
  const rate = ninety.bookings.show_rate;
  await bookings.locator('.dashboard-card').filter({ hasText: '到場率' })
    .getByText(rate === null ? '—' : `${Math.round(rate * 100)}%`, { exact: true }).waitFor();
  await page.locator('.dashboard-card').filter({ hasText: '每日工單' }).getByText(String(ninety.orders.per_day), { exact: true }).waitFor();
  await page.locator('.dashboard-card').filter({ hasText: '營收' }).getByText(`NT$${ninety.orders.revenue.toLocaleString('en-US')}`).waitFor();
  await page.getByRole('img', { name: '每日工單' }).locator('canvas').waitFor();
  await page.getByRole('img', { name: '每日營收' }).locator('canvas').waitFor();
  await page.getByRole('row', { name: /維修中/ }).waitFor();
  await page.getByRole('row', { name: /^LINE \d/ }).waitFor();
  await page.getByRole('row', { name: /^網頁推播/ }).waitFor();
  await assertLayout(page, 'the dashboard (tablet landscape)');
  await screenshot(page, 'dashboard-tablet');
  await bookings.scrollIntoViewIfNeeded();
  await screenshot(page, 'dashboard-bookings-tablet');

  // The CSV of the period: a file, UTF-8 with a BOM, a row per day.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下載 CSV' }).tap()]);
  assert.equal(download.suggestedFilename(), `dashboard-${addDays(today, -89)}-${today}.csv`);
  const bytes = await streamBytes(await download.createReadStream());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
  assert.equal(lines.length, 91);
  assert.match(lines[0], /^日期 Date,開單數 Orders opened,/);

  // A chosen period: a wrong one is refused on the spot, a right one is shown.
  await page.getByRole('button', { name: '自訂' }).tap();
  await page.getByLabel('從').fill(addDays(today, -400));
  await page.getByText('期間最長 366 天。').waitFor();
  assert.equal(await page.getByRole('button', { name: '查詢' }).isDisabled(), true);
  await page.getByLabel('從').fill(addDays(today, -6));
  await page.getByRole('button', { name: '查詢' }).tap();
  await page.getByText(/，共 7 天$/).waitFor();

  // Portrait: the same screen, one chart under the other.
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.getByRole('button', { name: '近 90 天' }).tap();
  await page.getByText(/，共 90 天$/).waitFor();
  await page.getByRole('img', { name: '每日營收' }).locator('canvas').waitFor();
  await assertLayout(page, 'the dashboard (tablet portrait)');
  await screenshot(page, 'dashboard-tablet-portrait');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an advisor has no dashboard tab, and the API refuses them the numbers', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const { password } = demoLogin();
  const advisorLogin = 'advisor@demo.servicelane.tw';
  await page.goto(`${BASE_URL}/#/board`);
  await signInWithPassword(page, advisorLogin, password);
  await page.getByRole('link', { name: '看板' }).waitFor();
  assert.equal(await page.getByRole('link', { name: '營運報表' }).count(), 0);
  const response = await context.request.get(`${BASE_URL}/api/dashboard?from=2026-01-01&to=2026-01-31`, {
    headers: { authorization: `Bearer ${(await signInApi(context.request, advisorLogin, password)).access_token}` },
  });
  assert.equal(response.status(), 403);
  await context.close();
});

async function signInApi(request, login, password) {
  const response = await request.post(`${BASE_URL}/api/auth/sign-in`, { data: { login, password } });
  assert.equal(response.status(), 200);
  return response.json();
}

function addDays(date, days) {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

async function streamBytes(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
