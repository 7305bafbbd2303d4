// A new shop starts without a developer: the hosting team's command opens it, its owner opens the
// one-time link on a tablet, chooses a password and is signed in; adds a technician, registers
// this tablet and sees it listed, and edits a customer message with its preview.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { apiAs, assertLayout, newMobile } from './shop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.SL_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** `python -m devstack new-shop` against the test stack (its engines are in the environment). */
async function newShop(args) {
  const { stdout } = await promisify(execFile)(PYTHON, ['-m', 'devstack', 'new-shop', ...args, '--json'],
    { cwd: ROOT, env: process.env });
  return JSON.parse(stdout);
}

async function scrollTo(page, locator) {
  await locator.evaluate((el) => {
    const scroller = el.closest('.main');
    scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

test('a shop opened by the command is set up by its owner on a tablet from the one-time link', async () => {
  const shopId = `e2e-${randomBytes(4).toString('hex')}`;
  const ownerMobile = newMobile();
  const opened = await newShop(['--shop-id', shopId, '--name', '永豐汽車保養廠', '--tax-id', '04595257',
    '--phone', '02-2961-0000', '--address', '新北市板橋區文化路一段 1 號', '--hours', 'mon-fri 08:30-18:00, sat 09:00-12:00',
    '--owner-name', '陳老闆', '--owner-login', ownerMobile]);
  assert.equal(opened.shop_id, shopId);
  const [path, token] = opened.welcome_link.split('#');
  assert.equal(path, `${BASE_URL}/welcome`);
  assert.ok(token.length >= 40);

  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const password = `owner-${randomBytes(6).toString('hex')}`;

  // The link: choose a password twice, then signed in (the token gone from the address bar).
  await page.goto(opened.welcome_link);
  await page.getByRole('heading', { name: '歡迎使用 ServiceLane' }).waitFor();
  await page.getByLabel('新密碼', { exact: true }).fill(password);
  await page.getByLabel('再輸入一次新密碼').fill(`${password}x`);
  await page.getByRole('button', { name: '設定密碼並登入' }).tap();
  await page.getByText('兩次輸入的密碼不一樣。').waitFor();
  await page.getByLabel('再輸入一次新密碼').fill(password);
  await screenshot(page, 'welcome-tablet');
  await page.getByRole('button', { name: '設定密碼並登入' }).tap();
  await page.getByRole('heading', { name: '設定', exact: true }).waitFor();
  assert.ok(!page.url().includes(token), 'the token stays in the address bar');
  await assertLayout(page, 'settings of a new shop');

  // The profile the command made: 統一編號 and the opening hours.
  await page.getByLabel('統一編號').waitFor();
  assert.equal(await page.getByLabel('統一編號').inputValue(), '04595257');
  assert.equal(await page.getByLabel('週六 打烊').inputValue(), '12:00');
  await scrollTo(page, page.locator('fieldset.opening-hours'));
  await screenshot(page, 'shop-hours-tablet');

  // 員工: add a technician.
  const staff = page.locator('section.admin[aria-labelledby="staff-title"]');
  await scrollTo(page, staff);
  await staff.getByRole('button', { name: '新增員工' }).tap();
  const technicianMobile = newMobile();
  const technicianPassword = `tech-${randomBytes(6).toString('hex')}`;
  await staff.getByLabel('姓名').fill('李技師');
  await staff.getByLabel('職務', { exact: true }).selectOption('technician');
  await staff.getByLabel('手機或電子郵件（登入帳號）').fill(technicianMobile);
  await staff.getByLabel('初始密碼').fill(technicianPassword);
  await staff.getByRole('button', { name: '新增', exact: true }).tap();
  await staff.getByText('已新增 李技師。').waitFor();
  const row = staff.locator('.admin-row', { hasText: '李技師' });
  await row.waitFor();
  assert.equal(await row.getByRole('combobox').inputValue(), 'technician');
  await scrollTo(page, staff);
  await screenshot(page, 'settings-staff-tablet');
  await assertLayout(page, 'settings: staff');
  await apiAs(context.request, technicianMobile, technicianPassword);  // the technician signs in

  // 店內平板: register this tablet; it is listed as this one.
  const devicePanel = page.locator('section[aria-labelledby="device-title"]');
  await scrollTo(page, devicePanel);
  await devicePanel.getByLabel('平板名稱').fill('櫃台 iPad');
  await devicePanel.getByRole('button', { name: '登記此平板' }).tap();
  await devicePanel.getByText('此平板已登記為「櫃台 iPad」').waitFor();
  const tablet = devicePanel.locator('.admin-row', { hasText: '櫃台 iPad' });
  await tablet.getByText('這台', { exact: true }).waitFor();
  await tablet.getByText(/由 陳老闆 登記/).waitFor();
  await scrollTo(page, devicePanel);
  await screenshot(page, 'settings-tablets-tablet');
  await assertLayout(page, 'settings: tablets');

  // 通知設定: the preview follows the template as it is typed; saved.
  const notify = page.locator('form[aria-labelledby="notify-title"]');
  await scrollTo(page, notify);
  const preview = notify.locator('[data-preview="ready"]');
  await preview.getByText(/【永豐汽車保養廠】您的愛車 ABC-\*\*34 已完成維修/).waitFor();
  await notify.getByLabel('完工可取車').fill('{shop}通知：{plate} 修好了，共 NT${total}，歡迎取車！');
  await preview.getByText('永豐汽車保養廠通知：ABC-**34 修好了，共 NT$12,600，歡迎取車！', { exact: true }).waitFor();
  await notify.getByLabel('開始').fill('21:30');
  await scrollTo(page, notify.locator('.notify-step').nth(2));
  await screenshot(page, 'templates-preview-tablet');
  await notify.getByRole('button', { name: '儲存通知設定' }).tap();
  await notify.getByText('通知設定已儲存。').waitFor();
  // The documents print 民國 dates; the technician who left is deactivated and signs in no more.
  const dates = page.locator('section.document-dates');
  await scrollTo(page, dates);
  await dates.getByRole('button', { name: /^民國：/ }).tap();
  await dates.getByText('已儲存，之後印出的文件會用這種寫法。').waitFor();
  await scrollTo(page, staff);
  await row.getByRole('button', { name: '停用', exact: true }).tap();
  await staff.getByText('已停用 李技師，他的登入已全部登出。').waitFor();
  const refused = await context.request.post(`${BASE_URL}/api/auth/sign-in`,
    { data: { login: technicianMobile, password: technicianPassword } });
  assert.equal(refused.status(), 401, 'a deactivated technician signed in');

  const owner = await apiAs(context.request, ownerMobile, password);
  assert.equal((await owner.get('/api/shop/settings')).dates_roc, true);
  const settings = await owner.get('/api/shop/notification-settings');
  assert.equal(settings.templates.ready, '{shop}通知：{plate} 修好了，共 NT${total}，歡迎取車！');
  assert.equal(settings.quiet_start, '21:30');
  assert.deepEqual(errors, []);
  await context.close();
});
