// A supplier's price list imported in Settings: a Big5 CSV on the tablet and an .xlsx on the
// phone, each checked first (counts and the bad rows by line, nothing written), then imported.
// The files are made by Python here (cp950 for Big5, openpyxl for the workbook): no binary
// fixture is kept in the repository.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { apiAs, assertLayout, demoLogin, signInWithPassword } from './shop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = process.env.SL_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');

// Each run's part numbers are its own: the demo shop keeps what earlier runs imported.
const RUN = randomBytes(3).toString('hex').toUpperCase();

const BIG5_ROWS = [
  ['料號', '品名', '等級', '廠牌', '售價', '供應商'],
  [`${RUN}-0415`, '機油濾芯', '正廠', 'TOYOTA', 'NT$1,200', '和泰'],
  [`${RUN}-9091`, '正時鍊條', '副廠', 'DID', '2,350', ''],
  ['', '沒有料號', '正廠', '', '100', ''], // line 4
  [`${RUN}-1780`, '空氣濾網', '水貨', 'TOYOTA', '450', ''], // line 5: no such grade
  [`${RUN}-0415`, '機油濾芯', '正廠', 'TOYOTA', '1,250', ''], // line 6: line 2's part again
];
const XLSX_ROWS = [
  ['Part No.', 'Name', 'Brand', 'Price'],
  [`${RUN}-A1`, '來令片', 'BREMBO', 2800],
  [null, null, null, null],
  [`${RUN}-A2`, '雨刷', 'BOSCH', 'free'], // line 4: not a price
  [`${RUN}-A3`, '火星塞', 'NGK', 380],
];

/** The two files, made by Python: {csv, xlsx} as Buffers. */
function priceLists() {
  const script = `
import base64, io, json, sys, openpyxl
rows = json.loads(sys.argv[1])
text = "\\r\\n".join(",".join(cells) for cells in rows["big5"]).encode("cp950")
book = openpyxl.Workbook()
for row in rows["xlsx"]:
    book.active.append(row)
out = io.BytesIO()
book.save(out)
print(json.dumps({"csv": base64.b64encode(text).decode(), "xlsx": base64.b64encode(out.getvalue()).decode()}))
`;
  const made = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify({ big5: BIG5_ROWS, xlsx: XLSX_ROWS })],
    { cwd: ROOT }).toString());
  return { csv: Buffer.from(made.csv, 'base64'), xlsx: Buffer.from(made.xlsx, 'base64') };
}

let browser;
let files;
before(async () => { browser = await launch(); files = priceLists(); });
after(async () => { await browser?.close(); });

async function scrollTo(page, locator) {
  await locator.evaluate((el) => {
    const scroller = el.closest('.main');
    scroller.scrollTop += el.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function openPanel(page) {
  const { login, password } = demoLogin();
  await page.goto(`${BASE_URL}/#/settings`);
  await signInWithPassword(page, login, password);
  const panel = page.locator('section.price-list-import');
  await panel.getByRole('heading', { name: '匯入價目表（零件）' }).waitFor();
  await scrollTo(page, panel);
  return panel;
}

test('a Big5 price list is checked in Settings, its bad rows shown by line, then imported', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const panel = await openPanel(page);
  const check = panel.getByRole('button', { name: '檢查價目表' });
  assert.equal(await check.isDisabled(), true); // no file yet
  await panel.locator('input[type=file]').setInputFiles({ name: '和泰價目表.csv', mimeType: 'text/csv', buffer: files.csv });
  await panel.getByText('和泰價目表.csv').waitFor();
  const started = page.waitForResponse((answer) => answer.request().method() === 'POST'
    && answer.url().endsWith('/api/catalogue/imports'));
  await check.tap();
  const importId = (await (await started).json()).import_id;
  await panel.getByText('檢查完成（Big5 編碼）：共 5 列，會新增 2 筆、更新 0 筆，0 筆沒變，3 列有問題（不會匯入）。還沒有寫入任何資料。').waitFor();
  const rows = panel.locator('table.import-errors tbody tr');
  assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), ['4', '5', '6']);
  assert.match(await rows.nth(0).innerText(), /料號\s+沒有料號/);
  assert.match(await rows.nth(1).innerText(), /等級\s+不認得的等級「水貨」/);
  assert.match(await rows.nth(2).innerText(), /在第 2 列已出現過/);
  await scrollTo(page, panel.locator('.import-report'));
  await assertLayout(page, 'price list preview');
  await screenshot(page, 'price-list-preview-tablet');

  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const preview = await owner.get(`/api/catalogue/imports/${importId}`);
  assert.equal(preview.dry_run, true);

  await panel.getByRole('button', { name: '匯入 2 筆' }).tap();
  await panel.getByText('已匯入（Big5 編碼）：共 5 列，新增 2 筆、更新 0 筆，0 筆沒變，3 列有問題沒有匯入。').waitFor();
  const imported = await owner.get(`/api/catalogue/imports/${importId}`);
  assert.deepEqual([imported.dry_run, imported.created, imported.bad], [false, 2, 3]);
  await scrollTo(page, panel.locator('.import-report'));
  await assertLayout(page, 'price list imported');
  await screenshot(page, 'price-list-imported-tablet');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an .xlsx price list without grades takes the default grade and supplier, on the phone', async () => {
  const { context, page } = await openPage(browser, 'phone');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const panel = await openPanel(page);
  await panel.locator('input[type=file]').setInputFiles({
    name: 'bosch.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: files.xlsx,
  });
  await panel.getByLabel('預設等級（檔案沒寫等級時）').selectOption('aftermarket');
  await panel.getByLabel('預設供應商（檔案沒寫時；可不填）').fill('東昇汽材');
  await panel.getByRole('button', { name: '檢查價目表' }).tap();
  await panel.getByText('檢查完成（Excel）：共 3 列，會新增 2 筆、更新 0 筆，0 筆沒變，1 列有問題（不會匯入）。還沒有寫入任何資料。').waitFor();
  const rows = panel.locator('table.import-errors tbody tr');
  assert.deepEqual(await rows.locator('td:first-child').allInnerTexts(), ['4']);
  assert.match(await rows.nth(0).innerText(), /售價「free」不是整數金額/);
  await scrollTo(page, panel.locator('.import-report'));
  await screenshot(page, 'price-list-preview-phone');
  await panel.getByRole('button', { name: '匯入 2 筆' }).tap();
  await panel.getByText('已匯入（Excel）：共 3 列，新增 2 筆、更新 0 筆，0 筆沒變，1 列有問題沒有匯入。').waitFor();
  await scrollTo(page, panel.locator('.import-report'));
  await screenshot(page, 'price-list-imported-phone');
  await assertLayout(page, 'price list on the phone');
  assert.deepEqual(errors, []);
  await context.close();
});
