import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BASE_URL, cutNetwork, launch, openPage, restoreNetwork, screenshot } from './browser.mjs';
import { cameraShots, tapCounter } from './touch.mjs';
import {
  aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, eventually, signInWithPassword, withDemoShopSettings,
} from './shop.mjs';

let browser;
let photoDir;
before(async () => {
  browser = await launch();
  photoDir = mkdtempSync(join(tmpdir(), 'walkaround-photos-'));
});
after(async () => {
  await browser?.close();
  if (photoDir) rmSync(photoDir, { recursive: true, force: true });
});

const section = (page, name) => page.locator(`#walk-${name}`);

/** Scroll the screen (its one scroller, as the section bar does) to a section's top. */
async function showSection(page, name) {
  await section(page, name).evaluate((el) => {
    const scroller = el.closest('.main');
    const bar = document.querySelector('.walk-nav').getBoundingClientRect().height;
    scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - bar - 8;
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** The sync pill once it says `text`. */
const syncSaying = (page, text) => page.getByTestId('walk-sync').filter({ hasText: text }).waitFor();

// The shop's template and thresholds as they are (settings.test.mjs changes them, then puts them back).
test('a standard walk-around on a tablet, with the network cut halfway, reaches the server once, in ≤ 40 taps', () => withDemoShopSettings(async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { login, password } = demoLogin();
    const owner = await apiAs(context.request, login, password);
    const car = await aCustomerWithVehicle(owner, { name: '陳雅琪', make: 'Toyota', model: 'RAV4' });
    const order = await anOrder(owner, car);
    const { items } = await owner.get('/api/shop/inspection-template');
    const [firstItem, secondItem] = items;

    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    const shots = await cameraShots(page, photoDir, 4);
    await signInWithPassword(page, login, password);
    await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);

    const counter = tapCounter(page);
    const { tap, tapAt, type, photo } = counter;
    await tap(page.getByRole('link', { name: /^檢修確認表/ }));
    await page.getByRole('heading', { name: '檢修確認表' }).waitFor();
    await syncSaying(page, '全部已同步');

    // Mileage on the numeric keypad, fuel at 5/8 with one tap on the slider, a dashboard photo.
    const mileage = page.getByLabel('里程（公里）');
    assert.equal(await mileage.getAttribute('inputmode'), 'numeric');
    await page.getByText('上次紀錄 45,210 公里').waitFor();
    await tap(mileage);
    await type('45800');
    const fuel = page.getByRole('slider', { name: /油量/ });
    const thumb = 3.25 * 17; // the slider's thumb (3.25rem at the tablet's 17 px root)
    const fuelBox = await fuel.boundingBox();
    await tapAt(fuel, (thumb / 2 + (5 / 8) * (fuelBox.width - thumb)) / fuelBox.width, 0.5);
    await page.locator('.fuel-value').filter({ hasText: '5/8' }).waitFor();
    await photo(page.getByRole('button', { name: '拍儀表板' }), shots[0]);
    await tap(page.getByRole('button', { name: /貴重物品提醒/ }));
    await tap(page.getByRole('button', { name: /車主在場/ }));

    // Two warning lights lit.
    const lights = section(page, 'lights');
    await tap(lights.locator('[data-code="abs"]'));
    await tap(lights.locator('[data-code="engine"]'));
    await lights.getByText('2 個燈亮').waitFor();
    assert.equal(await lights.locator('.light[aria-pressed="true"]').count(), 2);
    await showSection(page, 'lights');
    await assertLayout(page, 'the walk-around, warning lights (tablet)');
    await screenshot(page, 'walkaround-lights-tablet');

    // The bay's Wi-Fi drops: everything from here waits on the tablet.
    await cutNetwork(context);

    // Tyres: left front at three grooves (the first groove is picked already), the same for all
    // four, then the right rear's outer groove worn; a photo of the left front.
    const tyres = section(page, 'tyres');
    const chip = (depth) => tyres.locator('.depth-chip').filter({ hasText: new RegExp(`^${depth.replace('.', '\\.')}$`) });
    await tap(chip('6.0'));
    await tap(chip('6.0'));
    await tap(chip('5.5'));
    await tap(tyres.getByRole('button', { name: /^四輪相同/ }));
    await tap(tyres.getByRole('button', { name: /^右後外側溝槽/ }));
    await tap(chip('2.5'));
    const rightRear = tyres.locator('[data-tyre="RR"]');
    await rightRear.locator('.badge', { hasText: '建議更換' }).waitFor();
    await rightRear.locator('.badge', { hasText: '偏磨' }).waitFor();
    await photo(tyres.getByRole('button', { name: /^左前 拍照/ }), shots[1]);
    await tyres.getByRole('button', { name: /^左前 拍照（1 張）/ }).waitFor();
    await showSection(page, 'tyres');
    await assertLayout(page, 'the walk-around, tyres (tablet)');
    await screenshot(page, 'walkaround-tyres-tablet');

    // A dent on the front left of the body, with a photo.
    const damage = section(page, 'damage');
    await tapAt(damage.getByRole('img', { name: /車身俯視圖/ }), 0.3, 0.2);
    await tap(damage.getByRole('button', { name: '凹陷', exact: true }));
    await damage.getByRole('button', { name: '第 1 處：凹陷' }).waitFor();
    await photo(damage.locator('.damage-detail').getByRole('button', { name: /^拍照/ }), shots[2]);
    await showSection(page, 'damage');
    await assertLayout(page, 'the walk-around, damage (tablet)');
    await screenshot(page, 'walkaround-damage-tablet');

    // Checklist: two reds, a photo of the first, the rest OK in one tap.
    const checklist = section(page, 'checklist');
    const row = (item) => checklist.locator(`[data-item="${item.item_id}"]`);
    await tap(row(firstItem).getByRole('button', { name: '異常' }));
    await tap(row(secondItem).getByRole('button', { name: '異常' }));
    await photo(row(firstItem).getByRole('button', { name: /拍照/ }), shots[3]);
    await tap(checklist.getByRole('button', { name: '其餘正常' }));
    assert.equal(await checklist.locator('.status-green[aria-pressed="true"]').count(), items.length - 2);
    await showSection(page, 'checklist');
    await assertLayout(page, 'the walk-around, checklist (tablet)');
    await screenshot(page, 'walkaround-checklist-tablet');

    // Nothing has reached the server yet; the tablet says what waits.
    await page.getByTestId('walk-sync').filter({ hasText: /未同步/ }).waitFor();
    const waiting = await owner.get(`/api/orders/${order.order_id}/inspection`);
    assert.equal(waiting.values['tyres.LF.inner'], undefined, 'a tyre depth reached the server while offline');
    assert.equal(waiting.photos.length, 1, 'only the dashboard photo was sent before the cut');
    assert.equal(await section(page, 'photos').locator('.photo-waiting').count(), 3);

    const taps = counter.taps;
    assert.ok(taps <= 40, `the standard walk-around took ${taps} taps`);
    console.log(`standard walk-around: ${taps} taps`);

    // The Wi-Fi is back: the queue replays by itself.
    await restoreNetwork(context);
    await syncSaying(page, '全部已同步');

    const stored = await owner.get(`/api/orders/${order.order_id}/inspection`);
    const v = stored.values;
    assert.equal(v.mileage_km, 45800);
    assert.equal(v.fuel_eighths, 5);
    assert.equal(v['lights.abs'], true);
    assert.equal(v['lights.engine'], true);
    assert.equal(v.valuables_reminded, true);
    assert.equal(v.customer_present, true);
    for (const pos of ['LF', 'RF', 'LR', 'RR']) {
      assert.deepEqual([v[`tyres.${pos}.inner`], v[`tyres.${pos}.centre`], v[`tyres.${pos}.outer`]].map(Number),
        pos === 'RR' ? [6, 6, 2.5] : [6, 6, 5.5], `tyre ${pos}`);
    }
    assert.deepEqual(stored.findings.tyres.RR, { ...stored.findings.tyres.RR, colour: 'yellow', uneven: true });
    assert.equal(stored.findings.tyres.LF.colour, 'green');
    const marks = Object.entries(v).filter(([field]) => field.startsWith('damage.'));
    assert.equal(marks.length, 1);
    const [[markField, mark]] = marks;
    assert.equal(mark.kind, 'dent');
    assert.ok(Math.abs(mark.x - 0.3) < 0.02 && Math.abs(mark.y - 0.2) < 0.02, `the mark is at ${mark.x}, ${mark.y}`);
    const statuses = items.map((item) => v[`checklist.${item.item_id}`]?.status);
    assert.deepEqual(statuses, items.map((_, i) => (i < 2 ? 'red' : 'green')));
    assert.ok(stored.changed['tyres.LF.inner'].at < stored.changed['tyres.RR.outer'].at, 'each change keeps the time of its tap');

    // Four photos, once each, with their subjects, shrunk on the tablet, with thumbnails.
    const { photos } = await owner.get(`/api/orders/${order.order_id}/photos`);
    assert.equal(photos.length, 4, `photos: ${JSON.stringify(photos.map((p) => p.subject))}`);
    assert.equal(new Set(photos.map((p) => p.photo_id)).size, 4);
    assert.deepEqual(photos.map((p) => p.subject).sort(),
      ['dashboard', `checklist.${firstItem.item_id}`, markField, 'tyre.LF'].sort());
    for (const p of photos) {
      assert.equal(Math.max(p.width, p.height), 1600, 'shrunk to 1600 px on the tablet');
      const thumb = await context.request.get(p.thumb_url);
      assert.equal(thumb.status(), 200);
      assert.equal(thumb.headers()['content-type'], 'image/jpeg');
    }

    // The photos as the tablet shows them now: the server's thumbnails.
    const gallery = section(page, 'photos');
    await gallery.locator('.photo-synced img').nth(3).waitFor();
    assert.equal(await gallery.locator('.photo-waiting').count(), 0);
    await showSection(page, 'photos');
    await page.waitForFunction(() => [...document.querySelectorAll('#walk-photos img')].every((img) => img.complete && img.naturalWidth > 0));
    await assertLayout(page, 'the walk-around, photos (tablet)');
    await screenshot(page, 'walkaround-photos-tablet');

    // The dashboard photo was a mistake: deleted from the gallery, and from the order.
    page.once('dialog', (dialog) => dialog.accept());
    await tap(gallery.getByRole('button', { name: /^刪除照片：儀表/ }));
    await page.waitForFunction(() => document.querySelectorAll('#walk-photos .photo-synced').length === 3);
    const kept = await eventually(async () => {
      const now = (await owner.get(`/api/orders/${order.order_id}/photos`)).photos;
      return now.length === 3 && now;
    }, 'the photo deleted');
    assert.deepEqual(kept.map((p) => p.subject).sort(), photos.filter((p) => p.subject !== 'dashboard').map((p) => p.subject).sort());

    // On the order screen, a new line takes one of these photos, so the customer sees why.
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await page.getByRole('button', { name: '新增項目' }).tap();
    await page.getByRole('button', { name: '零件', exact: true }).tap();
    await page.getByLabel('項目說明').fill('左前輪胎');
    await page.getByLabel('數量').fill('1');
    await page.getByLabel('單價').fill('3200');
    await page.getByLabel(/原因／說明/).fill('胎紋只剩 1.4 mm，低於法定 1.6 mm');
    const pick = page.locator('fieldset.photo-pick');
    await pick.locator('img').nth(2).waitFor();
    const tyrePhoto = photos.find((p) => p.subject === 'tyre.LF');
    await pick.getByRole('radio', { name: /輪胎/ }).check();
    await assertLayout(page, 'the new line with a photo (tablet)');
    await pick.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'order-line-photo-tablet');
    await page.getByRole('button', { name: '加入工單' }).tap();
    await page.getByText('左前輪胎', { exact: true }).waitFor();
    const withLine = await owner.get(`/api/orders/${order.order_id}`);
    const tyreLine = withLine.lines.find((line) => line.description === '左前輪胎');
    assert.equal(tyreLine.photo_id, tyrePhoto.photo_id);
    assert.equal(tyreLine.reason, '胎紋只剩 1.4 mm，低於法定 1.6 mm');

    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
}));
