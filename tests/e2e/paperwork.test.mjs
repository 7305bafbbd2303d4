// Every document of the standard (KPS5220-004v1) from its screen on a tablet: 預約表, 檢修確認表,
// 委修確認單, 估價單, 結帳清單, 派工表 and 維修後關懷紀錄表, each downloaded as the advisor opens it (a
// tab with the PDF) and read back with pdftotext, then printed from a frame of the app, with no
// console error. The first page of each is kept as a picture (docs/screenshots/paper-*.png).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword,
} from './shop.mjs';

const SCREENSHOTS = process.env.SL_SCREENSHOTS || join(tmpdir(), 'servicelane-screenshots');
let browser, pdfDir;
before(async () => {
  browser = await launch();
  pdfDir = mkdtempSync(join(tmpdir(), 'paperwork-'));
});
after(async () => { await browser?.close(); });

/** Each call of `print()` in any frame of the page, kept on the top window (as print.test.mjs). */
function watchPrinting() {
  const top = window.top;
  try {
    top.__printed ??= [];
  } catch {
    return; // a frame of the browser's own PDF viewer
  }
  window.print = () => void top.__printed.push(location.protocol);
}

/** Today in Taipei, as the shop's screens count days. */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Tap `button` (which opens the PDF in a tab), fetch the tab's PDF, keep its first page as a
 * picture and answer its text without spaces (pdftotext spaces CJK glyphs as laid out).
 */
async function download(context, button, name) {
  const popup = context.waitForEvent('page');
  await button.tap();
  const tab = await popup;
  await tab.waitForURL(/\.pdf\?/);
  const answer = await context.request.get(tab.url());
  assert.equal(answer.headers()['content-type'], 'application/pdf', `${name} is not a PDF`);
  const path = join(pdfDir, `${name}.pdf`);
  writeFileSync(path, await answer.body());
  await tab.close();
  mkdirSync(SCREENSHOTS, { recursive: true });
  execFileSync('pdftoppm', ['-r', '100', '-png', '-f', '1', '-l', '1', '-singlefile', path, join(SCREENSHOTS, `paper-${name}`)]);
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

/** Tap 列印 in `scope` and wait for the print dialog to be asked for a frame of the app. */
async function print(page, scope) {
  const before = await page.evaluate(() => window.__printed.length);
  await scope.getByRole('button', { name: '列印' }).tap();
  await page.waitForFunction((count) => window.__printed.length > count, before);
  assert.equal(await page.evaluate(() => window.__printed.at(-1)), 'blob:');
}

test('each of the seven documents downloads from its screen, reads back in Chinese and prints without a console error', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  try {
    await context.addInitScript(watchPrinting);
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);

    // An order whose walk-around was recorded, authorized (signed), at work with a finding to price.
    const car = await aCustomerWithVehicle(owner, { name: '黃淑惠', make: 'Nissan', model: 'Sentra' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '四輪定位', hours: 1, rate: 1200 },
    ], { concerns: ['方向盤偏右'] });
    const at = (seconds) => new Date(Date.now() - seconds * 1000).toISOString();
    await owner.patch(`/api/orders/${order.order_id}/inspection`, { changes: [
      { field: 'fuel_eighths', value: 5, changed_at: at(60) },
      { field: 'tyres.LF.outer', value: 2.4, changed_at: at(59) },
      { field: 'tyres.LF.centre', value: 3.1, changed_at: at(58) },
      { field: 'tyres.LF.inner', value: 3.3, changed_at: at(57) },
      { field: 'tyres.LF.dot', value: '1221', changed_at: at(56) },
      { field: 'checklist.headlights', value: { status: 'green' }, changed_at: at(55) },
      { field: 'damage.mark1', value: { x: 0.2, y: 0.3, kind: 'dent', note: '左前門凹陷' }, changed_at: at(54) },
    ] });
    await moveTo(owner, order.order_id, 'authorized', 'in_progress');
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'part', description: '左前輪胎', quantity: 1, unit_price: 3200,
    });
    // A booking today, and a car delivered whose follow-up call was made today.
    await owner.post('/api/appointments', {
      appointment_id: randomUUID(), at: `${today()}T16:30:00+08:00`, duration_minutes: 60,
      purpose: '更換雨刷', source: 'line', customer_id: car.customer.customer_id, vehicle_id: car.vehicle.vehicle_id,
    });
    const other = await aCustomerWithVehicle(owner, { name: '蔡宗翰', make: 'Mazda', model: '3' });
    const delivered = await anOrderWithLines(owner, other, [{ kind: 'labour', description: '保養', hours: 1, rate: 800 }]);
    await moveTo(owner, delivered.order_id, 'authorized', 'in_progress', 'quality_check', 'ready', 'delivered');
    await owner.post(`/api/orders/${delivered.order_id}/followup`, {
      client_id: randomUUID(), outcome: 'no_answer', note: '下午再撥一次',
    });

    // 預約表, from the appointments screen
    await page.goto(`${BASE_URL}/#/appointments`);
    await signInWithPassword(page, login, password);
    const day = page.getByTestId('paper-appointments-day');
    await day.waitFor();
    await page.getByText('更換雨刷').first().waitFor();
    await assertLayout(page, 'the appointments with their PDF buttons (tablet)');
    await screenshot(page, 'paper-appointments-tablet');
    let text = await download(context, day.getByRole('button', { name: '本日預約表 PDF' }), 'appointments');
    assert.ok(text.includes('預約表') && text.includes(car.vehicle.plate) && text.includes('黃淑惠'), text);
    assert.ok(text.includes('更換雨刷') && text.includes('16:30') && text.includes('LINE'), text);
    await print(page, day);
    text = await download(context, page.getByTestId('paper-appointments-week').getByRole('button', { name: '本週預約表 PDF' }), 'appointments-week');
    assert.ok(text.includes('（一）') && text.includes('（日）') && text.includes('更換雨刷'), text);

    // 檢修確認表, whole, from the walk-around screen
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}/walkaround`);
    const walk = page.getByTestId('paper-inspection');
    await walk.waitFor();
    await walk.scrollIntoViewIfNeeded();
    await assertLayout(page, 'the walk-around with its PDF buttons (tablet)');
    await screenshot(page, 'paper-walkaround-tablet');
    text = await download(context, walk.getByRole('button', { name: '檢修確認表 PDF' }), 'inspection');
    for (const shown of ['檢修確認表', car.vehicle.plate, '外側mm', '中間mm', '內側mm', '製造週/年', '第12週/2021年',
      '2.4', '5/8', '左前門凹陷', '大燈（遠、近光）', '正常', '未檢查']) {
      assert.ok(text.includes(shown), `the walk-around PDF lacks ${shown}`);
    }
    await print(page, walk);

    // 委修確認單 (signed), 估價單 and 結帳清單 (drafts), from the order screen
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    const signed = page.getByTestId('signature-authorization');
    await signed.waitFor();
    text = await download(context, signed.getByRole('button', { name: '下載 PDF' }), 'authorization');
    assert.ok(text.includes('委修確認單') && text.includes('四輪定位') && text.includes('方向盤偏右'), text);
    await print(page, signed);
    const estimate = page.getByTestId('draft-estimate');
    await estimate.waitFor();
    text = await download(context, estimate.getByRole('button', { name: '草稿 PDF（未簽署）' }), 'estimate-draft');
    assert.ok(text.includes('估價單') && text.includes('左前輪胎') && text.includes('草稿'), text);
    await print(page, estimate);
    const checkout = page.getByTestId('draft-checkout');
    text = await download(context, checkout.getByRole('button', { name: '草稿 PDF（未簽署）' }), 'checkout-draft');
    assert.ok(text.includes('結帳清單') && text.includes('四輪定位') && text.includes('草稿'), text);
    await print(page, checkout);
    await page.locator('#documents-title').evaluate((title) => title.scrollIntoView());
    await assertLayout(page, 'the order\'s documents with drafts (tablet)');
    await screenshot(page, 'paper-order-documents-tablet');

    // 派工表, from the jobs screen
    await page.goto(`${BASE_URL}/#/jobs`);
    const sheet = page.getByTestId('paper-dispatch');
    await sheet.waitFor();
    text = await download(context, sheet.getByRole('button', { name: 'A4 派工表 PDF' }), 'dispatch');
    assert.ok(text.includes('派工表'), text);
    await print(page, sheet);

    // 維修後關懷紀錄表, from the follow-ups screen
    await page.goto(`${BASE_URL}/#/followups`);
    const calls = page.getByTestId('paper-followups');
    await calls.waitFor();
    await assertLayout(page, 'the follow-ups with their PDF buttons (tablet)');
    await screenshot(page, 'paper-followups-tablet');
    text = await download(context, calls.getByRole('button', { name: '今日關懷紀錄表 PDF' }), 'followups');
    assert.ok(text.includes('維修後關懷紀錄表') && text.includes(other.vehicle.plate) && text.includes('蔡宗翰'), text);
    assert.ok(text.includes('未接') && text.includes('下午再撥一次'), text);
    await print(page, calls);

    assert.equal(await page.getByRole('alert').count(), 0, 'a screen showed an error');
    assert.deepEqual(errors, [], 'the console had errors');
  } finally {
    await context.close();
  }
});
