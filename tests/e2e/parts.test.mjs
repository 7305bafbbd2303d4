// Old parts (舊品): the phone's camera reads a printed label, a crate is moved in one request,
// the tag page opened by a plain phone camera tells a stranger only whose tag it is, and the
// manager's month report.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { request as apiRequest } from 'playwright-core';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import {
  aCustomerWithVehicle, anOrderWithLines, apiAs, assertLayout, aTechnician, demoLogin, signInWithPassword,
} from './shop.mjs';

const WIDTH = 640, HEIGHT = 480;

let plain, requests, owner, dir;
before(async () => {
  plain = await launch();
  requests = await apiRequest.newContext();
  const { login, password } = demoLogin();
  owner = await apiAs(requests, login, password);
  dir = mkdtempSync(join(tmpdir(), 'parts-camera-'));
});
after(async () => {
  await plain?.close();
  await requests?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An order with a part line and a labour line, and `count` tags made from its part line. */
async function anOrderWithTags(count, { wish = 'dispose', partName = '機油濾芯' } = {}) {
  const car = await aCustomerWithVehicle(owner, { name: '陳淑惠', make: 'Honda', model: 'CR-V' });
  const order = await anOrderWithLines(owner, car, [
    { kind: 'part', description: partName, part_number: 'OF-15400', quantity: 1, unit_price: 350 },
    { kind: 'labour', description: '定期保養', hours: 1, rate: 800 },
  ]);
  const line = order.lines.find((l) => l.kind === 'part');
  const tags = [];
  for (let i = 0; i < count; i++) {
    tags.push(await owner.post('/api/parts', {
      tag_id: randomUUID(), order_id: order.order_id, line_id: line.line_id, reason: '定期保養更換', wish,
    }));
  }
  return { order, car, tags };
}

/**
 * A video a fake camera plays: the tag's real label (the API's 400 × 240 PNG at 203 dpi), held a
 * little closer on a white bench, as Y4M (a text header, then raw YUV 4:2:0 frames). The PNG is
 * decoded and placed in a page's canvas; the frames are grey, so only the luma plane varies.
 */
async function labelVideo(code) {
  const link = await owner.get(`/api/parts/${code}/label?format=png`);
  const png = await (await requests.get(link.url)).body();
  assert.equal(png.subarray(1, 4).toString(), 'PNG', 'the label is a PNG');
  const page = await plain.newPage();
  const luma = await page.evaluate(async ({ base64, width, height }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, width, height);
    const scale = Math.min((width * 0.85) / image.width, (height * 0.85) / image.height);
    const w = Math.round(image.width * scale), h = Math.round(image.height * scale);
    g.imageSmoothingEnabled = false;
    g.drawImage(image, Math.round((width - w) / 2), Math.round((height - h) / 2), w, h);
    const { data } = g.getImageData(0, 0, width, height);
    const y = new Uint8Array(width * height);
    for (let i = 0; i < y.length; i++) {
      // BT.601 studio range, as a camera sends it
      y[i] = Math.round(16 + (65.481 * data[i * 4] + 128.553 * data[i * 4 + 1] + 24.966 * data[i * 4 + 2]) / 255);
    }
    let text = '';
    for (const byte of y) text += String.fromCharCode(byte);
    return btoa(text);
  }, { base64: png.toString('base64'), width: WIDTH, height: HEIGHT });
  await page.close();
  const frame = Buffer.concat([
    Buffer.from('FRAME\n'), Buffer.from(luma, 'base64'), Buffer.alloc((WIDTH / 2) * (HEIGHT / 2) * 2, 128),
  ]);
  const path = join(dir, `label-${code}.y4m`);
  writeFileSync(path, Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`), ...Array(10).fill(frame),
  ]));
  return path;
}

test('a technician on a phone scans a crate of tags to the shelf in one request, the camera reading a printed label', async () => {
  const technician = await aTechnician(requests, owner, '王技師');
  const { tags, car } = await anOrderWithTags(3);
  const [scanned, ...typed] = tags;
  const video = await labelVideo(scanned.code);
  const camera = await launch([
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`,
  ]);
  try {
    const { page } = await openPage(camera, 'phone');
    const requestsSent = [];
    page.on('request', (r) => r.url().includes('/api/parts/moves') && requestsSent.push(r.method()));
    await page.goto(`${BASE_URL}/#/scan/batch`);
    await signInWithPassword(page, technician.mobile, technician.password);
    await page.getByRole('heading', { name: '掃描舊品標籤' }).waitFor();

    // The camera reads the label on the bench: the code joins the list with a tick.
    const list = page.locator('.batch-list');
    await list.getByText(scanned.display_code).waitFor({ timeout: 20_000 });
    await page.getByText(`已加入 ${scanned.display_code}`).waitFor();

    // The other two are typed as printed under their QR (any case, with or without the space).
    const entry = page.getByLabel('手動輸入標籤代碼');
    await entry.fill(typed[0].code.toLowerCase());
    await page.getByRole('button', { name: '加入', exact: true }).tap();
    await entry.fill(typed[1].display_code);
    await entry.press('Enter');
    await entry.fill(typed[1].code); // the same tag again: ignored
    await entry.press('Enter');
    await page.getByText(`${typed[1].display_code} 已在清單中`).waitFor();
    assert.equal(await list.locator('li').count(), 3);

    // To the holding area, shelf B-02: one request for the crate.
    await page.getByRole('group', { name: '移到' }).getByRole('button', { name: '放到暫存區' }).tap();
    await page.getByLabel('架位代碼').fill('B-02');
    await page.getByRole('button', { name: '全部移動（3 個）' }).tap();
    await page.getByText('已移動 3 個，0 個未移動。').waitFor();
    assert.equal(await list.locator('.batch-item-moved').count(), 3);
    assert.deepEqual(requestsSent, ['POST'], 'one request for the whole crate');
    await assertLayout(page, 'the scan screen on a phone');
    await page.getByRole('heading', { name: '掃描舊品標籤' }).evaluate((heading) => heading.scrollIntoView());
    await screenshot(page, 'scan-phone');

    for (const tag of tags) {
      const now = await owner.get(`/api/parts/${tag.code}`);
      assert.equal(now.state, 'held', `${tag.code} is held`);
      assert.equal(now.location, 'B-02');
      assert.equal(now.events.at(-1).by.name, '王技師');
    }

    // One at a time: a read opens the tag's page, with its history and the moves allowed now.
    await page.getByRole('link', { name: '查看標籤' }).tap();
    await page.waitForURL(new RegExp(`#/q/${scanned.code}$`), { timeout: 20_000 });
    await page.getByRole('heading', { name: '機油濾芯' }).waitFor();
    const shown = await page.locator('main').innerText();
    assert.match(shown, new RegExp(scanned.display_code));
    assert.match(shown, new RegExp(car.vehicle.plate));
    assert.match(shown, /暫存保管中/);
    assert.match(shown, /B-02/);
    await page.getByRole('button', { name: '換架位' }).waitFor();
    await page.getByRole('button', { name: '給客戶過目' }).waitFor();
    assert.equal(await page.getByRole('button', { name: '報廢回收' }).count(), 0, 'a technician does not decide');
    await assertLayout(page, 'the tag screen on a phone');
    await screenshot(page, 'tag-phone');
  } finally {
    await camera.close();
  }
});

test('a tag moved on its page: the shelf it needs, then shown to the customer', async () => {
  const { tags } = await anOrderWithTags(1, { wish: 'take_back', partName: '電瓶 55B24L' });
  const [tag] = tags;
  const { context, page } = await openPage(plain, 'tabletPortrait');
  try {
    const { login, password } = demoLogin();
    await page.goto(`${BASE_URL}/#/q/${tag.code}`);
    await page.getByRole('button', { name: '登入' }).tap();
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '電瓶 55B24L' }).waitFor();
    // The customer wants it back: no disposal or return to a supplier is offered.
    assert.equal(await page.getByRole('button', { name: '報廢回收' }).count(), 0);
    await page.getByRole('button', { name: '放到暫存區' }).tap();
    await page.getByRole('button', { name: '確認放到暫存區' }).tap();
    await page.getByText('請填寫架位代碼。').waitFor();
    await page.getByLabel('架位代碼').fill('C-01');
    await page.getByRole('button', { name: '確認放到暫存區' }).tap();
    await page.getByText('已記錄：暫存保管中').waitFor();
    await page.getByRole('button', { name: '給客戶過目' }).tap();
    await page.getByRole('button', { name: '確認給客戶過目' }).tap();
    await page.getByText('已記錄：已給客戶過目').waitFor();
    const now = await owner.get(`/api/parts/${tag.code}`);
    assert.deepEqual(now.events.map((e) => e.to), ['removed', 'held', 'shown_to_customer']);
    assert.equal(now.events[1].location, 'C-01');
  } finally {
    await context.close();
  }
});

test('on the order screen the advisor sees the old parts of the order and tags another from a job line', async () => {
  const { order, tags } = await anOrderWithTags(1);
  const { context, page } = await openPage(plain, 'tablet');
  try {
    const { login, password } = demoLogin();
    await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
    await signInWithPassword(page, login, password);
    const panel = page.locator('section.order-parts');
    await panel.locator('.part-code', { hasText: tags[0].display_code }).waitFor();
    await panel.getByRole('button', { name: '＋ 新增舊品標籤' }).tap();
    // The part line is picked first: its name and part number fill in.
    assert.equal(await panel.getByLabel('品名').inputValue(), '機油濾芯');
    assert.equal(await panel.getByLabel('料號（選填）').inputValue(), 'OF-15400');
    await panel.getByLabel('更換原因（選填）').fill('濾芯堵塞');
    await panel.getByRole('button', { name: '取回舊品' }).tap();
    await panel.getByRole('button', { name: '建立標籤' }).tap();
    await panel.getByText(/已建立標籤 [2-9A-HJ-NP-Z]{4} [2-9A-HJ-NP-Z]{4}/).waitFor();
    const listed = await owner.get(`/api/orders/${order.order_id}/parts`);
    const made = listed.tags.find((tag) => tag.code !== tags[0].code);
    assert.equal(listed.tags.length, 2);
    assert.deepEqual([made.part_name, made.reason, made.wish], ['機油濾芯', '濾芯堵塞', 'take_back']);
    await panel.locator('.part-code', { hasText: made.display_code }).waitFor();
    // The customer wants this one back: delivery will wait for it, and the panel says so.
    await panel.getByText(/還有 1 個舊品尚未處理/).waitFor();
    await assertLayout(page, 'the order screen with its old parts (tablet)');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'order-parts-tablet');
  } finally {
    await context.close();
  }
});

test('a tag opened by a plain phone camera, not signed in, shows only whose tag it is', async () => {
  const { tags, car } = await anOrderWithTags(1);
  const me = await owner.get('/api/me');
  const { context, page } = await openPage(plain, 'phone');
  try {
    await page.goto(`${BASE_URL}/q/${tags[0].code}`);
    await page.getByText(`這是 ${me.shop.name} 的舊品標籤。`).waitFor();
    const shown = await page.locator('body').innerText();
    assert.doesNotMatch(shown, new RegExp(car.vehicle.plate), 'no plate');
    assert.doesNotMatch(shown, /陳淑惠/, 'no customer');
    assert.doesNotMatch(shown, /機油濾芯/, 'no part');
    await assertLayout(page, 'the public tag page');

    // Staff sign in from there and land on the tag itself.
    await page.getByRole('button', { name: '登入' }).tap();
    const { login, password } = demoLogin();
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '機油濾芯' }).waitFor();

    // A code nobody has is said plainly.
    await page.goto(`${BASE_URL}/#/q/2222-ZZZZ`);
    await page.getByText('找不到舊品標籤 2222 ZZZZ。').waitFor();
  } finally {
    await context.close();
  }
});

test('the month report on a tablet: disposals by category, supplier returns, and the CSV', async () => {
  const oil = await anOrderWithTags(1, { partName: '廢機油' });
  await owner.post(`/api/parts/${oil.tags[0].code}/events`, {
    event_id: randomUUID(), to: 'disposed',
    disposal: { category: 'waste_oil', quantity: 4.5, recycler: '大豐環保回收', manifest_number: 'M-2026-0815' },
  });
  const battery = await anOrderWithTags(1, { partName: '電瓶 55B24L' });
  await owner.post(`/api/parts/${battery.tags[0].code}/events`, {
    event_id: randomUUID(), to: 'disposed', disposal: { category: 'battery', recycler: '大豐環保回收' },
  });
  const sensor = await owner.post('/api/parts', {
    tag_id: randomUUID(), part_name: '含氧感知器（保固）', part_number: 'OS-2231', supplier: '力佳汽材', wish: 'dispose',
  });

  const { context, page } = await openPage(plain, 'tablet');
  try {
    const { login, password } = demoLogin();
    await page.goto(`${BASE_URL}/#/parts/report`);
    await signInWithPassword(page, login, password);
    await page.getByRole('heading', { name: '舊品月報' }).waitFor();
    const totals = page.locator('.report-totals');
    await totals.getByText('廢機油').waitFor();
    assert.match(await totals.innerText(), /廢電瓶/);
    assert.match(await totals.innerText(), /公升/);
    const pending = page.locator('.report-rows').filter({ hasText: sensor.part_name });
    await pending.waitFor();
    assert.match(await pending.innerText(), /力佳汽材/);
    await assertLayout(page, 'the parts report on a tablet');
    await screenshot(page, 'parts-report-tablet');

    // The CSV opens in a tab of its own, from a link the API made.
    const [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: '下載 CSV' }).tap()]);
    await tab.waitForURL(/old-parts-\d{4}-\d{2}\.csv/, { waitUntil: 'commit' }).catch(() => undefined);
    const csvLink = await owner.get(`/api/reports/parts?format=csv`);
    const csv = (await (await requests.get(csvLink.url)).body()).toString('utf8');
    assert.match(csv, /大豐環保回收/);
    assert.match(csv, /M-2026-0815/);
  } finally {
    await context.close();
  }
});
