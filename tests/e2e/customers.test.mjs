import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, apiAs, assertLayout, demoLogin, eventually, newMobile, newPlate, signInWithPassword,
} from './shop.mjs';

// Customer records without duplicates (issue 18), on a tablet at the counter.

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const national = (e164) => `0${e164.replace(/^\+886/, '')}`;
const written = (e164) => national(e164).replace(/^(\d{4})(\d{3})(\d{3})$/, '$1-$2-$3');

test('the new-order flow finds the customer by mobile and the car by a plate typed without its dash', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '蔡佳穎', make: 'Nissan', model: 'Kicks' });

    await page.goto(`${BASE_URL}/#/orders/new`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '開立工單' }).waitFor();

    // The plate as a person types it: lower case, no dash. The car on file is offered.
    await page.getByLabel('車牌').fill(car.vehicle.plate.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: new RegExp(`${car.vehicle.plate}.*Kicks.*蔡佳穎`) }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^新車牌/ }).count(), 0, 'a registered plate was offered as new');

    // Their second car: a new plate; the number typed with +886 and spaces finds them.
    const plate = newPlate();
    await page.getByLabel('車牌').fill(plate.replace('-', ''));
    await page.getByRole('button', { name: `新車牌 ${plate.replace('-', '')}：建立車主與車輛` }).tap();
    const typed = `+886 ${national(car.customer.mobile).slice(1).replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3')}`;
    await page.getByLabel('手機').fill(typed);
    const found = page.getByRole('button', { name: new RegExp(`蔡佳穎.*${written(car.customer.mobile)}`) });
    await found.waitFor();
    assert.equal(await page.getByLabel('姓名').count(), 0, 'a new customer was offered for a number on file');
    await assertLayout(page, 'the new order with the customer found (tablet)');
    await page.getByRole('group', { name: '動力' }).scrollIntoViewIfNeeded();
    await found.scrollIntoViewIfNeeded();
    await screenshot(page, 'new-order-found-tablet');
    await found.tap();
    await page.locator('.picked').filter({ hasText: '蔡佳穎' }).waitFor();
    await page.getByLabel('廠牌').fill('Nissan');
    await page.getByLabel('車型').fill('Sentra');
    await page.getByRole('button', { name: '開立工單' }).tap();
    await page.getByRole('heading', { name: plate }).waitFor();

    const { customers } = await owner.get(`/api/customers?phone=${national(car.customer.mobile)}`);
    assert.deepEqual(customers.map((c) => c.customer_id), [car.customer.customer_id], 'a second customer with the number');
    const { vehicles } = await owner.get(`/api/vehicles?plate=${car.vehicle.plate.replace('-', '')}`);
    assert.equal(vehicles.length, 1, 'a second vehicle with the plate');
    const page2 = await owner.get(`/api/customers/${car.customer.customer_id}`);
    assert.deepEqual(page2.vehicles.map((v) => v.plate).sort(), [car.vehicle.plate, plate].sort());
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a car sold to someone new: at check-in the advisor adds its new owner and the order is theirs, its history kept', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '郭明哲', make: 'Mazda', model: '3' });
    const buyer = newMobile();

    await page.goto(`${BASE_URL}/#/orders/new`);
    await signInWithPassword(page, login, password);
    await page.getByLabel('車牌').fill(car.vehicle.plate);
    await page.getByRole('button', { name: new RegExp(`${car.vehicle.plate}.*郭明哲`) }).tap();
    await page.getByRole('button', { name: '車主換人了？（過戶）' }).tap();
    await page.getByText('這輛車原本是 郭明哲 的').waitFor();
    await page.getByLabel('手機').fill(buyer);
    await page.getByLabel('姓名').fill('林雅婷');
    await page.getByRole('checkbox', { name: /個資告知/ }).check();
    await assertLayout(page, 'the new order with a new owner (tablet)');
    await screenshot(page, 'new-order-new-owner-tablet');
    await page.getByRole('button', { name: '開立工單' }).tap();
    await page.getByRole('heading', { name: car.vehicle.plate }).waitFor();

    const vehicle = await owner.get(`/api/vehicles/${car.vehicle.vehicle_id}`);
    assert.notEqual(vehicle.customer_id, car.customer.customer_id, 'the car is still the seller\'s');
    assert.deepEqual(vehicle.owners.map((o) => o.customer_name), ['林雅婷', '郭明哲']);
    const [order] = vehicle.orders;
    assert.equal(order.customer_name, '林雅婷');
    const { customers } = await owner.get(`/api/customers?phone=${buyer}`);
    assert.equal(customers.length, 1);
    assert.equal(customers[0].customer_id, vehicle.customer_id);
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a customer is edited into a company with a driver who brings the car, agrees to reminders and is shown a LINE QR', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '吳建國', make: 'Ford', model: 'Focus' });
    const id = car.customer.customer_id;

    await page.goto(`${BASE_URL}/#/customers/${id}`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '吳建國' }).waitFor();
    await page.getByRole('link', { name: new RegExp(`${car.vehicle.plate}.*維修履歷`) }).waitFor();
    assert.equal(await page.getByRole('link', { name: new RegExp(car.vehicle.plate) }).getAttribute('href'),
      `#/vehicles/${car.vehicle.vehicle_id}/history`);

    await page.getByRole('button', { name: '編輯客戶資料' }).tap();
    await page.getByLabel('電子郵件').fill('wu@example.tw');
    await page.getByRole('button', { name: '簡訊', exact: true }).tap();
    await page.getByRole('checkbox', { name: /公司行號/ }).check();
    await page.getByLabel('公司抬頭').fill('建國貨運有限公司');
    await page.getByLabel('統一編號').fill('04595258'); // a digit off: the checksum fails
    await page.getByRole('button', { name: '新增聯絡人' }).tap();
    await page.getByLabel('聯絡人姓名').fill('李司機');
    await page.getByLabel('聯絡人手機').fill('0922-333-444');
    await page.getByRole('button', { name: '儲存', exact: true }).tap();
    await page.getByRole('alert').filter({ hasText: '統一編號' }).waitFor();
    await page.getByLabel('統一編號').fill('04595257');
    await page.getByRole('checkbox', { name: /月結客戶/ }).check(); // a fleet: billed at month end
    await page.getByRole('button', { name: '儲存', exact: true }).tap();
    await page.getByText('建國貨運有限公司（統一編號 04595257） · 月結').waitFor();
    await page.getByText('送修人 李司機 0922-333-444').waitFor();

    // Consents: the notice on record; reminders asked and agreed to at the counter.
    const consents = page.getByTestId('customer-consents');
    await consents.getByText(/已同意 2026-01 版/).waitFor();
    await consents.getByRole('button', { name: /客戶同意接收/ }).tap();
    await consents.getByText(/^同意（2026-01 版/).waitFor();

    // LINE: the QR the customer scans.
    const line = page.getByTestId('line-binding');
    await line.getByRole('button', { name: '顯示 LINE 綁定 QR Code' }).tap();
    await line.getByRole('img', { name: 'LINE 綁定 QR Code' }).waitFor();
    await line.getByText(/綁定碼 [A-Z2-9]{10}/).waitFor();
    await line.scrollIntoViewIfNeeded();
    await screenshot(page, 'customer-line-tablet');

    const stored = await owner.get(`/api/customers/${id}`);
    assert.equal(stored.email, 'wu@example.tw');
    assert.equal(stored.channel, 'sms');
    assert.deepEqual(stored.company, { tax_id: '04595257', title: '建國貨運有限公司', monthly: true });
    assert.deepEqual(stored.contacts, [{ name: '李司機', mobile: '+886922333444', role: '送修人' }]);
    assert.equal(stored.marketing.agreed, true);

    await page.locator('main').evaluate((main) => main.scrollTo(0, 0));
    await assertLayout(page, 'the customer screen (tablet)');
    await screenshot(page, 'customer-tablet');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a manager merges a duplicate record of a customer into the one kept', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const kept = await aCustomerWithVehicle(owner, { name: '鄭雅文', make: 'Toyota', model: 'Vios' });
    const other = await aCustomerWithVehicle(owner, { name: '鄭雅文', make: 'Honda', model: 'Fit' });

    await page.goto(`${BASE_URL}/#/customers/${kept.customer.customer_id}`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '鄭雅文' }).waitFor();
    await page.getByRole('button', { name: '尋找要合併的客戶' }).tap();
    await page.getByLabel('另一筆資料的手機').fill(national(other.customer.mobile));
    await page.getByRole('button', { name: new RegExp(`鄭雅文.*${written(other.customer.mobile)}`) }).tap();
    await page.getByText(/將「鄭雅文（.*）」合併到「鄭雅文」/).waitFor();
    await page.getByRole('button', { name: '確認合併' }).tap();
    await page.getByRole('link', { name: new RegExp(other.vehicle.plate) }).waitFor();

    const merged = await owner.get(`/api/customers/${kept.customer.customer_id}`);
    assert.deepEqual(merged.vehicles.map((v) => v.plate).sort(), [kept.vehicle.plate, other.vehicle.plate].sort());
    const tombstone = await owner.get(`/api/customers/${other.customer.customer_id}`);
    assert.equal(tombstone.merged_into, kept.customer.customer_id);
    // The old record's link opens the kept customer.
    await page.goto(`${BASE_URL}/#/customers/${other.customer.customer_id}`);
    await eventually(async () => page.url().endsWith(`/customers/${kept.customer.customer_id}`), 'the old link resolving');
  } finally {
    await context.close();
  }
});
