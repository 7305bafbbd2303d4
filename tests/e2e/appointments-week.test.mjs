// The advisor's week of bookings on the tablet: each day's slots with their load (額滿 when full),
// a pending online booking confirmed, one rescheduled to another day (a full slot refused first),
// a technician pre-assigned and a part ticked ready, a booking of last week marked a no-show;
// then 線上預約 in Settings takes a third car per slot and a holiday, and the week shows 公休.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, aTechnician, apiAs, assertLayout, demoLogin, eventually, signInWithPassword,
  withDemoShopSettings,
} from './shop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.SL_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DAY_MS = 24 * 3600_000;
const taipeiDate = (ms = Date.now()) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const hhmm = (iso) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 16);
const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
function monday(date) {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/** A booking made as the public booking page makes it (chalicelib/work/appointments.py `book`,
 * by the customer), run against the test stack's engines: pending when the shop confirms by hand. */
async function anOnlineBooking(shopId, { customer, vehicle }, at) {
  const script = `
import json, sys
from chalicelib.core import aws
from chalicelib.records import customers, vehicles
from chalicelib.work import appointments
aws.reset()
a = json.loads(sys.argv[1])
print(json.dumps(appointments.book(
    a["shop_id"], appointment_id=a["appointment_id"], at=a["at"], duration_minutes=30,
    purpose="定期保養", service_id=None, source="online", note="早上十點前要取車",
    customer=customers.get_customer(a["shop_id"], a["customer_id"]),
    vehicle=vehicles.get_vehicle(a["shop_id"], a["vehicle_id"]), by={"customer": True})))`;
  const { stdout } = await promisify(execFile)(PYTHON, ['-c', script, JSON.stringify({
    shop_id: shopId, appointment_id: randomUUID(), at, customer_id: customer.customer_id, vehicle_id: vehicle.vehicle_id,
  })], { cwd: ROOT, env: process.env });
  return JSON.parse(stdout.trim().split('\n').pop());
}

async function aBooking(owner, { customer, vehicle }, at, extra = {}) {
  return owner.post('/api/appointments', {
    appointment_id: randomUUID(), at, duration_minutes: 30, purpose: '定期保養', source: 'phone',
    customer_id: customer.customer_id, vehicle_id: vehicle.vehicle_id, ...extra,
  });
}

async function bookingOf(owner, id) {
  for (const start of [addDays(monday(taipeiDate()), -7), monday(taipeiDate()), addDays(monday(taipeiDate()), 7),
    addDays(monday(taipeiDate()), 14), addDays(monday(taipeiDate()), 21)]) {
    const week = await owner.get(`/api/appointments/week?start=${start}`);
    const found = week.days.flatMap((day) => day.appointments).find((a) => a.appointment_id === id);
    if (found) return found;
  }
  return null;
}

/** Scroll the screen's one scroller so `selector` is at its top. */
async function scrollToTop(page, selector) {
  await page.locator(selector).evaluate((el) => {
    const scroller = el.closest('.main');
    scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** A finger drawn across `locator` from left to right (the touch events a phone sends). */
async function swipeRight(locator) {
  await locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const y = Math.max(box.top, 0) + 100;
    const touch = (x) => new Touch({ identifier: 1, target: el, clientX: x, clientY: y });
    const send = (type, x, touches) => el.dispatchEvent(new TouchEvent(type, {
      bubbles: true, cancelable: true, touches, changedTouches: [touch(x)],
    }));
    send('touchstart', box.left + 30, [touch(box.left + 30)]);
    send('touchmove', box.left + 150, [touch(box.left + 150)]);
    send('touchend', box.right - 20, []);
  });
}

async function weekAhead(page, weeks) {
  for (let i = 0; i < weeks; i += 1) {
    const sub = await page.locator('.screen-sub').innerText();
    await page.getByRole('button', { name: '下一週 ›' }).tap();
    await page.locator('.screen-sub').filter({ hasNotText: sub }).waitFor();
  }
}

test('the advisor runs the week: loads, confirm, reschedule, technician, parts, no-show; the setup adds a car per slot and a holiday', () => withDemoShopSettings(async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const setupBefore = await owner.get('/api/booking-setup');
  const { booking_url: _url, booking_qr_svg: _qr, ...kept } = setupBefore;
  try {
    await owner.put('/api/booking-setup', { ...kept, cars_per_slot: 2, slot_minutes: 30, confirm_by_hand: true, online: true, holidays: [] });
    const technician = await aTechnician(context.request, owner, `張書豪${10 + (randomBytes(1)[0] % 90)}`);

    // Two weeks ahead: no other test books there. Its first three open days.
    const start = addDays(monday(taipeiDate()), 14);
    const week = await owner.get(`/api/appointments/week?start=${start}`);
    const open = week.days.filter((day) => day.open && day.slots.length >= 6);
    assert.ok(open.length >= 3, `three open days in the week of ${start}`);
    const [d1, d2, d3] = open;
    const full = d1.slots[2].at;
    const cars = await Promise.all([1, 2, 3, 4, 5].map(() => aCustomerWithVehicle(owner)));
    const pending = await anOnlineBooking(owner.session.shop.shop_id, cars[0], d1.slots[0].at);
    assert.equal(pending.state, 'pending');
    await aBooking(owner, cars[1], full);
    await aBooking(owner, cars[2], full);
    const moving = await aBooking(owner, cars[3], d1.slots[4].at, { parts_to_prepare: ['機油濾芯', '空氣濾芯'] });
    // Last week, so its time has passed: put in by the advisor on purpose.
    const lastWeek = await owner.get(`/api/appointments/week?start=${addDays(monday(taipeiDate()), -7)}`);
    const past = lastWeek.days.find((day) => day.open && day.slots.length);
    const missed = await aBooking(owner, cars[4], past.slots[0].at, { overbook: true });

    await page.goto(`${BASE_URL}/#/appointments`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '預約表' }).waitFor();
    await page.locator('.week-day').first().waitFor();
    await weekAhead(page, 2);
    const column = page.locator(`.week-day[data-date="${d1.date}"]`);
    await column.getByRole('img', { name: `${hhmm(full)} 額滿` }).waitFor();
    await column.getByRole('img', { name: `${hhmm(d1.slots[0].at)} 已約 1／可約 2` }).waitFor();
    const card = (a) => page.locator(`.week-booking[data-appointment="${a.appointment_id}"]`);
    assert.match(await card(pending).innerText(), new RegExp(`${hhmm(pending.at)}[\\s\\S]*網路[\\s\\S]*${cars[0].vehicle.plate}[\\s\\S]*待確認`));
    await assertLayout(page, 'the week of bookings (tablet)');
    await screenshot(page, 'appointments-week-tablet');

    // The pending online booking: confirmed.
    await card(pending).tap();
    const sheet = page.getByRole('dialog');
    await sheet.getByText('客戶備註：早上十點前要取車').waitFor();
    await sheet.getByRole('button', { name: '確認預約' }).tap();
    await sheet.getByText('已確認，客戶會收到通知').waitFor();
    assert.equal((await bookingOf(owner, pending.appointment_id)).state, 'booked');
    await card(pending).filter({ hasText: '已確認' }).waitFor();
    await sheet.getByRole('button', { name: '關閉' }).tap();

    // Rescheduled: the full slot is refused with a clear message, then another day's slot.
    await card(moving).tap();
    await sheet.getByRole('button', { name: '改期' }).tap();
    await sheet.getByRole('button', { name: `${hhmm(full)} 額滿` }).tap();
    await sheet.getByText('這個時段剛好額滿了').waitFor();
    await sheet.getByRole('button', { name: /仍要排入（超額）/ }).waitFor();
    await assertLayout(page, 'a booking being rescheduled (tablet)');
    await screenshot(page, 'appointments-week-sheet-tablet');
    await sheet.locator(`.week-tab[data-date="${d2.date}"]`).tap();
    await sheet.getByRole('button', { name: `${hhmm(d2.slots[1].at)} 剩 2` }).tap();
    await sheet.getByText(/^已改到/).waitFor();
    assert.equal((await bookingOf(owner, moving.appointment_id)).at, d2.slots[1].at);
    await page.locator(`.week-day[data-date="${d2.date}"] .week-booking[data-appointment="${moving.appointment_id}"]`).waitFor();

    // Its technician and a part ready.
    await sheet.getByRole('button', { name: technician.name, exact: true }).tap();
    await sheet.getByText(`已預排給 ${technician.name}`).waitFor();
    await sheet.getByRole('checkbox', { name: /機油濾芯/ }).tap();
    await sheet.getByText('機油濾芯 已備料').waitFor();
    const changed = await bookingOf(owner, moving.appointment_id);
    assert.equal(changed.technician_id, technician.staff_id);
    assert.deepEqual(changed.parts_ready, ['機油濾芯']);
    await sheet.getByRole('button', { name: '關閉' }).tap();

    // Last week's booking: its time has passed, so it can be marked a no-show.
    await page.getByRole('button', { name: '本週', exact: true }).tap();
    await page.getByRole('button', { name: '‹ 上一週' }).tap();
    await card(missed).tap();
    await sheet.getByRole('button', { name: '標記未到' }).tap();
    await sheet.getByText('已標記未到').waitFor();
    assert.equal((await bookingOf(owner, missed.appointment_id)).state, 'no_show');
    await sheet.getByRole('button', { name: '關閉' }).tap();

    // 線上預約: a third car per slot and a holiday.
    await page.goto(`${BASE_URL}/#/settings`);
    await page.getByRole('navigation', { name: '設定項目' }).getByRole('button', { name: '線上預約' }).tap();
    const panel = page.locator('form.booking-setup');
    await panel.getByLabel('每個時段可約幾台').fill('3');
    await panel.getByLabel('日期', { exact: true }).fill(d3.date);
    await panel.getByRole('button', { name: '加入公休日' }).tap();
    await panel.getByText(d3.date).waitFor();
    assert.match(await panel.locator('.booking-url').innerText(), /\/b\//);
    await panel.locator('.booking-qr-image svg').waitFor();
    await assertLayout(page, 'the online booking setup (tablet)');
    await panel.getByRole('button', { name: '儲存線上預約設定' }).tap();
    await panel.getByText('已儲存', { exact: true }).waitFor();
    await scrollToTop(page, '#booking-setup-title');
    await screenshot(page, 'booking-setup-tablet');
    await scrollToTop(page, '#booking-qr-title');
    await screenshot(page, 'booking-setup-qr-tablet');
    // 列印 QR prints the poster alone: the shop's name, 掃描預約 Scan to book, the QR large.
    await page.emulateMedia({ media: 'print' });
    const poster = page.locator('.qr-poster');
    assert.match(await poster.innerText(), /掃描預約[\s\S]*Scan to book/);
    const qr = await poster.locator('svg').boundingBox();
    assert.ok(qr.width > 300, `the poster's QR is ${qr.width} px wide`);
    await screenshot(page, 'booking-setup-poster');
    await page.emulateMedia({ media: 'screen' });
    const saved = await owner.get('/api/booking-setup');
    assert.equal(saved.cars_per_slot, 3);
    assert.deepEqual(saved.holidays, [d3.date]);

    await page.goto(`${BASE_URL}/#/appointments`);
    await page.locator('.week-day').first().waitFor();
    await weekAhead(page, 2);
    await page.locator(`.week-day[data-date="${d3.date}"] .week-closed`).filter({ hasText: '公休' }).waitFor();
    await column.getByRole('img', { name: `${hhmm(full)} 已約 2／可約 3` }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await owner.put('/api/booking-setup', kept);
    await context.close();
  }
}));

test('on a phone the week is one day at a time under the week’s days, and the setup fits', () => withDemoShopSettings(async () => {
  const { context, page } = await openPage(browser, 'phone');
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  try {
    const start = addDays(monday(taipeiDate()), 14);
    const week = await owner.get(`/api/appointments/week?start=${start}`);
    const day = week.days.find((d) => d.open && d.slots.length >= 4);
    await aBooking(owner, await aCustomerWithVehicle(owner, { name: '黃雅婷' }), day.slots[3].at, { parts_to_prepare: ['雨刷'] });

    await page.goto(`${BASE_URL}/#/appointments`);
    await signInWithPassword(page, login, password);
    // One day shown, today's (Taipei): not the week's first unless today is a Monday.
    await page.locator('.week-day').first().waitFor({ state: 'attached' });
    await weekAhead(page, 2);
    await page.locator(`.week-tab[data-date="${day.date}"]`).tap();
    const column = page.locator(`.week-day[data-date="${day.date}"]`);
    await column.getByText('黃雅婷').waitFor();
    await eventually(async () => (await page.locator('.week-day').evaluateAll((days) =>
      days.filter((d) => getComputedStyle(d).display !== 'none').length)) === 1, 'one day shown');
    await assertLayout(page, 'the week of bookings (phone)');
    await screenshot(page, 'appointments-week-phone');
    await column.locator('.week-booking').filter({ hasText: '黃雅婷' }).tap();
    await page.getByRole('dialog').getByRole('button', { name: '改期' }).waitFor();
    await assertLayout(page, 'a booking’s sheet (phone)');
    await screenshot(page, 'appointments-week-sheet-phone');
    await page.getByRole('dialog').getByRole('button', { name: '關閉' }).tap();

    // A swipe to the right across the week goes back a week.
    await swipeRight(column);
    await page.locator(`.week-day[data-date="${addDays(start, -7)}"]`).waitFor({ state: 'attached' });
    assert.match(await page.locator('.screen-sub').innerText(), new RegExp(`^${addDays(start, -7)}`));

    await page.goto(`${BASE_URL}/#/settings`);
    await page.getByRole('navigation', { name: '設定項目' }).getByRole('button', { name: '線上預約' }).tap();
    await page.locator('form.booking-setup .booking-service').first().waitFor();
    await scrollToTop(page, '#booking-setup-title');
    // The panel's own tap targets (the data import's file input further down is another panel's).
    const small = await page.locator('form.booking-setup').evaluate((form) => [...form.querySelectorAll('button, input, a[href]')]
      .map((el) => el.getBoundingClientRect()).filter((box) => box.width && (box.width < 48 || box.height < 48)).length);
    assert.equal(small, 0, 'tap targets under 48 px in the online booking setup (phone)');
    await screenshot(page, 'booking-setup-phone');
  } finally {
    await context.close();
  }
}));
