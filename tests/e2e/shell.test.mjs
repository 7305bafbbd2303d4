import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, layoutFaults, launch, openPage, screenshot, statusSaying } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function apiVersion(context) {
  const response = await context.request.get(`${BASE_URL}/api/health`);
  const body = await response.json();
  assert.equal(response.status(), 200, `the product under test is not healthy: ${JSON.stringify(body)}`);
  return body.version;
}

async function assertShellInChinese(device, screenshotName) {
  const { context, page } = await openPage(browser, device);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  try {
    const version = await apiVersion(context);
    await page.goto(`${BASE_URL}/`);

    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hant-TW');
    await page.getByRole('heading', { name: '登入' }).waitFor();
    for (const text of ['ServiceLane', '手機號碼或電子郵件', '密碼']) {
      assert.ok(await page.getByText(text, { exact: true }).isVisible(), `"${text}" is not visible`);
    }
    const signIn = page.getByRole('button', { name: '登入' });
    assert.ok(await signIn.isEnabled(), 'the sign-in button must work');
    assert.equal(await page.getByRole('textbox', { name: '手機號碼或電子郵件' }).getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('密碼').getAttribute('autocomplete'), 'current-password');

    const status = await statusSaying(page, '系統正常');
    assert.match(status, new RegExp(`版本 ${version.replaceAll('.', '\\.')}`));

    assert.deepEqual(await layoutFaults(page), []);
    assert.deepEqual(errors, [], 'the page logged errors');
    await screenshot(page, screenshotName);

    // Nothing typed: the form says what is missing without asking the API.
    await signIn.tap();
    assert.equal(await page.getByRole('alert').innerText(), '請輸入帳號與密碼');
  } finally {
    await context.close();
  }
}

test('the shell renders in zh-TW with a healthy status on a landscape tablet (1024×768)', () =>
  assertShellInChinese('tablet', 'shell-tablet'));

test('the shell renders in zh-TW with a healthy status on a portrait tablet (768×1024)', () =>
  assertShellInChinese('tabletPortrait', 'shell-tablet-portrait'));

test('the shell renders in zh-TW with a healthy status on a phone (390×844)', () =>
  assertShellInChinese('phone', 'shell-phone'));

test('one tap switches the shell to English, and English survives a reload', async () => {
  const { context, page } = await openPage(browser, 'phone');
  try {
    await page.goto(`${BASE_URL}/`);
    await statusSaying(page, '系統正常');
    await page.getByRole('button', { name: '切換為英文' }).tap();

    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await statusSaying(page, 'All systems normal');
    assert.equal(await page.getByText('手機號碼或電子郵件').count(), 0, 'Chinese text left behind');

    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    for (const text of ['Mobile number or email', 'Password']) {
      assert.ok(await page.getByText(text, { exact: true }).isVisible(), `"${text}" is not visible`);
    }
    await statusSaying(page, 'All systems normal');
    assert.deepEqual(await layoutFaults(page), []);
    await screenshot(page, 'shell-phone-en');

    // A refused sign-in shows the API's own message, asked for in English.
    const login = `nobody-${Date.now()}@example.tw`;
    const expected = await context.request.post(`${BASE_URL}/api/auth/sign-in`, {
      data: { login, password: 'not-this-one' }, headers: { 'Accept-Language': 'en' },
    });
    assert.equal(expected.status(), 401);
    const { error } = await expected.json();
    assert.equal(error.code, 'invalid_credentials');
    await page.getByLabel('Mobile number or email').fill(login);
    await page.getByLabel('Password').fill('not-this-one');
    await page.getByRole('button', { name: 'Sign in', exact: true }).tap();
    assert.equal(await page.getByRole('alert').innerText(), error.message);
    assert.equal(await page.getByRole('heading', { name: 'Sign in' }).count(), 1, 'a refused sign-in must not leave the form');

    await page.getByRole('button', { name: 'Switch to Chinese' }).tap();
    await page.getByRole('heading', { name: '登入' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hant-TW');
  } finally {
    await context.close();
  }
});
