// Cancelling a repair order on the tablet: `cancelled` is final on the server, so the cancel sits
// apart from the step buttons, asks for a reason, and waits a few seconds with an undo before it
// joins the write queue. The clock is Playwright's, so the wait is run through, not slept.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';
import { aCustomerWithVehicle, anOrder, apiAs, assertLayout, demoLogin, signInWithPassword } from './shop.mjs';

const UNDO_MS = 5000; // pwa/src/ui/cancelHold.ts

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The transitions the page sent to the API (each POST's body), from now on. */
function transitionsSent(page) {
  const sent = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/orders\/[^/]+\/transitions$/.test(request.url())) sent.push(request.postDataJSON());
  });
  return sent;
}

/** Run the page's clock past the undo window, then let the page finish what its timers began. */
async function runPastTheUndo(page) {
  await page.clock.runFor(UNDO_MS * 2);
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** An order just checked in, open on the tablet as the demo owner; the page's clock is Playwright's. */
async function anOrderOnTheTablet(context, page) {
  const { login, password } = demoLogin();
  const owner = await apiAs(context.request, login, password);
  const order = await anOrder(owner, await aCustomerWithVehicle(owner));
  await page.clock.install();
  await page.goto(`${BASE_URL}/#/orders/${order.order_id}`);
  await signInWithPassword(page, login, password);
  await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();
  return { owner, order };
}

const cancelEvents = (stored) => stored.events.filter((event) => event.to === 'cancelled');

test('cancel sits apart from the step buttons, asks for a reason, and its undo keeps the order open: the server never sees it', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { owner, order } = await anOrderOnTheTablet(context, page);
    const sent = transitionsSent(page);

    // Not within a gloved thumb of the main step: at least a whole tap target (48 px) between them.
    const step = page.getByRole('button', { name: '客戶已委修', exact: true });
    const cancel = page.getByRole('button', { name: '取消工單', exact: true });
    assert.equal(await page.locator('.steps').getByRole('button', { name: '取消工單', exact: true }).count(), 0,
      'cancel is still among the step buttons');
    const [a, b] = [await step.boundingBox(), await cancel.boundingBox()];
    const gap = b.y >= a.y ? b.y - (a.y + a.height) : a.y - (b.y + b.height);
    assert.ok(gap >= 48, `cancel is ${Math.round(gap)} px from the main step button`);

    // One tap only opens the question: a reason first, and nothing is sent.
    await cancel.tap();
    const reasons = page.getByRole('group', { name: '取消原因' });
    await reasons.waitFor();
    assert.deepEqual(await reasons.getByRole('button').allInnerTexts(), ['客戶取消', '重複開單', '車輛未到', '其他']);
    const confirm = page.getByRole('button', { name: '確定取消工單' });
    assert.ok(await confirm.isDisabled(), 'the cancel can be confirmed without a reason');
    await reasons.getByRole('button', { name: '客戶取消' }).tap();
    await page.getByLabel('備註（選填）').fill('客戶改天再來');
    await confirm.scrollIntoViewIfNeeded();
    await assertLayout(page, 'the cancel question (tablet)');
    await screenshot(page, 'order-cancel-reason-tablet');

    // Confirmed: the order says so at once, with an undo, and the steps wait.
    await confirm.tap();
    const toast = page.getByRole('status').filter({ hasText: '已取消工單' });
    await toast.waitFor();
    assert.ok(await step.isDisabled(), 'a step can be taken while the cancel can still be undone');
    await screenshot(page, 'order-cancel-undo-tablet');
    await toast.getByRole('button', { name: '復原' }).tap();
    await toast.waitFor({ state: 'detached' });

    // Well past the window: nothing went to the API or into the queue, and the order is open.
    await runPastTheUndo(page);
    assert.deepEqual(sent, [], 'the undone cancel was sent');
    assert.equal(await page.getByText(/筆待上傳/).count(), 0, 'the undone cancel is waiting in the queue');
    assert.ok(await step.isEnabled(), 'the steps stay disabled after the undo');
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.state, 'checked_in');
    assert.deepEqual(cancelEvents(stored), []);
    assert.equal(await page.getByTestId('order-state').innerText(), '已接車');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a confirmed cancel goes once when its undo runs out, even from a double tap, with the reason in the history', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    const { owner, order } = await anOrderOnTheTablet(context, page);
    const sent = transitionsSent(page);

    await page.getByRole('button', { name: '取消工單', exact: true }).tap();
    await page.getByRole('group', { name: '取消原因' }).getByRole('button', { name: '重複開單' }).tap();
    await page.getByLabel('備註（選填）').fill('與 017 號重複');
    // A double tap lands both taps on the confirm button before the screen changes.
    await page.getByRole('button', { name: '確定取消工單' }).evaluate((button) => { button.click(); button.click(); });
    await page.getByRole('status').filter({ hasText: '已取消工單' }).waitFor();
    assert.deepEqual(sent, [], 'the cancel was sent before its undo ran out');

    await runPastTheUndo(page);
    await page.getByTestId('order-state').filter({ hasText: '已取消' }).waitFor();
    assert.equal(sent.length, 1, `${sent.length} cancels were sent`);
    assert.deepEqual({ to: sent[0].to, note: sent[0].note }, { to: 'cancelled', note: '重複開單：與 017 號重複' });
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.equal(stored.state, 'cancelled');
    assert.deepEqual(cancelEvents(stored).map((event) => event.note), ['重複開單：與 017 號重複']);
    await page.locator('.history li').filter({ hasText: '已接車 → 已取消' }).filter({ hasText: '重複開單：與 017 號重複' }).waitFor();
    assert.equal(await page.getByRole('button', { name: '取消工單', exact: true }).count(), 0, 'a cancelled order offers cancel');
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await context.close();
  }
});

test('a reload within the undo window neither loses the cancel nor sends it unseen: the tablet asks again', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { owner, order } = await anOrderOnTheTablet(context, page);
    const sent = transitionsSent(page);

    await page.getByRole('button', { name: '取消工單', exact: true }).tap();
    await page.getByRole('group', { name: '取消原因' }).getByRole('button', { name: '車輛未到' }).tap();
    // The page's clock stands still from here, so the reload surely falls within the window.
    await page.clock.pauseAt(Date.now() + 1000);
    await page.getByRole('button', { name: '確定取消工單' }).tap();
    await page.getByRole('status').filter({ hasText: '已取消工單' }).waitFor();
    await page.reload();
    await page.clock.resume();

    const question = page.getByRole('status').filter({ hasText: '取消還沒送出' });
    await question.waitFor();
    await runPastTheUndo(page);
    assert.deepEqual(sent, [], 'the cancel was sent after the reload without being asked');
    assert.equal((await owner.get(`/api/orders/${order.order_id}`)).state, 'checked_in');
    await assertLayout(page, 'the cancel asked again after a reload (tablet)');
    await screenshot(page, 'order-cancel-reloaded-tablet');

    await question.getByRole('button', { name: '送出取消' }).tap();
    await page.getByTestId('order-state').filter({ hasText: '已取消' }).waitFor();
    assert.equal(sent.length, 1);
    const stored = await owner.get(`/api/orders/${order.order_id}`);
    assert.deepEqual(cancelEvents(stored).map((event) => event.note), ['車輛未到']);
    await question.waitFor({ state: 'detached' });
  } finally {
    await context.close();
  }
});

test('after a reload the cancel can still be undone, and then stays undone', async () => {
  const { context, page } = await openPage(browser, 'tablet');
  try {
    const { owner, order } = await anOrderOnTheTablet(context, page);
    const sent = transitionsSent(page);

    await page.getByRole('button', { name: '取消工單', exact: true }).tap();
    await page.getByRole('group', { name: '取消原因' }).getByRole('button', { name: '客戶取消' }).tap();
    await page.clock.pauseAt(Date.now() + 1000);
    await page.getByRole('button', { name: '確定取消工單' }).tap();
    await page.getByRole('status').filter({ hasText: '已取消工單' }).waitFor();
    await page.reload();
    await page.clock.resume();

    const question = page.getByRole('status').filter({ hasText: '取消還沒送出' });
    await question.getByRole('button', { name: '復原' }).tap();
    await question.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('order-state').filter({ hasText: '已接車' }).waitFor();
    await page.getByRole('button', { name: '客戶已委修', exact: true }).waitFor();
    await runPastTheUndo(page);
    assert.equal(await page.getByText('取消還沒送出').count(), 0, 'the undone cancel came back after a reload');
    assert.deepEqual(sent, []);
    assert.deepEqual(cancelEvents(await owner.get(`/api/orders/${order.order_id}`)), []);
  } finally {
    await context.close();
  }
});
