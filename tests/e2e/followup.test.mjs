// The advisor's follow-up calls (維修後關懷) on a tablet: a car delivered days ago is on the list
// after the daily job, one tap calls the customer, an unhappy customer opens a case, the case is
// on the board until it is closed there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { request as apiRequest } from 'playwright-core';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword } from './shop.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let browser, requests, owner;
before(async () => {
  browser = await launch();
  requests = await apiRequest.newContext();
  const { login, password } = demoLogin();
  owner = await apiAs(requests, login, password);
});
after(async () => {
  await browser?.close();
  await requests?.dispose();
});

/** `make daily` as that day: what the daily Lambda does at 06:00 (the engines of this test run). */
function dailyJobOn(date) {
  const run = spawnSync(`${ROOT}.venv/bin/python`, ['-m', 'devstack', 'daily', '--date', date],
    { cwd: ROOT, env: process.env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

/** Taipei's date `days` from today. */
function taipeiDay(days) {
  const at = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(at);
}

async function aDeliveredOrder(name) {
  const car = await aCustomerWithVehicle(owner, { name, make: 'Nissan', model: 'Sentra' });
  const order = await anOrder(owner, car);
  await moveTo(owner, order.order_id, 'authorized', 'in_progress', 'quality_check', 'ready', 'delivered');
  return { order, car };
}

test('the follow-up list calls the customer, records an issue, and the case is closed on the board', async () => {
  const unhappy = await aDeliveredOrder('黃志明');
  const next = await aDeliveredOrder('蔡佩君');
  // Not due today: delivered just now. The job run as it will run three days from now lists them.
  const ran = dailyJobOn(taipeiDay(3));
  assert.ok(ran.followups.due >= 2, JSON.stringify(ran));

  const { context, page } = await openPage(browser, 'tablet');
  await page.goto(`${BASE_URL}/#/followups`);
  await signInWithPassword(page, demoLogin().login, demoLogin().password);
  await page.goto(`${BASE_URL}/#/followups`);
  const card = page.locator(`[data-order="${unhappy.order.order_id}"]`);
  await card.waitFor();
  const call = card.getByRole('link', { name: /撥打/ });
  const digits = unhappy.car.customer.mobile.replace(/\D/g, '').slice(-8);
  assert.match(await call.getAttribute('href'), new RegExp(`^tel:\\+?\\d*${digits}$`));
  await assertLayout(page, 'the follow-up list');
  await screenshot(page, 'followups-tablet');

  await card.getByRole('button', { name: '記錄通話' }).tap();
  await card.getByRole('button', { name: '有聯絡上' }).waitFor();
  await card.getByRole('button', { name: '有問題' }).tap();
  await card.getByLabel('備註').fill('客戶說交車後冷氣還是不太冷');
  await card.getByLabel('客戶反映的問題').fill('冷氣不冷，請客戶回廠複檢');
  await assertLayout(page, 'the call record with a case');
  await screenshot(page, 'followup-record-tablet');
  await card.getByRole('button', { name: '儲存紀錄' }).tap();
  await card.waitFor({ state: 'detached' });
  await page.locator(`[data-order="${next.order.order_id}"]`).waitFor();
  const followed = await owner.get(`/api/orders/${unhappy.order.order_id}`);
  assert.equal(followed.state, 'followed_up');

  await page.goto(`${BASE_URL}/#/board`);
  const cases = page.getByRole('region', { name: /處理中的客訴案件/ });
  const row = cases.locator('li').filter({ hasText: '冷氣不冷，請客戶回廠複檢' });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(unhappy.car.vehicle.plate));
  await assertLayout(page, 'the board with an open case');
  await screenshot(page, 'board-cases-tablet');
  // The manager gives the case a later due date before closing it.
  await row.getByRole('button', { name: '轉交／改期限' }).tap();
  const due = row.getByLabel('處理期限');
  const later = (await due.inputValue()).replace(/-(\d\d)$/, (_, day) => `-${day === '28' ? '27' : '28'}`);
  await due.fill(later);
  await row.getByRole('button', { name: '儲存', exact: true }).tap();
  await row.getByText(`期限 ${later}`).waitFor();
  const moved = (await owner.get('/api/cases?state=open')).cases.find((item) => item.order_id === unhappy.order.order_id);
  assert.equal(moved.due_on, later);
  await row.getByRole('button', { name: '結案' }).tap();
  await row.getByLabel('處理結果').fill('已回廠補充冷媒，客戶確認冷氣正常');
  await row.getByRole('button', { name: '確認結案' }).tap();
  await row.waitFor({ state: 'detached' });
  const closed = await owner.get('/api/cases?state=closed');
  const mine = closed.cases.find((item) => item.order_id === unhappy.order.order_id);
  assert.equal(mine.resolution, '已回廠補充冷媒，客戶確認冷氣正常');
  await context.close();

  const phone = await openPage(browser, 'phone');
  await phone.page.goto(`${BASE_URL}/#/board`);
  await signInWithPassword(phone.page, demoLogin().login, demoLogin().password);
  // The phone's nav has no 關懷 tab: the board links to it.
  await phone.page.getByRole('link', { name: '關懷' }).tap();
  await phone.page.locator(`[data-order="${next.order.order_id}"]`).waitFor();
  await assertLayout(phone.page, 'the follow-up list on a phone');
  await screenshot(phone.page, 'followups-phone');
  await phone.context.close();
});
