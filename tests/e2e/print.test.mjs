// Printing a signed document from the order screen, within the app's own Content-Security-Policy:
// the PDF's bytes in a frame of the app, printed from there; a browser that shows no PDF inside a
// page (Chrome on Android) gets the PDF opened in its own viewer, which prints.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword } from './shop.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * In every frame of the page: each call of `print()` and each CSP violation, kept on the top
 * window (`__printed`, `__violations`). `noPdfViewer` makes the browser one with no PDF viewer.
 */
function watchPrinting({ noPdfViewer = false } = {}) {
  const top = window.top;
  try {
    top.__printed ??= [];
  } catch {
    return; // a frame of the browser's own PDF viewer, of another origin
  }
  top.__violations ??= [];
  window.print = () => void top.__printed.push(location.protocol);
  document.addEventListener('securitypolicyviolation', (event) => {
    top.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
  });
  if (noPdfViewer) Object.defineProperty(Navigator.prototype, 'pdfViewerEnabled', { get: () => false });
}

/** An order with a signed authorization, open on the tablet as the demo owner. */
async function aSignedOrderOnTheTablet(context, page) {
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const car = await aCustomerWithVehicle(owner, { name: '林美華', make: 'Toyota', model: 'Corolla Altis' });
  const order = await anOrderWithLines(owner, car, [{ kind: 'labour', description: '前輪煞車來令片更換', hours: 1.5, rate: 800 }]);
  await moveTo(owner, order.order_id, 'authorized');
  await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
  await signInWithPassword(page, login, password);
  const row = page.getByTestId('signature-authorization');
  await row.waitFor();
  return row;
}

/** The directives of a policy, by name. */
const directives = (policy) => Object.fromEntries(policy.split(';').map((part) => part.trim().split(/\s+/))
  .filter(([name]) => name).map(([name, ...values]) => [name, values.join(' ')]));

test('列印 prints the signed PDF from a frame of the app, with no CSP violation and no new tab', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [], consoleErrors = [], tabs = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  context.on('page', (opened) => tabs.push(opened.url()));
  try {
    await context.addInitScript(watchPrinting);
    const row = await aSignedOrderOnTheTablet(context, page);

    await row.getByRole('button', { name: '列印' }).tap();
    await page.waitForFunction(() => window.__printed.length > 0 || window.__violations.length > 0);
    const { printed, violations } = await page.evaluate(() => ({ printed: window.__printed, violations: window.__violations }));
    assert.deepEqual(violations, [], 'printing broke the page\'s Content-Security-Policy');
    assert.deepEqual(printed, ['blob:'], 'the print dialog was not asked for the PDF\'s frame');
    assert.deepEqual(tabs, [], 'printing opened a tab');
    assert.deepEqual(consoleErrors.filter((text) => /Content Security Policy/i.test(text)), []);
    assert.equal(await page.getByRole('alert').count(), 0, 'printing showed an error');
    await page.locator('#documents-title').evaluate((title) => title.scrollIntoView());
    await assertLayout(page, 'the order\'s documents after printing (tablet)');
    await screenshot(page, 'order-print-tablet');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a browser with no PDF viewer in the page (Chrome on Android) opens the PDF in its viewer to print, and says so', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await context.addInitScript(watchPrinting, { noPdfViewer: true });
    const row = await aSignedOrderOnTheTablet(context, page);

    const opened = context.waitForEvent('page');
    await row.getByRole('button', { name: '列印' }).tap();
    const viewer = await opened;
    await viewer.waitForURL(/\.pdf\?/);
    const hint = page.getByText('請從 PDF 檢視器的選單列印');
    await hint.waitFor();
    await page.bringToFront();
    await hint.evaluate((notice) => notice.scrollIntoView({ block: 'center' }));
    await assertLayout(page, 'the print hint of a browser with no PDF viewer (tablet)');
    await screenshot(page, 'order-print-viewer-tablet');
    const { printed, violations, frames } = await page.evaluate(() => ({
      printed: window.__printed, violations: window.__violations, frames: document.querySelectorAll('iframe').length,
    }));
    assert.deepEqual({ printed, violations, frames }, { printed: [], violations: [], frames: 0 });
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('the cloud\'s app shell allows the print frame exactly as the local server does', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const served = directives((await page.goto(`${BASE_URL}/`)).headers()['content-security-policy']);
    const web = JSON.parse(readFileSync(new URL('../../infra/web.json', import.meta.url), 'utf8'));
    const shell = web.Resources.ShellHeaders.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const cloud = directives(shell.ContentSecurityPolicy.ContentSecurityPolicy['Fn::Sub']);
    assert.equal(served['frame-src'], "'self' blob:");
    assert.equal(cloud['frame-src'], served['frame-src']);
    assert.equal(cloud['object-src'], served['object-src']);
  } finally {
    await context.close();
  }
});
