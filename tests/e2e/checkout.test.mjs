// The checkout at the counter (結帳) on the tablet and the phone: an order paid in two payments
// (cash with change, then LINE Pay) whose 電子發票 goes to a mobile carrier; a company's invoice
// with a good 統一編號 and one whose check digit is wrong; the value-added centre down, the
// invoice waiting, then sent once; a void, a new invoice and an allowance by the owner; a delivery refused for
// the balance and let go by a manager; the day's cash-up adding up to the payments.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword,
  signThroughApi,
} from './shop.mjs';

// The value-added centre's stand-in (devstack), told to fail or work, and asked what it issued.
const CENTRE = process.env.SL_EINVOICE_STANDIN;

async function centreMode(request, mode) {
  const answer = await request.post(`${CENTRE}/_mode`, { data: { mode } });
  assert.ok(answer.ok(), `the centre stand-in's mode ${mode}: ${answer.status()}`);
}

async function centreIssued(request) {
  const answer = await request.get(`${CENTRE}/_issued`);
  assert.ok(answer.ok(), `the centre stand-in's issued list: ${answer.status()}`);
  const body = await answer.json();
  return Array.isArray(body) ? body : body.issued;
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const LINES = [
  { kind: 'labour', description: '前輪煞車來令片更換', hours: 2, rate: 800 },
  { kind: 'part', description: '前輪煞車來令片', part_number: 'BP-04465', quantity: 1, unit_price: 1650 },
]; // NT$3,250 with tax

/** An order of the demo shop at 待交車, and the owner's API. */
async function aReadyOrder(context, { name = '林美華', buyer } = {}) {
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const car = await aCustomerWithVehicle(owner, { name });
  const order = await anOrderWithLines(owner, car, LINES);
  if (buyer) await owner.patch(`/api/orders/${order.order_id}`, { buyer });
  await moveTo(owner, order.order_id, 'authorized', 'in_progress', 'quality_check', 'ready');
  return { owner, order: await owner.get(`/api/orders/${order.order_id}`), login, password };
}

async function openOrder(page, order, login, password) {
  await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
  await signInWithPassword(page, login, password);
  await page.getByTestId('order-state').filter({ hasText: '待交車' }).waitFor();
  const checkout = page.getByTestId('checkout');
  await checkout.waitFor();
  return checkout;
}

/** The invoice section once it says `state` (開立中, 已開立, …). */
async function invoiceSaying(checkout, state) {
  await checkout.getByTestId('invoice-state').filter({ hasText: new RegExp(`^${state}$`) }).waitFor({ timeout: 20_000 });
}

test('paid in two payments, cash with change then LINE Pay; the invoice goes to a mobile carrier and shows its number', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { owner, order, login, password } = await aReadyOrder(context);
    assert.equal(order.totals.total, 3250);
    const checkout = await openOrder(page, order, login, password);
    assert.equal(await checkout.getByTestId('pay-balance').innerText(), 'NT$3,250');

    // The invoice's carrier first: its format checked on the tablet, kept until the order is paid.
    const invoice = checkout.getByTestId('invoice');
    await invoice.getByRole('button', { name: '手機條碼', exact: true }).tap();
    const carrier = invoice.getByLabel('手機條碼', { exact: true });
    await carrier.fill('/abc12');
    await invoice.getByRole('button', { name: '儲存，付清時開立' }).tap();
    await invoice.getByText('手機條碼格式不正確：斜線「/」加 7 碼英數字（例如 /ABC+123）。').waitFor();
    await carrier.fill('/abc+123');
    assert.equal(await carrier.inputValue(), '/ABC+123');
    await invoice.getByRole('button', { name: '儲存，付清時開立' }).tap();
    await invoice.getByTestId('invoice-planned').filter({ hasText: '付清時自動開立：手機條碼 /ABC+123' }).waitFor();

    // Cash: NT$1,650 of it, the customer hands over NT$2,000; the change is shown big.
    await checkout.getByRole('button', { name: '現金', exact: true }).tap();
    const sheet = checkout.getByTestId('pay-sheet');
    assert.equal(await sheet.getByLabel('金額（元）').inputValue(), '3250'); // the balance, editable
    await sheet.getByLabel('金額（元）').fill('1650');
    assert.deepEqual(await sheet.locator('.pay-quick button').allInnerTexts(), ['剛好', 'NT$1,700', 'NT$2,000']);
    await sheet.getByRole('button', { name: 'NT$2,000', exact: true }).tap();
    assert.match(await sheet.getByTestId('pay-change').innerText(), /^找零\s*NT\$350$/);
    await sheet.getByRole('button', { name: '確認收款 NT$1,650' }).scrollIntoViewIfNeeded();
    await assertLayout(page, 'the cash sheet (tablet)');
    await screenshot(page, 'checkout-cash-tablet');
    // A double tap takes the money once: two clicks in the same instant.
    await sheet.getByRole('button', { name: '確認收款 NT$1,650' }).evaluate((button) => { button.click(); button.click(); });
    await checkout.getByTestId('pay-balance').filter({ hasText: 'NT$1,600' }).waitFor();
    assert.equal(await checkout.getByTestId('payment').count(), 1);

    // LINE Pay for the rest, with its transaction number.
    await checkout.getByRole('button', { name: 'LINE Pay', exact: true }).tap();
    assert.equal(await sheet.getByLabel('金額（元）').inputValue(), '1600');
    await sheet.getByLabel('交易序號').fill('LP20261207001');
    await sheet.getByRole('button', { name: '確認收款 NT$1,600' }).tap();
    await checkout.getByTestId('pay-settled').filter({ hasText: '已付清' }).waitFor();
    assert.equal(await checkout.getByTestId('pay-balance').innerText(), 'NT$0');

    // Paid: the invoice is issued to the carrier, and its number shows as AB-12345678.
    await invoiceSaying(checkout, '已開立');
    const number = await checkout.getByTestId('invoice-number').innerText();
    assert.match(number, /^[A-Z]{2}-\d{8}$/);
    assert.match(await checkout.getByTestId('invoice-random').innerText(), /^\d{4}$/);
    assert.equal(await checkout.getByTestId('invoice-proof').count(), 0); // a carrier's invoice is not printed
    await assertLayout(page, 'the paid order (tablet)');
    await screenshot(page, 'checkout-paid-tablet');

    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(stored.payments.map(({ method, amount, received, change, reference }) => ({ method, amount, received, change, reference })), [
      { method: 'cash', amount: 1650, received: 2000, change: 350, reference: undefined },
      { method: 'line_pay', amount: 1600, received: undefined, change: undefined, reference: 'LP20261207001' },
    ]);
    assert.deepEqual(stored.invoices.map(({ state, carrier }) => ({ state, carrier })), [
      { state: 'issued', carrier: { type: 'mobile', number: '/ABC+123' } },
    ]);
    assert.equal(stored.invoices[0].number, number.replace('-', ''));

    // A refund (owner, manager): by a method money was taken with, asked once more, shown in red.
    await checkout.getByRole('button', { name: '退款', exact: true }).tap();
    const refund = checkout.getByRole('form', { name: '退款（店長、經理）' });
    await refund.getByRole('button', { name: '現金 NT$1,650' }).tap();
    await refund.getByLabel('退款金額（元）').fill('100');
    await refund.getByLabel('原因', { exact: true }).fill('雨刷不換，退差額');
    let asked = '';
    page.once('dialog', (dialog) => { asked = dialog.message(); void dialog.accept(); });
    await refund.getByRole('button', { name: '確定退款 NT$100' }).tap();
    await checkout.locator('.payment-refund').filter({ hasText: '-NT$100' }).waitFor();
    assert.equal(asked, '確定要以現金退款 NT$100 給客戶嗎？');
    assert.equal(await checkout.getByTestId('pay-balance').innerText(), 'NT$100');
    assert.equal((await owner.get(`/api/orders/${order.order_id}`)).paid.refunded, 100);

    // The customer's page on their phone is the receipt: what was paid, how, and the invoice's number.
    const customer = await openPage(browser, 'phone');
    try {
      const link = await owner.get(`/api/orders/${order.order_id}/link`);
      await customer.page.goto(`${BASE_URL}${new URL(link.url).pathname}`);
      const receipt = customer.page.getByRole('region', { name: /收款明細/ });
      await receipt.getByText(number).waitFor();
      const text = await receipt.innerText();
      assert.match(text, /現金[\s\S]*NT\$1,650/);
      assert.match(text, /LINE Pay[\s\S]*NT\$1,600/);
      assert.match(text, /退款[\s\S]*-NT\$100/);
      assert.match(text, /尚未付[\s\S]*NT\$100/);
      await receipt.scrollIntoViewIfNeeded();
      await screenshot(customer.page, 'checkout-customer-receipt-phone');
    } finally {
      await customer.context.close();
    }

    // The phone: the same checkout in one column.
    const phone = await openPage(browser, 'phone');
    try {
      const phoneCheckout = await openOrder(phone.page, order, login, password);
      await phoneCheckout.getByTestId('invoice-number').filter({ hasText: number }).waitFor();
      await phoneCheckout.scrollIntoViewIfNeeded();
      await assertLayout(phone.page, 'the paid order (phone)');
      await screenshot(phone.page, 'checkout-paid-phone');
    } finally {
      await phone.context.close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a company\'s invoice: the 統一編號 comes from the order\'s buyer; a wrong check digit is refused by the field', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const buyer = { tax_id: '04595257', title: '大安汽車有限公司' };
    const { owner, order, login, password } = await aReadyOrder(context, { name: '陳志明', buyer });
    const checkout = await openOrder(page, order, login, password);
    const invoice = checkout.getByTestId('invoice');
    const taxId = invoice.getByLabel('統一編號');
    assert.equal(await taxId.inputValue(), '04595257');
    assert.equal(await invoice.getByLabel('抬頭（公司名稱）').inputValue(), '大安汽車有限公司');

    await taxId.fill('04595258');
    await invoice.getByRole('button', { name: '立即開立' }).tap();
    const refusal = page.locator('#invoice-tax-id-hint');
    await refusal.filter({ hasText: '統一編號不正確（8 位數字，檢查碼不符）。' }).waitFor();
    assert.equal(await taxId.getAttribute('aria-invalid'), 'true');
    await assertLayout(page, 'a refused 統一編號 (tablet)');
    await screenshot(page, 'checkout-taxid-refused-tablet');

    await taxId.fill('04595257');
    await invoice.getByRole('button', { name: '立即開立' }).tap();
    await invoiceSaying(checkout, '已開立');
    await invoice.getByText('大安汽車有限公司（統編 04595257）').waitFor();
    await checkout.getByTestId('invoice-proof').waitFor(); // a company's invoice is printed
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(stored.invoices.map(({ state, buyer: to }) => ({ state, to })), [{ state: 'issued', to: buyer }]);
    assert.equal(stored.paid, undefined); // issued before payment: 立即開立
  } finally {
    await context.close();
  }
});

test('the centre down: the invoice waits and says so; back up, 「重新傳送」 issues it exactly once', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { owner, order, login, password } = await aReadyOrder(context, { name: '黃雅琪' });
    await centreMode(context.request, 'down');
    try {
      const checkout = await openOrder(page, order, login, password);
      const invoice = checkout.getByTestId('invoice');
      await invoice.getByRole('button', { name: '列印紙本', exact: true }).tap();
      await invoice.getByRole('button', { name: '立即開立' }).tap();
      await invoiceSaying(checkout, '等待加值中心');
      await invoice.getByText('加值中心連線中斷，恢復後自動開立。').waitFor();
      await assertLayout(page, 'an invoice waiting for the centre (tablet)');
      await screenshot(page, 'checkout-centre-down-tablet');
    } finally {
      await centreMode(context.request, 'ok');
    }
    const checkout = page.getByTestId('checkout');
    await checkout.getByRole('button', { name: '重新傳送' }).tap();
    await invoiceSaying(checkout, '已開立');
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    const [sent] = stored.invoices;
    assert.equal(stored.invoices.length, 1);
    assert.equal(sent.state, 'issued');
    const issued = await centreIssued(context.request);
    const ours = issued.filter((item) => JSON.stringify(item).includes(sent.relate));
    assert.equal(ours.length, 1, `issued for ${sent.relate}: ${JSON.stringify(ours)}`);
  } finally {
    await context.close();
  }
});

test('the owner voids the issued invoice, issues it again, and makes an allowance on the new one', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { owner, order, login, password } = await aReadyOrder(context, { name: '吳宗憲' });
    const checkout = await openOrder(page, order, login, password);
    const invoice = checkout.getByTestId('invoice');
    await invoice.getByRole('button', { name: '列印紙本', exact: true }).tap();
    await invoice.getByRole('button', { name: '立即開立' }).tap();
    await invoiceSaying(checkout, '已開立');
    const first = await checkout.getByTestId('invoice-number').innerText();
    await checkout.getByTestId('invoice-proof').waitFor(); // a paper invoice has its 證明聯

    // 作廢, with its reason, asked once more.
    await invoice.getByRole('button', { name: '作廢', exact: true }).tap();
    await invoice.getByLabel('作廢原因').fill('買受人要改打統編');
    let asked = '';
    page.once('dialog', (dialog) => { asked = dialog.message(); void dialog.accept(); });
    await invoice.getByRole('button', { name: '確定作廢' }).tap();
    await invoiceSaying(checkout, '已作廢');
    assert.match(asked, new RegExp(`確定要作廢發票 ${first} 嗎`));
    await invoice.getByTestId('invoice-voided').filter({ hasText: `${first} 已於` }).waitFor();
    await invoice.getByTestId('invoice-change-void').filter({ hasText: '作廢 NT$3,250' }).waitFor();
    await checkout.getByTestId('invoice-state').evaluate((tag) => tag.scrollIntoView({ block: 'start' }));
    await assertLayout(page, 'a voided invoice (tablet)');
    await screenshot(page, 'checkout-voided-tablet');

    // Voided: issued again (a new number), then a 折讓 on the new one.
    await invoice.getByRole('button', { name: '列印紙本', exact: true }).tap();
    await invoice.getByRole('button', { name: '立即開立' }).tap();
    await invoiceSaying(checkout, '已開立');
    const second = await checkout.getByTestId('invoice-number').innerText();
    assert.notEqual(second, first);
    await invoice.getByRole('button', { name: '折讓', exact: true }).tap();
    await invoice.getByLabel('折讓金額（含稅，元）').fill('200');
    await invoice.getByLabel('折讓原因').fill('來令片改用副廠品，差價折讓');
    await invoice.getByRole('button', { name: '確定折讓 NT$200' }).tap();
    await invoice.getByTestId('invoice-allowed').filter({ hasText: 'NT$200' }).waitFor();
    await invoice.getByTestId('invoice-change-allowance').filter({ hasText: '折讓 NT$200' }).waitFor();
    await checkout.getByTestId('invoice-state').evaluate((tag) => tag.scrollIntoView({ block: 'start' }));
    await assertLayout(page, 'an invoice with an allowance (tablet)');
    await screenshot(page, 'checkout-allowance-tablet');

    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(stored.invoice_changes.map(({ kind, amount }) => ({ kind, amount })),
      [{ kind: 'void', amount: 3250 }, { kind: 'allowance', amount: 200 }]);
    assert.deepEqual(stored.invoices.map(({ state, allowed }) => ({ state, allowed })),
      [{ state: 'voided', allowed: undefined }, { state: 'issued', allowed: 200 }]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the delivery is refused while money is owed; the owner lets the car go unpaid with a reason', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { owner, order, login, password } = await aReadyOrder(context, { name: '劉家豪' });
    await owner.post(`/api/orders/${order.order_id}/payments`, { client_id: randomUUID(), method: 'cash', amount: 1000 });
    await signThroughApi(owner, order.order_id, 'checkout');
    const checkout = await openOrder(page, order, login, password);
    await checkout.getByTestId('pay-balance').filter({ hasText: 'NT$2,250' }).waitFor();

    await page.getByRole('button', { name: '交車', exact: true }).tap();
    await page.getByRole('alert').filter({ hasText: '還有 2,250 元尚未收款' }).waitFor();
    await page.getByRole('button', { name: '未收款放行' }).tap();
    await page.getByLabel('原因', { exact: true }).fill('月底車隊統一請款');
    await page.getByRole('button', { name: '確定放行' }).tap();
    await checkout.getByText('經理已放行未付款交車：月底車隊統一請款').waitFor();
    await page.getByRole('button', { name: '交車', exact: true }).tap();
    await page.getByTestId('order-state').filter({ hasText: '已交車' }).waitFor();
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.unpaid_release.reason, '月底車隊統一請款');
    assert.equal(stored.unpaid_release.balance, 2250);
  } finally {
    await context.close();
  }
});

test('the cash-up adds up to the day\'s payments, per method; its CSV downloads', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { owner, order, login, password } = await aReadyOrder(context, { name: '蔡佩玲' });
    const before = await owner.get('/api/cashup');
    const pay = (method, amount, extra = {}) => owner.post(`/api/orders/${order.order_id}/payments`,
      { client_id: randomUUID(), method, amount, ...extra });
    await pay('cash', 1250, { received: 1300 });
    await pay('card', 1000, { reference: '4321' });
    await pay('jko', 1000);

    await page.goto(`${BASE_URL}/#/cashup`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '日結', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: '日結', exact: true }).getAttribute('aria-current'), 'page');
    const money = (n) => `NT$${n.toLocaleString('en-US')}`;
    await page.getByTestId('cashup-total').filter({ hasText: money(before.total + 3250) }).waitFor();
    const expected = { ...before.methods, cash: before.methods.cash + 1250, card: before.methods.card + 1000, jko: before.methods.jko + 1000 };
    for (const [method, amount] of Object.entries(expected)) {
      assert.equal(await page.getByTestId(`cashup-method-${method}`).innerText(), money(amount), method);
    }
    // The day's list, row by row, adds up to each method's total and to the day's.
    const rows = await page.getByTestId('cashup-payment').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText)));
    const after = await owner.get('/api/cashup');
    assert.equal(rows.length, after.count);
    const byMethod = {};
    for (const row of after.payments) byMethod[row.method] = (byMethod[row.method] ?? 0) + row.amount;
    for (const [method, amount] of Object.entries(after.methods)) assert.equal(byMethod[method] ?? 0, amount, method);
    assert.equal(Object.values(after.methods).reduce((a, b) => a + b, 0), after.total);
    assert.ok(rows.some((cells) => cells[1] === order.number && cells[2].startsWith('街口支付') && cells[3] === 'NT$1,000'));
    await assertLayout(page, 'the cash-up (tablet)');
    await screenshot(page, 'cashup-tablet');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下載 CSV' }).tap()]);
    assert.equal(download.suggestedFilename(), `cashup-${after.day}.csv`);
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const csv = Buffer.concat(chunks).toString('utf8');
    assert.ok(csv.startsWith('\ufeff時間 Time,工單 Order'), csv.slice(0, 40));
    assert.ok(csv.includes(`${order.number},收款,街口支付,1000`), csv);

    const phone = await openPage(browser, 'phone');
    try {
      await phone.page.goto(`${BASE_URL}/#/board`);
      await signInWithPassword(phone.page, login, password);
      await phone.page.getByRole('link', { name: '日結', exact: true }).tap(); // the board's link on a phone
      await phone.page.getByTestId('cashup-total').filter({ hasText: money(after.total) }).waitFor();
      await assertLayout(phone.page, 'the cash-up (phone)');
      await screenshot(phone.page, 'cashup-phone');
    } finally {
      await phone.context.close();
    }
  } finally {
    await context.close();
  }
});
