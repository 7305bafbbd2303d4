// Shared by the shop's end-to-end tests: the demo owner, calls to the API as a given person,
// test data made through the API (so each test starts from its own customer and vehicle), and
// the sign-in steps in the browser.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, layoutFaults } from './browser.mjs';

/** The demo owner's login, written by the test stack (devstack/seed.py). */
export function demoLogin() {
  const dir = process.env.SL_TEST_DATA_DIR;
  assert.ok(dir, 'SL_TEST_DATA_DIR is not set: run the suite through `python -m devstack test browser`');
  const { email, password } = JSON.parse(readFileSync(join(dir, 'demo-login.json'), 'utf8'));
  return { login: email, password };
}

/**
 * Run `body` holding the demo shop's checklist template and thresholds: one test changes them
 * (settings) while another relies on them (the walk-around), and node --test runs test files in
 * parallel processes. A lock directory beside the demo login; a holder that died leaves it stale.
 */
export async function withDemoShopSettings(body) {
  const dir = process.env.SL_TEST_DATA_DIR;
  assert.ok(dir, 'SL_TEST_DATA_DIR is not set: run the suite through `python -m devstack test browser`');
  const lock = join(dir, 'demo-shop-settings.lock');
  const holderAlive = () => {
    try {
      process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0);
      return true;
    } catch (error) {
      return error.code !== 'ESRCH'; // no pid file yet: being taken right now
    }
  };
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    if (!holderAlive()) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((resolve) => {
      const watcher = watch(dir, () => !existsSync(lock) && (watcher.close(), resolve()));
      if (!existsSync(lock)) (watcher.close(), resolve());
    });
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A plate no other test uses: three letters, a hyphen, four digits (ABC-1234). */
export function newPlate() {
  const letters = [...randomBytes(3)].map((b) => String.fromCharCode(65 + (b % 26))).join('');
  const digits = String(randomBytes(2).readUInt16BE(0) % 10000).padStart(4, '0');
  return `${letters}-${digits}`;
}

/** A Taiwanese mobile number no other test uses. */
export const newMobile = () => `09${String(randomBytes(4).readUInt32BE(0) % 100_000_000).padStart(8, '0')}`;

/** The API as one signed-in person, through the browser context's request client. */
export async function apiAs(request, login, password) {
  const response = await request.post(`${BASE_URL}/api/auth/sign-in`, { data: { login, password } });
  const session = await response.json();
  assert.equal(response.status(), 200, `sign-in as ${login}: ${JSON.stringify(session)}`);
  const call = async (method, path, data) => {
    const answer = await request.fetch(`${BASE_URL}${path}`, {
      method, data, headers: { Authorization: `Bearer ${session.access_token}` },
    });
    const text = await answer.text();
    const body = text ? JSON.parse(text) : undefined;
    assert.ok(answer.ok(), `${method} ${path} answered ${answer.status()}: ${text}`);
    return body;
  };
  return {
    session,
    get: (path) => call('GET', path),
    post: (path, data) => call('POST', path, data),
    put: (path, data) => call('PUT', path, data),
    patch: (path, data) => call('PATCH', path, data),
  };
}

/** A technician of the demo shop with a password and a PIN set by themselves. */
export async function aTechnician(request, owner, name) {
  const password = `pw-${randomUUID()}`;
  const pin = String(100000 + (randomBytes(3).readUIntBE(0, 3) % 900000));
  const mobile = newMobile();
  const staff = await owner.post('/api/staff', {
    staff_id: randomUUID(), name, role: 'technician', mobile, password,
  });
  const technician = await apiAs(request, mobile, password);
  await technician.put('/api/me/pin', { pin, password });
  return { ...staff, mobile, password, pin, api: technician };
}

/** A customer with one vehicle, made through the API. */
export async function aCustomerWithVehicle(api, { name = '林美華', make = 'Toyota', model = 'Corolla Altis' } = {}) {
  const customer = await api.post('/api/customers', {
    customer_id: randomUUID(), name, mobile: newMobile(), channel: 'line',
    consent: { version: '2026-01', method: 'tablet' },
  });
  const vehicle = await api.post('/api/vehicles', {
    vehicle_id: randomUUID(), plate: newPlate(), make, model, year: 2019, fuel: 'gasoline',
    customer_id: customer.customer_id, mileage_km: 45210,
  });
  return { customer, vehicle };
}

/** An order for that vehicle, with a labour line, made through the API. */
export async function anOrder(api, { customer, vehicle }) {
  const order = await api.post('/api/orders', {
    order_id: randomUUID(), customer_id: customer.customer_id, vehicle_id: vehicle.vehicle_id,
    concerns: ['煞車異音'], waits_in_shop: false,
  });
  return api.post(`/api/orders/${order.order_id}/lines`, {
    line_id: randomUUID(), kind: 'labour', description: '前輪煞車來令片更換', hours: 1.5, rate: 800,
  });
}

/** Sign in through the password form. */
export async function signInWithPassword(page, login, password) {
  await page.getByLabel('手機號碼或電子郵件').fill(login);
  await page.getByLabel('密碼', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登入', exact: true }).tap();
}

/**
 * Hand-over mode ends: 交回服務顧問 on the document, then the staff member's own password (the
 * tests' staff have no PIN), and the order is back.
 */
export async function handBack(page, password) {
  await page.getByRole('button', { name: '交回服務顧問' }).tap();
  await page.getByLabel('登入密碼').fill(password);
  await page.getByRole('button', { name: '確認', exact: true }).tap();
  await page.getByTestId('order-state').waitFor();
}

/** Layout faults of the screen now shown, named for the failure message. */
export async function assertLayout(page, screen) {
  assert.deepEqual(await layoutFaults(page), [], `layout faults on ${screen}`);
}

/** Every approved job of the order marked done (the advisor's tick on each line). */
export async function finishWork(api, orderId) {
  let order = await api.get(`/api/orders/${orderId}`);
  for (const line of order.lines) {
    if (line.state === 'approved' && line.kind !== 'discount' && !line.customer_supplied) {
      order = await api.patch(`/api/orders/${orderId}/lines/${line.line_id}`, { state: 'done' });
    }
  }
  return order;
}

/** The final check (品檢), every item passed, the road test with its distance. */
export async function passQualityCheck(api, orderId) {
  const template = await api.get('/api/quality-check');
  const items = Object.fromEntries(template.items.map((item) =>
    [item.item_id, { ok: true, ...(item.kind === 'road_test' ? { km: 5 } : {}) }]));
  return api.put(`/api/orders/${orderId}/quality-check`, { client_id: randomUUID(), items });
}

/** Take an order through `steps` (states), as the owner; the customer signs where a step needs it,
 * before `ready` the work is done and the final check passed (and before `delivered` signThroughApi
 * walks around the car with the customer). */
export async function moveTo(api, orderId, ...steps) {
  let order;
  for (const to of steps) {
    if (to === 'ready') {
      await finishWork(api, orderId);
      await passQualityCheck(api, orderId);
    }
    const document = { authorized: 'authorization', delivered: 'checkout' }[to];
    const draft = document && await api.get(`/api/orders/${orderId}/documents/${document}`);
    if (draft && draft.reason?.code !== 'already_signed') await signThroughApi(api, orderId, document);
    if (to === 'delivered') await paidInFull(api, orderId);
    order = await api.post(`/api/orders/${orderId}/transitions`, { to, client_id: randomUUID() });
  }
  return order;
}

/** What is left to pay on the order, taken in cash at the counter (the car leaves paid). */
export async function paidInFull(api, orderId) {
  const order = await api.get(`/api/orders/${orderId}`);
  const due = order.totals.total - (order.paid?.paid ?? 0);
  if (due <= 0) return order;
  return api.post(`/api/orders/${orderId}/payments`, { client_id: randomUUID(), method: 'cash', amount: due });
}

/** A few orders in different states, so the board looks like a working day. */
export async function aBusyBoard(api, technician) {
  const cars = [
    { name: '林美華', make: 'Toyota', model: 'Corolla Altis', steps: [] },
    { name: '郭建宏', make: 'Ford', model: 'Focus', steps: ['authorized'] },
    { name: '許淑芬', make: 'Mitsubishi', model: 'Outlander', steps: ['authorized', 'in_progress'] },
    { name: '鄭文傑', make: 'Lexus', model: 'NX 350h', steps: ['authorized', 'in_progress', 'quality_check', 'ready'] },
  ];
  const orders = [];
  for (const car of cars) {
    const order = await anOrder(api, await aCustomerWithVehicle(api, car));
    if (car.steps.length) await api.post(`/api/orders/${order.order_id}/dispatch`, { technician_id: technician.staff_id });
    orders.push(car.steps.length ? await moveTo(api, order.order_id, ...car.steps) : order);
  }
  return orders;
}

/** An order with these lines (`{kind, description, …}` as the API takes them), made through the API. */
export async function anOrderWithLines(api, { customer, vehicle }, lines, { concerns = ['煞車異音'], promisedAt } = {}) {
  let order = await api.post('/api/orders', {
    order_id: randomUUID(), customer_id: customer.customer_id, vehicle_id: vehicle.vehicle_id,
    concerns, waits_in_shop: false, ...(promisedAt ? { promised_at: promisedAt } : {}),
  });
  for (const line of lines) order = await api.post(`/api/orders/${order.order_id}/lines`, { line_id: randomUUID(), ...line });
  return order;
}

/**
 * The customer signs a document through the API (as the tablet would send it), with a zigzag
 * signature: for tests that need a signed document to start from.
 */
export async function signThroughApi(api, orderId, kind, { decisions, signer } = {}) {
  if (kind === 'checkout' && !(await api.get(`/api/orders/${orderId}`)).handover) {
    // The walk around the car with the customer comes first (交車檢查).
    await api.put(`/api/orders/${orderId}/handover`, { client_id: randomUUID(), valuables_returned: true });
  }
  const draft = await api.get(`/api/orders/${orderId}/documents/${kind}`);
  assert.ok(draft.signable, `${kind} is not signable: ${JSON.stringify(draft.reason)}`);
  const stroke = Array.from({ length: 24 }, (_, i) => [20 + i * 20, i % 2 ? 60 : 140, i * 16]);
  return api.post(`/api/orders/${orderId}/signatures`, {
    signature_id: randomUUID(), kind, content_hash: draft.content_hash,
    signer_name: signer ?? draft.content.customer.name, consent: true, strokes: [stroke], width: 600, height: 200,
    ...(decisions ? { decisions: decisions(draft.content.lines) } : {}),
  });
}

/** What `probe` answers once it answers something, asking again every 200 ms for up to 10 s
 * (work the stream does after a write: a message sent when the car was checked in). */
export async function eventually(probe, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await probe();
    if (found) return found;
    assert.ok(Date.now() < deadline, `${what} did not happen within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
