import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { BASE_URL, DEVICES, launch, screenshot } from './browser.mjs';
import { apiAs, demoLogin, newMobile, newPlate, withDemoShopSettings } from './shop.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// The shop's public booking page (/b/<code>) on a phone, inside LINE's in-app browser: a new
// customer books with the code texted to them, two customers race for a slot's last place,
// and a booking is moved by its manage link (/m/<token>).
const LINE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 '
  + '(KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0';

let browser;
let bookingPath;
before(async () => {
  browser = await launch();
  const { login, password } = demoLogin();
  const context = await browser.newContext();
  const owner = await apiAs(context.request, login, password);
  bookingPath = new URL((await owner.get('/api/booking-setup')).booking_url).pathname;
  await context.close();
});
after(async () => { await browser?.close(); });

async function aPhone() {
  const context = await browser.newContext({ ...DEVICES.phone, locale: 'zh-TW', userAgent: LINE_UA });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => /Content.Security.Policy/i.test(message.text()) && errors.push(message.text()));
  return { context, page, errors };
}

const localDay = (offset) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

/** The first day from `offset` days on with a free time for an oil change, and its times. */
async function aDayWithTimes(request, offset, wanted = (slots) => slots.length > 0) {
  for (let day = offset; day < offset + 14; day += 1) {
    const date = localDay(day);
    const answer = await (await request.get(`${BASE_URL}${bookingPath}/slots?date=${date}&service=oil`)).json();
    if (wanted(answer.slots)) return { date, slots: answer.slots };
  }
  throw new Error('no day with free times in two weeks');
}

/** The newest code the outbox holds for `mobile` (locally the SMS lands there). */
async function textedCode(request, mobile) {
  const outbox = await (await request.get(`${BASE_URL}/dev/outbox`)).text();
  const code = outbox.match(new RegExp(`\\+886${mobile.slice(1)}</td><td>-</td><td><pre>[^<]*預約驗證碼 (\\d{6})`))?.[1];
  assert.ok(code, `no code texted to ${mobile}`);
  return code;
}

/** Booked through the page's own JSON (a customer who came before); answers the mobile. */
async function bookedDirectly(request, at) {
  const mobile = newMobile();
  const sent = await request.post(`${BASE_URL}${bookingPath}/code`, { data: { mobile } });
  assert.equal(sent.status(), 200, await sent.text());
  const answer = await request.post(`${BASE_URL}${bookingPath}/bookings`, { data: {
    booking_id: `bk${randomUUID().replace(/-/g, '')}`, plate: newPlate(), mobile, name: '先來的客人',
    service_id: 'oil', at, privacy_ack: true, code: await textedCode(request, mobile) } });
  assert.equal(answer.status(), 200, await answer.text());
  return mobile;
}

/** `make daily` as that day: what the daily Lambda does at 06:00 (the engines of this run). */
function dailyJobOn(date) {
  const run = spawnSync(`${ROOT}.venv/bin/python`, ['-m', 'devstack', 'daily', '--date', date],
    { cwd: ROOT, env: process.env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

/** The form filled up to 「確認預約」, the code typed from the outbox. */
async function fillForm(page, request, { date, at, name }) {
  const mobile = newMobile();
  await page.goto(`${BASE_URL}${bookingPath}`);
  await page.locator('#plate').fill(newPlate());
  await page.getByText('換機油').click();
  await page.locator(`.day[data-date="${date}"]`).click();
  await page.locator(`.time[data-at="${at}"]`).click();
  await page.locator('#name').fill(name);
  await page.locator('#mobile').fill(mobile);
  await page.locator('#sendcode').click();
  await page.locator('#cmsg').filter({ hasText: '驗證碼已傳送' }).waitFor();
  await page.locator('#code').fill(await textedCode(request, mobile));
  await page.locator('label.ck').click();
  return mobile;
}

function tapTargetFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) faults.push(`page is ${root.scrollWidth}px wide`);
    for (const el of document.querySelectorAll('button, input, textarea, a[href], summary')) {
      const target = (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) || el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.height < 48 || box.width < 48) faults.push(`${target.tagName} "${(target.textContent || target.id).trim().slice(0, 30)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
    return faults;
  });
}

test('a new customer books in LINE with the texted code, keeps what they typed over a reload, sees the confirmation and moves the booking by its manage link', async () => {
  const { context, page, errors } = await aPhone();
  try {
    const { date, slots } = await aDayWithTimes(context.request, 2);
    await page.goto(`${BASE_URL}${bookingPath}`);
    const plate = newPlate();
    await page.locator('#plate').fill(plate);
    await page.locator('#name').fill('陳怡君');
    await page.reload(); // a lost connection, a reload: what was typed is still there
    assert.equal(await page.locator('#plate').inputValue(), plate);
    assert.equal(await page.locator('#name').inputValue(), '陳怡君');
    await page.getByText('換機油').click();
    await page.locator(`.day[data-date="${date}"]`).click();
    await page.locator(`.time[data-at="${slots[0].at}"]`).click();
    await page.locator('#times').evaluate((times) => times.closest('section').scrollIntoView());
    await screenshot(page, 'booking-times');
    const mobile = newMobile();
    await page.locator('#mobile').fill(mobile);
    await page.locator('#sendcode').click();
    await page.locator('#cmsg').filter({ hasText: '驗證碼已傳送' }).waitFor();
    await page.locator('#code').fill(await textedCode(context.request, mobile));
    await page.locator('#note').fill('冷氣不冷');
    await page.locator('label.ck').click();
    assert.deepEqual(await tapTargetFaults(page), []);
    await screenshot(page, 'booking-form');
    await page.locator('#book').click();
    await page.locator('#done').waitFor();
    assert.match(await page.locator('#dtitle').innerText(), /預約成功|等待店家確認/);
    // Not on the shop's LINE account yet: one tap opens it with the link code typed in.
    assert.match(await page.locator('#dline').getAttribute('href'),
      /^https:\/\/line\.me\/R\/oaMessage\/.+\?%E7%B6%81%E5%AE%9A%E9%80%9A%E7%9F%A5%20[A-Z2-9]{10}$/);
    assert.deepEqual(await tapTargetFaults(page), []);
    await screenshot(page, 'booking-done');

    await page.locator('#dmanage').click();
    await page.waitForURL(/\/m\//);
    const later = await aDayWithTimes(context.request, 4);
    await page.locator(`.day[data-date="${later.date}"]`).click();
    await page.locator(`.time[data-at="${later.slots[0].at}"]`).click();
    await page.locator('#moveto').click();
    await page.locator('#bmsg').filter({ hasText: '已改到新的時間' }).waitFor();
    assert.deepEqual(await tapTargetFaults(page), []);
    await screenshot(page, 'booking-manage');
    await page.reload();
    const shown = new Date(later.slots[0].at);
    const local = new Date(shown.getTime() + 8 * 3600_000);
    assert.match(await page.locator('#when').innerText(),
      new RegExp(`${local.getUTCMonth() + 1}/${local.getUTCDate()} ${later.slots[0].time}`));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('two customers tap 確認預約 for the last place of a slot at the same moment: one gets it, the other is told and offered other times', async () => {
  const first = await aPhone();
  const second = await aPhone();
  try {
    const request = first.context.request;
    const { date, slots } = await aDayWithTimes(request, 9, (found) => found.length > 2);
    const slot = slots[slots.length - 1];
    for (let n = 1; n < slot.free; n += 1) await bookedDirectly(request, slot.at);
    await fillForm(first.page, request, { date, at: slot.at, name: '先生甲' });
    await fillForm(second.page, request, { date, at: slot.at, name: '小姐乙' });
    await Promise.all([first.page.locator('#book').click(), second.page.locator('#book').click()]);
    const outcome = async ({ page }) => {
      await page.locator('#done:not([hidden]), #bmsg.msg:not(.ok):text-matches(".+")').first().waitFor();
      return (await page.locator('#done').isVisible()) ? 'booked' : 'refused';
    };
    const outcomes = await Promise.all([outcome(first), outcome(second)]);
    assert.deepEqual([...outcomes].sort(), ['booked', 'refused']);
    const loser = outcomes[0] === 'refused' ? first.page : second.page;
    assert.match(await loser.locator('#bmsg').innerText(), /額滿/);
    await loser.locator('#tmsg').filter({ hasText: '請選下面其他時間' }).waitFor();
    const offered = await loser.locator('.time').evaluateAll((buttons) => buttons.map((b) => b.dataset.at));
    assert.ok(offered.length > 0 && !offered.includes(slot.at), `offered ${offered}`);
    await screenshot(loser, 'booking-slot-taken');
    assert.deepEqual([...first.errors, ...second.errors], []);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test('the day before, the daily job reminds the customer of their booking once, with its manage link', async () => {
  const context = await browser.newContext();
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const { date, slots } = await aDayWithTimes(context.request, 2);
    const mobile = await bookedDirectly(context.request, slots[0].at);
    const dayBefore = new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const rules = await owner.get('/api/shop/notification-settings');
    const runs = [];
    await withDemoShopSettings(async () => {
      // The job runs at 06:00, in the default quiet hours: here none, so the text goes at once.
      await owner.patch('/api/shop/notification-settings', { quiet_start: '00:00', quiet_end: '00:00' });
      try {
        runs.push(dailyJobOn(dayBefore), dailyJobOn(dayBefore)); // run twice: reminded once
      } finally {
        await owner.patch('/api/shop/notification-settings', { quiet_start: rules.quiet_start, quiet_end: rules.quiet_end });
      }
    });
    assert.ok(runs[0].booking_reminders.reminded >= 1, JSON.stringify(runs[0]));
    assert.equal(runs[1].booking_reminders.reminded, 0, JSON.stringify(runs[1]));
    const outbox = await (await context.request.get(`${BASE_URL}/dev/outbox`)).text();
    const reminders = [...outbox.matchAll(new RegExp(`\\+886${mobile.slice(1)}</td><td>appt-[^<]+</td><td><pre>([^<]*提醒您明天[^<]*)`, 'g'))];
    assert.equal(reminders.length, 1, 'one reminder texted to the customer');
    assert.match(reminders[0][1], /如需改期或取消：https?:\/\/[^ ]+\/m\/[A-Za-z0-9_-]+/);
  } finally {
    await context.close();
  }
});
