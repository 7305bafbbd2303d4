// The one way the app talks to the ServiceLane API (same origin as the PWA).
import { readThrough, remember } from './cache';
import { device, http, queue, rememberDevice } from './client';
import { newId } from './format';
import { fileBytes } from './paper';
import type { Session, Staff } from './http';
import type { Inspection, Photo, ShopSettings, TemplateGroup, TemplateItem, WarningLight } from './inspection';
import type { Dashboard } from './dashboard';
import type { FieldChange } from './queue';
import type { Template } from './template';
import type { ThresholdName } from './thresholds';
import type {
  Appointment, AppointmentSource, Board, Buyer, Channel, ClockAction, Company, Contact, Customer, DeviceRoster, DispatchSheet, DocumentKind, Fuel, Job, LineKind,
  NewDamage, PauseReason, QualityAnswer, QualityItem,
  LineState, NewSignature, OldParts, Order, OrderState, OrderSummary, RegisteredDevice, Signature,
  SignableDocument, Vehicle, VehicleHistory, Grade, LineOption, MenuRef, Supply,
} from './types';
import { CLOSED_STATES } from './types';
import type {
  BatchAnswer, FileLink, NewTag, OldParts as Wish, OrderPartsList, PartMove, PartsReport, PublicTag, Tag,
} from './types';

export interface HealthReport {
  status: string; // "ok" | "unavailable"
  version: string;
  checks: Record<string, string>; // each dependency: "ok" | "unreachable"
}

export type HealthOutcome =
  | { kind: 'report'; httpStatus: number; report: HealthReport }
  | { kind: 'invalid'; httpStatus: number } // an answer, but not the health JSON
  | { kind: 'offline' }; // no answer at all

const TIMEOUT_MS = 8000;

function isHealthReport(body: unknown): body is HealthReport {
  const value = body as HealthReport | null;
  return (
    typeof value === 'object' && value !== null &&
    typeof value.status === 'string' &&
    typeof value.version === 'string' &&
    typeof value.checks === 'object' && value.checks !== null
  );
}

/** GET /api/health. 503 is a normal answer here: its body says which part is down. */
export async function health(fetchImpl: typeof fetch = fetch): Promise<HealthOutcome> {
  let response: Response;
  try {
    response = await fetchImpl('/api/health', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    return { kind: 'offline' };
  }
  try {
    const body: unknown = await response.json();
    if (isHealthReport(body)) return { kind: 'report', httpStatus: response.status, report: body };
  } catch {
    // not JSON: fall through
  }
  return { kind: 'invalid', httpStatus: response.status };
}

// ---------------------------------------------------------------------------------------------
// Staff routes (docs/api.md). Reads go straight to the API; writes go through the offline queue
// (client.ts), except the session's own calls, which carry a password, PIN or device secret and so
// are never stored: they need the network, and say so.
const q = (value: string) => encodeURIComponent(value);

// Session
export const signIn = (login: string, password: string) => http.signIn(login, password);
export const signOut = () => http.signOut();

export async function deviceRoster(): Promise<DeviceRoster> {
  const registered = device.value;
  if (!registered) throw new Error('no device');
  return http.open<DeviceRoster>('POST', '/api/auth/device', {
    device_id: registered.device_id, device_secret: registered.device_secret,
  });
}

export async function signInWithPin(staffId: string, pin: string): Promise<Session> {
  const registered = device.value;
  if (!registered) throw new Error('no device');
  const session = await http.open<Session>('POST', '/api/auth/pin', {
    device_id: registered.device_id, device_secret: registered.device_secret, staff_id: staffId, pin,
  });
  http.begin(session);
  return session;
}

export async function registerDevice(name: string): Promise<RegisteredDevice> {
  const registered = await http.request<RegisteredDevice>('POST', '/api/devices', { device_id: newId(), name });
  rememberDevice(registered);
  return registered;
}

export const setMyPin = (pin: string, password: string) => http.request<void>('PUT', '/api/me/pin', { pin, password });
/** Hand-over mode ends: the person's own PIN or password (never queued: it needs the network). */
export const unlockHandover = (secret: string) => http.request<void>('POST', '/api/me/unlock', { secret });

// Reads
export const listStaff = () => http.request<{ staff: Staff[] }>('GET', '/api/staff');
export const board = (date: string) => http.request<Board>('GET', `/api/board?date=${q(date)}`);
export const findVehicles = (plate: string) =>
  http.request<{ vehicles: Vehicle[] }>('GET', `/api/vehicles?plate=${q(plate)}`);
export const findCustomers = (phone: string) =>
  http.request<{ customers: Customer[] }>('GET', `/api/customers?phone=${q(phone)}`);
export const getOrder = (orderId: string) => http.request<Order>('GET', `/api/orders/${q(orderId)}`);
export const appointments = (date: string) =>
  http.request<{ date: string; appointments: Appointment[] }>('GET', `/api/appointments?date=${q(date)}`);
/** A technician's jobs (the last answer kept for a bay with no Wi-Fi). */
export const jobs = (technicianId?: string) =>
  readThrough(`jobs:${technicianId ?? 'mine'}`, () =>
    http.request<{ jobs: Job[] }>('GET', technicianId ? `/api/jobs?technician_id=${q(technicianId)}` : '/api/jobs'));

// Writes (through the queue). Creates carry the client-made id, so a replay is a no-op.
/** A new customer: the privacy notice acknowledged on the tablet (the API refuses one without),
 * and their answer to reminders and campaigns (`marketing`), asked apart. */
export interface NewCustomer { name: string; mobile: string; channel: Channel; consentVersion: string; marketing: boolean }
export function createCustomer(customerId: string, c: NewCustomer) {
  return queue.submit<Customer>('POST', '/api/customers', {
    customer_id: customerId, name: c.name, mobile: c.mobile, channel: c.channel,
    consent: { version: c.consentVersion, method: 'tablet' },
    marketing: { agreed: c.marketing, method: 'tablet' },
  });
}

/** What the customer screen changes: only what is sent; `company: null` makes them a person. */
export interface CustomerChange {
  name?: string; mobile?: string; email?: string | null; channel?: Channel;
  company?: Company | null; contacts?: Contact[];
  consent?: { version: string; method: string };
  marketing?: { agreed: boolean; method: string };
}
export const updateCustomer = (customerId: string, change: CustomerChange) =>
  queue.submit<Customer>('PATCH', `/api/customers/${q(customerId)}`, change);

/** Another record of the same person merged into this one (owner, manager). Online only: the
 * manager watches it happen, and the answer is the customer as merged. */
export const mergeCustomer = (customerId: string, fromCustomerId: string) =>
  http.request<Customer>('POST', `/api/customers/${q(customerId)}/merge`, { from_customer_id: fromCustomerId });

/** A one-time LINE link code, as the URL and a QR (SVG) the customer scans with LINE. */
export const lineLink = (customerId: string) =>
  http.request<{ code: string; url: string; qr_svg: string; expires_at: string }>('GET', `/api/customers/${q(customerId)}/line-link`);

export interface NewVehicle { plate: string; make: string; model: string; year?: number; fuel: Fuel; mileage_km?: number }
export function createVehicle(vehicleId: string, customerId: string, v: NewVehicle) {
  return queue.submit<Vehicle>('POST', '/api/vehicles', { vehicle_id: vehicleId, customer_id: customerId, ...v });
}
/** The car changed hands: it keeps its history, the new owner's orders from now on. */
export const changeVehicleOwner = (vehicleId: string, customerId: string) =>
  queue.submit<Vehicle>('POST', `/api/vehicles/${q(vehicleId)}/owner`, { customer_id: customerId });

export interface NewOrder {
  customer_id: string; vehicle_id: string; concerns: string[]; promised_at?: string;
  waits_in_shop: boolean; mileage_km?: number;
}
export const createOrder = (orderId: string, o: NewOrder) =>
  queue.submit<Order>('POST', '/api/orders', { order_id: orderId, ...o });

export interface NewLine {
  kind: LineKind; description: string; hours?: number; rate?: number; part_number?: string;
  quantity?: number; unit_price?: number; amount?: number; customer_supplied?: boolean;
  /** Why the work is needed: shown to the customer on the documents and the estimate. */
  reason?: string; photo_id?: string;
  /** Taken from the catalogue: the part or operation, its grade and brand, the menu it came with. */
  part_key?: string; op_code?: string; grade?: Grade; brand?: string; menu?: MenuRef;
  /** The options the customer may choose between, this line's own among them. */
  alternatives?: LineOption[];
}
/** A line; `lineId` given again (a double tap, a replay) is the same line, added once. */
export const addLine = (orderId: string, line: NewLine, lineId: string = newId()) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/lines`, { line_id: lineId, ...line });
/** Which of a line's alternatives the customer took (index into `alternatives`). */
export const chooseOption = (orderId: string, lineId: string, option: number) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/lines/${q(lineId)}/choice`, { option });
/** Where the line's part is: in stock, to order, ordered (from whom, expected when), arrived. */
export const setSupply = (orderId: string, lineId: string, supply: Supply) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/lines/${q(lineId)}/supply`, supply);
export const setLineState = (orderId: string, lineId: string, state: LineState) =>
  queue.submit<Order>('PATCH', `/api/orders/${q(orderId)}/lines/${q(lineId)}`, { state });
export const deleteLine = (orderId: string, lineId: string) =>
  queue.submit<Order>('DELETE', `/api/orders/${q(orderId)}/lines/${q(lineId)}`);
// `client_id` is not in docs/api.md but the route requires it: it makes a replayed step a no-op
// instead of a 409 (see the report on the API contract).
export const transition = (orderId: string, to: OrderState) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/transitions`, { to, client_id: newId() });
export const dispatch = (orderId: string, technicianId: string, lineIds?: string[]) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/dispatch`, { technician_id: technicianId, ...(lineIds ? { line_ids: lineIds } : {}) });

// The workshop floor. Each tap carries the moment it was made (`at`), so a tap queued in a bay
// with no Wi-Fi counts from when it happened; its client id makes a resend a no-op.
export interface Finding {
  kind: 'labour' | 'part'; description: string; reason: string; area?: string; quantity?: number;
}
/** What a technician found during the work: a line for the advisor to price (its photos: subject `line.<id>`). */
export const proposeLine = (orderId: string, lineId: string, finding: Finding) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/findings`, { line_id: lineId, ...finding });
export const clockJob = (orderId: string, lineId: string, action: ClockAction, reason?: PauseReason) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/lines/${q(lineId)}/clock`, {
    client_id: newId(), action, at: new Date().toISOString(), ...(reason ? { reason } : {}),
  });
export const askHelp = (orderId: string, note: string, lineId?: string) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/help`, { client_id: newId(), note, ...(lineId ? { line_id: lineId } : {}) });
export const takeHelp = (orderId: string) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/help/taken`, { client_id: newId() });
export const revisePromise = (orderId: string, at: string, reason: string) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/promise`, { client_id: newId(), at, reason });
export const priceLine = (orderId: string, lineId: string, price: { hours?: number; rate?: number; quantity?: number; unit_price?: number }) =>
  queue.submit<Order>('PATCH', `/api/orders/${q(orderId)}/lines/${q(lineId)}`, price);
/** The delivery walk-around with the customer: what is new since check-in, the valuables. */
export const recordHandover = (orderId: string, newDamage: NewDamage[], valuablesReturned: boolean) =>
  queue.submit<Order>('PUT', `/api/orders/${q(orderId)}/handover`, { client_id: newId(), new_damage: newDamage, valuables_returned: valuablesReturned });
/** The front desk's alerts on this device (Web Push): the key to subscribe with, and the subscription. */
export const myPushKey = () => http.request<{ public_key: string | null }>('GET', '/api/me/push');
export const subscribeMyPush = (subscription: PushSubscriptionJSON) => http.request<{ subscribed: boolean }>('POST', '/api/me/push', subscription);
export const unsubscribeMyPush = (endpoint: string) => http.request<{ subscribed: boolean }>('POST', '/api/me/push/off', { endpoint });
/** A day's 派工表, and the same as an A4 PDF (a file made on request: it needs the network). */
export const dispatchSheet = (date: string) => http.request<DispatchSheet>('GET', `/api/dispatch-sheet?date=${q(date)}`);
export const dispatchSheetPdf = (date: string) => http.request<FileLink>('GET', `/api/dispatch-sheet/pdf?date=${q(date)}`);
/** The final check's items (kept for a bay with no Wi-Fi). */
export const qualityTemplate = () =>
  readThrough('quality-check', () => http.request<{ items: QualityItem[] }>('GET', '/api/quality-check'));
/** The shop's own final-check list (owner, manager); the answer replaces the kept read. */
export async function replaceQualityTemplate(items: Pick<QualityItem, 'item_id' | 'zh' | 'en'>[]) {
  const outcome = await queue.submit<{ items: QualityItem[] }>('PUT', '/api/shop/quality-check-template', {
    items: items.map(({ item_id, zh, en }) => ({ item_id, zh, en, group: 'quality' })),
  });
  if (outcome.sent) remember('quality-check', outcome.body);
  return outcome;
}
export const recordQualityCheck = (orderId: string, items: Record<string, QualityAnswer>) =>
  queue.submit<Order>('PUT', `/api/orders/${q(orderId)}/quality-check`, { client_id: newId(), items });

export interface NewAppointment {
  at: string; duration_minutes: number; purpose: string; source: AppointmentSource;
  parts_to_prepare?: string[]; customer_id: string; vehicle_id: string;
  service_id?: string; technician_id?: string; estimate_amount?: number;
  /** Into a full slot on purpose (the advisor's call; refused `slot_full` otherwise). */
  overbook?: boolean;
}
export const createAppointment = (a: NewAppointment) =>
  queue.submit<Appointment>('POST', '/api/appointments', { appointment_id: newId(), ...a });
export const checkIn = (appointmentId: string, orderId: string) =>
  queue.submit<Order>('POST', `/api/appointments/${q(appointmentId)}/check-in`, { order_id: orderId });

// ---------------------------------------------------------------------------------------------
// The walk-around (檢修確認表) and photos. Reads keep their last answer for a bay with no Wi-Fi;
// field changes fold into one waiting PATCH per order; a mileage change travels alone, since the
// API may refuse it (409 mileage_lower) and a refusal drops the whole request.
export const warningLights = () =>
  readThrough('catalogue/warning-lights', () => http.request<{ lights: WarningLight[] }>('GET', '/api/catalogue/warning-lights'));
export const inspectionTemplate = () =>
  readThrough('shop/inspection-template', () => http.request<{ items: TemplateItem[]; groups?: TemplateGroup[] }>('GET', '/api/shop/inspection-template'));
/** The order's photos (walk-around and others) with short links to their thumbnails. */
export const orderPhotos = (orderId: string) =>
  http.request<{ photos: Photo[] }>('GET', `/api/orders/${q(orderId)}/photos`);
export const shopSettings = () =>
  readThrough('shop/settings', () => http.request<ShopSettings>('GET', '/api/shop/settings'));

/** The shop's settings (owner, manager): thresholds, and the numbers the customer's side runs
 * by (link days, the code amount, the warranty, follow-up and reminders); the answer replaces the
 * kept read. */
export async function changeShopSettings(change: Partial<Record<ThresholdName | ShopNumber, number>>) {
  const outcome = await queue.submit<ShopSettings>('PATCH', '/api/shop/settings', change);
  if (outcome.sent) remember('shop/settings', outcome.body);
  return outcome;
}

/** The shop's details the customer sees (name, phone, address, LINE ID, logo). */
export interface ShopProfile {
  shop_id: string; name: string; phone?: string; address?: string; line_id?: string;
  logo_url?: string | null;
  /** 統一編號 */
  tax_id?: string | null;
  /** Per weekday (`mon`…`sun`); a day absent is closed. */
  opening_hours?: OpeningHours;
}
export type OpeningHours = Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', { open: string; close: string }>>;
export const shopProfile = () =>
  readThrough('shop/profile', () => http.request<ShopProfile>('GET', '/api/shop'));
export async function changeShopProfile(change: Partial<Omit<ShopProfile, 'shop_id' | 'logo_url'>>) {
  const outcome = await queue.submit<ShopProfile>('PATCH', '/api/shop', change);
  if (outcome.sent) remember('shop/profile', outcome.body);
  return outcome;
}
/** The logo goes straight up (an image is no write to keep for later); base64 of the file. */
export async function uploadShopLogo(image: string) {
  const profile = await http.request<ShopProfile>('PUT', '/api/shop/logo', { image });
  remember('shop/profile', profile);
  return profile;
}
export type ShopNumber = 'link_days_after_delivery' | 'remote_code_above' | 'warranty_months' | 'warranty_km'
  | 'followup_after_days' | 'service_months' | 'service_km' | 'reminder_gap_days';

/** The whole checklist template at once (owner, manager); the answer replaces the kept read. */
export async function replaceInspectionTemplate(template: { items: TemplateItem[]; groups: TemplateGroup[] }) {
  const outcome = await queue.submit<Template>('PUT', '/api/shop/inspection-template', template);
  if (outcome.sent) remember('shop/inspection-template', outcome.body);
  return outcome;
}

export const inspectionPath = (orderId: string) => `/api/orders/${q(orderId)}/inspection`;
export const getInspection = (orderId: string) =>
  readThrough(`inspection/${orderId}`, () => http.request<Inspection>('GET', inspectionPath(orderId)));
export const getOrderKept = (orderId: string) => readThrough(`order/${orderId}`, () => getOrder(orderId));
export const getVehicle = (vehicleId: string) =>
  readThrough(`vehicle/${vehicleId}`, () => http.request<Vehicle>('GET', `/api/vehicles/${q(vehicleId)}`));

/** The vehicle with its mileage, owners, orders and reminders, fresh (no kept copy). */
export const vehiclePage = (vehicleId: string) => http.request<Vehicle>('GET', `/api/vehicles/${q(vehicleId)}`);

/** The order the car is in the shop under, if any (the API opens no second one: 409
 * `vehicle_has_open_order`), from the vehicle's page, read fresh. */
export async function openOrderOf(vehicleId: string): Promise<OrderSummary | null> {
  const page = await http.request<Vehicle & { orders?: OrderSummary[] }>('GET', `/api/vehicles/${q(vehicleId)}`);
  return page.orders?.find((order) => !CLOSED_STATES.includes(order.state)) ?? null;
}
/** The inspection and insurance dates the shop records (null clears one). */
export const changeVehicleDates = (vehicleId: string, dates: { inspection_due_on?: string | null; insurance_due_on?: string | null }) =>
  queue.submit<Vehicle>('PATCH', `/api/vehicles/${q(vehicleId)}`, dates);
/** Stop or resume a customer's reminders, as they asked at the desk or on the phone. */
export const switchReminders = (customerId: string, on: boolean) =>
  http.request<{ reminders: 'on' | 'off'; at: string }>('PUT', `/api/customers/${q(customerId)}/reminders`, { reminders: on ? 'on' : 'off' });

export function changeInspection(orderId: string, changes: FieldChange[], options: { alone?: boolean } = {}) {
  return queue.submit<Inspection>('PATCH', inspectionPath(orderId), { changes },
    options.alone ? {} : { merge: `inspection:${orderId}` });
}

/** Queue a photo already shrunk on the tablet. */
export function addPhoto(orderId: string, photoId: string, subject: string, blob: Blob) {
  return queue.submitPhoto<Photo>({
    order_id: orderId, photo_id: photoId, subject, content_type: blob.type || 'image/jpeg', size: blob.size,
  }, blob);
}

// ---------------------------------------------------------------------------------------------
// Signed documents (委修確認單, 估價單, 結帳清單). The draft is read fresh each time (it is what the
// customer signs; its hash comes back with the signature); the signature goes through the queue
// like every write, and a 409 document_changed means the order changed since it was read.
export const getDocument = (orderId: string, kind: DocumentKind) =>
  http.request<SignableDocument>('GET', `/api/orders/${q(orderId)}/documents/${q(kind)}`);
export const signDocument = (orderId: string, signature: NewSignature) =>
  queue.submit<Signature>('POST', `/api/orders/${q(orderId)}/signatures`, signature);
/** A link to the signed document's PDF, valid 15 minutes. */
export const signedPdf = (orderId: string, signatureId: string) =>
  http.request<{ url: string; filename: string }>('GET', `/api/orders/${q(orderId)}/signatures/${q(signatureId)}/pdf`);
/** The signed PDF's bytes (for printing from a frame of the app's own origin). */
export async function signedPdfBytes(orderId: string, signatureId: string): Promise<Blob> {
  return fileBytes((await signedPdf(orderId, signatureId)).url);
}
/** Set the signed version aside so the order can change and a new version be signed. */
export const reviseDocument = (orderId: string, kind: DocumentKind) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/documents/${q(kind)}/revisions`, { client_id: newId() });
export const setOldParts = (orderId: string, oldParts: OldParts) =>
  queue.submit<Order>('PATCH', `/api/orders/${q(orderId)}`, { old_parts: oldParts });
/** The business buyer for the invoice, or null: a consumer again. */
export const setBuyer = (orderId: string, buyer: Buyer | null) =>
  queue.submit<Order>('PATCH', `/api/orders/${q(orderId)}`, { buyer });

// ---------------------------------------------------------------------------------------------
// Old parts (舊品) and their tags. Moves carry the moment of the tap (`at`), so a scan queued in a
// bay with no Wi-Fi is recorded as when it happened; a batch is one request for a whole crate.
export const getTag = (code: string) => http.request<Tag>('GET', `/api/parts/${q(code)}`);
/** What anyone may learn from a tag's code (no sign-in): the shop's name. */
export const publicTag = (code: string) => http.open<PublicTag>('GET', `/api/parts/${q(code)}/public`);
export const orderParts = (orderId: string) => http.request<OrderPartsList>('GET', `/api/orders/${q(orderId)}/parts`);
export const createTag = (tag: NewTag) => queue.submit<Tag>('POST', '/api/parts', { tag_id: newId(), ...tag });
export const moveTag = (code: string, move: PartMove) =>
  queue.submit<Tag>('POST', `/api/parts/${q(code)}/events`, { event_id: newId(), at: new Date().toISOString(), ...move });
export const moveTags = (codes: string[], move: PartMove) =>
  queue.submit<BatchAnswer>('POST', '/api/parts/moves', { codes, event: { event_id: newId(), at: new Date().toISOString(), ...move } });
export const setTagWish = (code: string, wish: Wish) => queue.submit<Tag>('PATCH', `/api/parts/${q(code)}`, { wish });
// Labels and the report are files made on request: they need the network, like a print does,
// and change nothing stored, so they go straight to the API.
export const tagLabel = (code: string, format: 'pdf' | 'png') =>
  http.request<FileLink>('GET', `/api/parts/${q(code)}/label?format=${format}`);
export const tagLabels = (codes: string[], layout: 'a4' | 'thermal') =>
  http.request<FileLink & { count: number }>('POST', '/api/parts/labels', { codes, layout });
// The shop's numbers (營運報表): read from the daily aggregates; the CSV is answered by the API itself.
export const dashboard = (from: string, to: string) =>
  http.request<Dashboard>('GET', `/api/dashboard?from=${q(from)}&to=${q(to)}`);
export const dashboardCsv = (from: string, to: string) =>
  http.file(`/api/dashboard?from=${q(from)}&to=${q(to)}&format=csv`);
export const partsReport = (month: string) => http.request<PartsReport>('GET', `/api/reports/parts?month=${q(month)}`);
export const partsReportCsv = (month: string) =>
  http.request<FileLink>('GET', `/api/reports/parts?month=${q(month)}&format=csv`);

// ---------------------------------------------------------------------------------------------
// The customer's progress link (/t/<token>). Online only, like the labels: the advisor needs the
// URL and its QR now, at the counter; a queued re-issue would show nothing to the customer.
type CustomerLink = import('./types').CustomerLink;
const linkPath = (orderId: string) => `/api/orders/${q(orderId)}/link`;
export const getCustomerLink = (orderId: string) => http.request<CustomerLink>('GET', linkPath(orderId));
export const reissueCustomerLink = (orderId: string) => http.request<CustomerLink>('POST', linkPath(orderId));
export const revokeCustomerLink = (orderId: string) => http.request<CustomerLink>('DELETE', linkPath(orderId));

// ---------------------------------------------------------------------------------------------
// Messages to the customer: the order answer carries them (`order.messages`); a resend goes
// through the write queue like every write, once per client id.
type OrderMessage = import('./types').OrderMessage;
export const resendMessage = (orderId: string, messageId: string) =>
  queue.submit<OrderMessage>('POST', `/api/orders/${q(orderId)}/messages/${q(messageId)}/resend`,
    { client_id: newId() });

/** A vehicle's 維修履歷, fresh (no kept copy); its A4 PDF for the owner as a 15-minute link. */
export const vehicleHistory = (vehicleId: string) => http.request<VehicleHistory>('GET', `/api/vehicles/${q(vehicleId)}/history`);
export const vehicleHistoryPdf = (vehicleId: string) => http.request<FileLink>('GET', `/api/vehicles/${q(vehicleId)}/history/pdf`);
