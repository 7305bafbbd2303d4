import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, DEVICES, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, handBack, moveTo, signInWithPassword, signThroughApi,
} from './shop.mjs';
import { mouseStroke, touchStroke, wave } from './pad.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PORTRAIT = { width: 820, height: 1180 };

/** The screen's one scroller and the window: neither may move while a finger signs. */
const scrollPositions = (page) => page.evaluate(() => ({
  main: document.querySelector('main').scrollTop, window: scrollY,
}));

/** What the pad says it holds (data attributes kept by the pad for tests and tools). */
async function padState(page) {
  const pad = page.getByTestId('signature-pad');
  const read = async (name) => pad.getAttribute(`data-${name}`);
  return {
    points: Number(await read('points')), strokes: Number(await read('strokes')),
    ink: await read('ink'), width: Number(await read('width')),
  };
}

/** A mostly vertical stroke: the gesture that would scroll the page if the pad let it. */
const downStroke = (x) => Array.from({ length: 12 }, (_, i) => [x + 0.01 * Math.sin(i), 0.15 + (0.7 * i) / 11]);

/** Bring the pad fully into view and give its box. */
async function padBox(page) {
  const pad = page.getByTestId('signature-pad');
  await pad.evaluate((canvas) => canvas.scrollIntoView({ block: 'center' }));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return pad.boundingBox();
}

const signatureRow = (page, kind) => page.getByTestId(`signature-${kind}`);

test('the customer reads and signs the service authorization on a tablet; the advisor authorizes and prints it', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '林美華', make: 'Toyota', model: 'Corolla Altis' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '前輪煞車來令片更換', hours: 1.5, rate: 800 },
      { kind: 'part', description: '煞車來令片（前）', part_number: 'BP-0421', quantity: 1, unit_price: 2400 },
    ], { concerns: ['煞車異音', '方向盤抖動'], promisedAt: '2026-12-01T09:30:00Z' });
    // The walk-around found an amber light and a worn tyre: the authorization shows them.
    const now = new Date().toISOString();
    await owner.patch(`/api/orders/${order.order_id}/inspection`, { changes: [
      { field: 'fuel_eighths', value: 5, changed_at: now },
      { field: 'lights.engine', value: true, changed_at: now },
      { field: 'tyres.RR.outer', value: 2.5, changed_at: now },
    ] });
    // 1,200 + 2,400 + 0 = 3,600, tax included.
    assert.equal(order.totals.total, 3600);

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();

    // The customer brought the oil: a part line with no price, marked customer-supplied.
    await page.getByRole('button', { name: '新增項目' }).tap();
    await page.getByRole('button', { name: '零件', exact: true }).tap();
    await page.getByLabel('項目說明').fill('機油 5W-30 4L');
    await page.getByRole('checkbox', { name: /客戶自備零件/ }).check();
    await page.getByRole('button', { name: '加入工單' }).tap();
    await page.locator('.line', { hasText: '機油 5W-30 4L' }).getByText('客戶自備', { exact: true }).waitFor();
    await page.getByTestId('total').filter({ hasText: 'NT$3,600' }).waitFor();
    const oil = (await owner.get(`/api/orders/${order.order_id}`)).lines.find((l) => l.description === '機油 5W-30 4L');
    assert.equal(oil.customer_supplied, true);
    assert.equal(oil.amount, 0);

    // The advisor: the old parts go back to the customer, then the tablet goes to the customer.
    await page.getByRole('button', { name: '取回舊品', exact: true }).tap();
    await page.getByRole('button', { name: '取回舊品', exact: true, pressed: true }).waitFor();
    const signLink = page.getByRole('link', { name: '請客戶簽署委修確認單' });
    await signLink.tap();

    // The document as the customer gets it.
    await page.getByRole('heading', { name: /委修確認單/ }).waitFor();
    assert.equal(await page.getByTestId('doc-customer').innerText(), '林美華');
    assert.equal(await page.getByTestId('doc-total').innerText(), 'NT$3,600');
    for (const text of [order.vehicle.plate, '煞車異音', '方向盤抖動', '前輪煞車來令片更換', 'NT$2,400', '12/1 17:30',
      '取回舊品', '個人資料蒐集告知', '引擎', '5/8']) {
      assert.ok(await page.getByText(text, { exact: false }).first().isVisible(), `"${text}" is not on the document`);
    }
    const bodySize = await page.locator('.doc-line-description').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(bodySize >= 18, `the document's type is ${bodySize}px, under 18`);
    assert.equal(await page.getByLabel('簽署人姓名').inputValue(), '林美華', 'the signer is not prefilled');
    await assertLayout(page, 'the signing screen (tablet)');
    await screenshot(page, 'sign-document-tablet');

    // Hand-over mode: in the customer's hands the tablet shows the document and nothing else of
    // the shop's, whatever address is typed and after a reload.
    assert.equal(await page.getByRole('navigation').count(), 0, 'the staff navigation is in reach');
    assert.equal(await page.getByRole('button', { name: /登出|切換人員/ }).count(), 0, 'sign-out is in reach');
    await page.evaluate(() => { location.hash = '#/board'; });
    await page.getByRole('heading', { name: /委修確認單/ }).waitFor();
    assert.equal(await page.getByRole('heading', { name: '看板' }).count(), 0, 'the board opened in hand-over mode');
    await page.reload();
    await page.getByRole('heading', { name: /委修確認單/ }).waitFor();
    assert.equal(await page.getByRole('navigation').count(), 0, 'a reload left hand-over mode');
    await page.getByRole('button', { name: '交回服務顧問' }).tap();
    await page.getByLabel('登入密碼').fill('not the password');
    await page.getByRole('button', { name: '確認', exact: true }).tap();
    await page.getByText('密碼不正確').waitFor();
    await screenshot(page, 'hand-back-tablet');
    assert.equal(await page.getByRole('navigation').count(), 0, 'a wrong password took the tablet back');
    await page.getByRole('button', { name: '繼續給客戶看' }).tap();

    // Meanwhile the advisor adds a part on another tablet: what the customer reads is outdated.
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'part', description: '煞車油 DOT4', quantity: 1, unit_price: 400,
    });

    const confirm = page.getByRole('button', { name: '確認簽署' });
    const consent = page.getByRole('checkbox', { name: '我已閱讀並同意以上內容及個人資料蒐集告知' });
    assert.ok(await confirm.isDisabled(), 'confirm is enabled before anything is done');
    let box = await padBox(page);
    await consent.check();
    const cdp = await context.newCDPSession(page);
    const before = await scrollPositions(page);
    await mouseStroke(page, box, wave(0.08, 0.45, 0.5));
    await touchStroke(page, cdp, box, downStroke(0.55));
    await mouseStroke(page, box, wave(0.6, 0.92, 0.55));
    assert.deepEqual(await scrollPositions(page), before, 'the page scrolled while the customer signed');
    assert.equal((await padState(page)).ink, 'enough');
    await confirm.waitFor({ state: 'visible' });
    assert.ok(await confirm.isEnabled(), 'confirm stays disabled with name, consent and ink');

    // The server says the order changed: the new version is shown, to be read and signed again.
    await confirm.tap();
    await page.getByText('工單內容剛剛有變更').waitFor();
    await page.getByTestId('doc-total').filter({ hasText: 'NT$4,000' }).waitFor(); // the lines: nothing added
    assert.ok(await page.getByText('煞車油 DOT4').isVisible());
    assert.equal(await consent.isChecked(), false, 'the consent stays ticked for a document not read');
    assert.equal((await padState(page)).points, 0, 'the old signature stays on the pad');

    // Signed again, the last stroke redone; the tablet turned halfway.
    box = await padBox(page);
    await consent.check();
    const again = await scrollPositions(page);
    await touchStroke(page, cdp, box, wave(0.06, 0.4, 0.45));
    await mouseStroke(page, box, downStroke(0.48));
    await mouseStroke(page, box, [[0.5, 0.5], [0.52, 0.52]]); // a slip
    const slipped = await padState(page);
    await page.getByRole('button', { name: '重簽', exact: true }).tap();
    const kept = await padState(page);
    assert.equal(kept.strokes, slipped.strokes - 1, 'redo did not take back the last stroke');
    assert.deepEqual(await scrollPositions(page), again, 'the page scrolled while the customer signed');

    await page.setViewportSize(PORTRAIT);
    await page.waitForFunction((width) => Number(document.querySelector('[data-testid="signature-pad"]').dataset.width) !== width, kept.width);
    const turned = await padState(page);
    assert.equal(turned.points, kept.points, 'strokes were lost when the tablet turned');
    assert.equal(turned.strokes, kept.strokes);
    assert.ok(turned.width < kept.width, `the pad did not follow the screen (${kept.width} → ${turned.width})`);
    assert.equal(turned.ink, kept.ink, 'the signature no longer counts after the turn');
    const ratio = await page.getByTestId('signature-pad').evaluate((canvas) => canvas.width / canvas.offsetWidth);
    assert.equal(ratio, DEVICES.tablet.deviceScaleFactor, 'the canvas is not drawn at the screen\'s density');
    box = await padBox(page);
    await mouseStroke(page, box, wave(0.55, 0.94, 0.5));
    assert.equal((await padState(page)).ink, 'enough');
    await assertLayout(page, 'the signing screen, signed (tablet, portrait)');
    await screenshot(page, 'sign-authorization-tablet');

    const signed = page.waitForResponse((response) => response.url().endsWith(`/api/orders/${order.order_id}/signatures`)
      && response.request().method() === 'POST');
    await confirm.tap();
    assert.equal((await signed).status(), 201);
    await page.getByRole('heading', { name: '謝謝您，已完成簽署' }).waitFor();
    await handBack(page, password);

    // Back with the advisor, who sets that version aside (the customer wants the time changed)
    // and has version 2 signed: version 1 stays, greyed as superseded.
    await page.setViewportSize(DEVICES.tablet.viewport);
    await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();
    await signatureRow(page, 'authorization').filter({ hasText: '林美華 簽署' }).waitFor();
    assert.equal(await page.getByRole('link', { name: '請客戶簽署委修確認單' }).count(), 0, 'a signed document is offered again');
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: '作廢此版，修改後重簽' }).tap();
    await page.locator('.signed-superseded').filter({ hasText: '已作廢' }).waitFor();
    await page.getByRole('link', { name: '請客戶簽署委修確認單' }).waitFor();
    await owner.patch(`/api/orders/${order.order_id}`, { promised_at: '2026-12-01T10:30:00Z' });
    await signThroughApi(owner, order.order_id, 'authorization'); // on the other tablet, this time
    await page.reload();
    await page.locator('.signed:not(.signed-superseded)').filter({ hasText: '第 2 版' }).waitFor();
    assert.equal(await signatureRow(page, 'authorization').count(), 2);

    // The step the signature allows now succeeds.
    await page.getByRole('button', { name: '客戶已委修', exact: true }).tap();
    await page.getByTestId('order-state').filter({ hasText: '已委修' }).waitFor();
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.signed.authorization.version, 2, 'the order does not carry the signed authorization');
    assert.deepEqual(stored.signatures.map((s) => [s.version, s.signer_name, Boolean(s.superseded_at)]),
      [[1, '林美華', true], [2, '林美華', false]]);
    assert.equal(stored.consented_total, 4000);

    // The PDF: downloaded in a new window, and it is a PDF.
    const row = page.locator('.signed:not(.signed-superseded)');
    const linkAnswer = page.waitForResponse((response) => /\/signatures\/[^/]+\/pdf$/.test(response.url()));
    const popup = context.waitForEvent('page');
    await row.getByRole('button', { name: '下載 PDF' }).tap();
    const { url, filename } = await (await linkAnswer).json();
    assert.match(filename, /委修確認單.*\.pdf$/);
    await popup;
    const pdf = await context.request.get(url);
    assert.equal(pdf.status(), 200);
    assert.match(pdf.headers()['content-type'], /application\/pdf/);
    assert.equal((await pdf.body()).subarray(0, 4).toString('latin1'), '%PDF');

    // Print: the PDF's bytes in a frame of the app, printed from there.
    await row.getByRole('button', { name: '列印' }).tap();
    await page.waitForFunction(() => document.querySelector('iframe.print-frame')?.src.startsWith('blob:'));
    assert.equal(await page.getByRole('alert').count(), 0, 'printing showed an error');

    await page.locator('#documents-title').evaluate((title) => {
      const scroller = title.closest('.main');
      scroller.scrollTop += title.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 40;
    });
    await assertLayout(page, 'the order\'s documents (tablet)');
    await screenshot(page, 'order-documents-tablet');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('added work: the customer approves one item, declines the other and signs the estimate on a tablet', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '郭建宏', make: 'Ford', model: 'Focus' });
    const order = await anOrderWithLines(owner, car, [
      { kind: 'labour', description: '定期保養 40,000 公里', hours: 2, rate: 900 },
    ]);
    await signThroughApi(owner, order.order_id, 'authorization');
    await moveTo(owner, order.order_id, 'authorized', 'in_progress');
    // The technician found more: two added items, priced by the advisor.
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'part', description: '雨刷片（一對）', quantity: 1, unit_price: 800, origin: 'additional',
    });
    await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'part', description: '冷氣濾網', quantity: 1, unit_price: 650, origin: 'additional',
    });

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').filter({ hasText: '維修中' }).waitFor();
    await page.getByRole('link', { name: '請客戶簽署追加估價單' }).tap();
    await page.getByRole('heading', { name: /追加估價單/ }).waitFor();

    // 1,800 consented before; the wipers approved: 800 more, as priced.
    assert.equal(await page.getByTestId('doc-consented-before').innerText(), 'NT$1,800');
    const line = (description) => page.getByRole('group', { name: description });
    await line('雨刷片（一對）').getByRole('button', { name: '同意', exact: true }).tap();
    assert.match(await page.getByTestId('sign-missing').innerText(), /還有 1 項未選擇/);
    await line('冷氣濾網').getByRole('button', { name: '不同意', exact: true }).tap();
    assert.equal(await page.getByTestId('doc-approved-now').innerText(), 'NT$800');
    assert.equal(await page.getByTestId('doc-total').innerText(), 'NT$2,600');

    await page.getByRole('checkbox', { name: /我已閱讀並同意/ }).check();
    const box = await padBox(page);
    const cdp = await context.newCDPSession(page);
    await touchStroke(page, cdp, box, wave(0.08, 0.5, 0.5));
    await mouseStroke(page, box, wave(0.55, 0.9, 0.45));
    assert.equal((await padState(page)).ink, 'enough');
    await page.locator('.doc-lines').evaluate((lines) => {
      const scroller = lines.closest('.main');
      scroller.scrollTop += lines.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 64;
    });
    await assertLayout(page, 'the estimate (tablet)');
    await screenshot(page, 'sign-estimate-tablet');

    await page.getByRole('button', { name: '確認簽署' }).tap();
    await page.getByRole('heading', { name: '謝謝您，已完成簽署' }).waitFor();
    await handBack(page, password);
    await signatureRow(page, 'estimate').filter({ hasText: '郭建宏 簽署' }).waitFor();

    const stored = await owner.get(`/api/orders/${order.order_id}`);
    const state = Object.fromEntries(stored.lines.map((l) => [l.description, l.state]));
    assert.deepEqual(state, { '定期保養 40,000 公里': 'approved', '雨刷片（一對）': 'approved', '冷氣濾網': 'declined' });
    assert.equal(stored.consented_total, 2600);
    assert.equal(stored.totals.total, 2600);
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});
