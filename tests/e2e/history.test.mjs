// A vehicle's 維修履歷 on a tablet and a phone: three visits built through the API (tread, pads
// and km going down and up), reached from the order screen, with its trends and the declined
// work still open; its A4 PDF for the owner opened and read back.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request as apiRequest } from 'playwright-core';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, apiAs, assertLayout, demoLogin, moveTo, signInWithPassword } from './shop.mjs';

let browser, requests, owner, folder;
before(async () => {
  browser = await launch();
  requests = await apiRequest.newContext();
  const { login, password } = demoLogin();
  owner = await apiAs(requests, login, password);
  folder = mkdtempSync(join(tmpdir(), 'history-'));
});
after(async () => {
  await browser?.close();
  await requests?.dispose();
  rmSync(folder, { recursive: true, force: true });
});

/** A delivered visit: opened at `km`, the walk-around's tread (front wheels) and pads, oil done
 * and each of `declined` declined before the authorization. */
async function aVisit(car, km, tread, pads, declined = []) {
  let order = await owner.post('/api/orders', {
    order_id: randomUUID(), customer_id: car.customer.customer_id, vehicle_id: car.vehicle.vehicle_id,
    concerns: ['定期保養'], waits_in_shop: false, mileage_km: km,
  });
  const at = new Date().toISOString();
  const changes = [
    ...['LF', 'RF'].flatMap((wheel) => ['inner', 'centre', 'outer'].map((groove, index) =>
      ({ field: `tyres.${wheel}.${groove}`, value: tread[index], changed_at: at }))),
    { field: 'brakes.front.pad_mm', value: pads, changed_at: at },
  ];
  await owner.patch(`/api/orders/${order.order_id}/inspection`, { changes });
  for (const description of ['更換機油與機油芯', ...declined]) {
    order = await owner.post(`/api/orders/${order.order_id}/lines`, {
      line_id: randomUUID(), kind: 'labour', description, hours: 0.5, rate: 1200,
    });
    if (declined.includes(description)) {
      const line = order.lines.at(-1);
      order = await owner.patch(`/api/orders/${order.order_id}/lines/${line.line_id}`, { state: 'declined' });
    }
  }
  return moveTo(owner, order.order_id, 'authorized', 'in_progress', 'quality_check', 'ready', 'delivered');
}

test('the history shows three visits with their trends, reached from an order, and its PDF reads back', async () => {
  const car = await aCustomerWithVehicle(owner, { name: '陳志豪', make: 'Honda', model: 'CR-V' });
  await aVisit(car, 52_300, [6.5, 6.2, 6.4], 9, ['前輪煞車來令片更換']);
  await aVisit(car, 61_800, [4.6, 4.1, 4.4], 6);
  const last = await aVisit(car, 71_450, [2.4, 1.4, 2.2], 3.5, ['四輪輪胎更換']);

  const { context, page } = await openPage(browser, 'tablet');
  try {
    await page.goto(`${BASE_URL}/#/orders/${last.order_id}`);
    await signInWithPassword(page, demoLogin().login, demoLogin().password);
    await page.goto(`${BASE_URL}/#/orders/${last.order_id}`);
    await page.getByTestId('history-link').tap();
    await page.getByRole('heading', { name: car.vehicle.plate }).waitFor();
    const visits = page.getByTestId('visit');
    await visits.nth(2).waitFor();
    assert.equal(await visits.count(), 3);
    assert.match(await visits.first().innerText(), /71,450 km/);
    assert.match(await visits.last().innerText(), /52,300 km[\s\S]*前輪煞車來令片更換/);
    const leftFront = page.getByTestId('trend-tyre-LF');
    assert.match(await leftFront.innerText(), /1\.4 mm/);
    assert.equal(await leftFront.locator('circle').count(), 3);
    assert.equal(await leftFront.locator('.sparkline-low').count(), 1); // under the legal 1.6 mm
    assert.equal(await page.getByTestId('trend-pad-front').locator('circle').count(), 3);
    assert.match(await page.getByTestId('trend-mileage').innerText(), /71,450 km/);
    const declined = page.getByRole('region', { name: '客戶未做、之後也還沒做的項目' });
    assert.match(await declined.innerText(), /前輪煞車來令片更換[\s\S]*四輪輪胎更換/);
    await assertLayout(page, 'the vehicle history (tablet)');
    await screenshot(page, 'vehicle-history-tablet');
    await visits.first().scrollIntoViewIfNeeded();
    await screenshot(page, 'vehicle-history-visits-tablet');

    const popup = page.waitForEvent('popup');
    await page.getByTestId('history-pdf').tap();
    const tab = await popup;
    await tab.waitForURL(/history-/);
    const pdf = await context.request.get(tab.url());
    const path = join(folder, 'history.pdf');
    writeFileSync(path, await pdf.body());
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' }).replace(/ /g, '');
    assert.ok(text.includes('維修履歷') && text.includes(car.vehicle.plate) && text.includes('71,450km'), text);
    assert.ok(text.includes('更換機油與機油芯') && text.includes('左前胎1.4mm'), text);
    assert.ok(!text.includes('陳志豪') && !text.includes(car.customer.mobile.slice(-6)), 'the PDF names the owner');
  } finally {
    await context.close();
  }

  const phone = await openPage(browser, 'phone');
  try {
    const path = `${BASE_URL}/#/vehicles/${car.vehicle.vehicle_id}/history`;
    await phone.page.goto(path);
    await signInWithPassword(phone.page, demoLogin().login, demoLogin().password);
    await phone.page.goto(path);
    await phone.page.getByTestId('visit').nth(2).waitFor();
    await assertLayout(phone.page, 'the vehicle history (phone)');
    await screenshot(phone.page, 'vehicle-history-phone');
  } finally {
    await phone.context.close();
  }
});
