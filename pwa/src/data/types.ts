// The API's shapes (docs/api.md), as the screens use them.
import type { Shop, Staff } from './http';
import type { Axle as BrakeAxle, TyrePosition } from './inspection';

export type { Shop, Staff } from './http';

export type OrderState =
  | 'booked' | 'checked_in' | 'authorized' | 'in_progress' | 'awaiting_approval'
  | 'quality_check' | 'ready' | 'delivered' | 'followed_up' | 'cancelled';

/** The board's columns, in the order a car moves through the shop. */
export const ORDER_STATES: readonly OrderState[] = [
  'booked', 'checked_in', 'authorized', 'in_progress', 'awaiting_approval',
  'quality_check', 'ready', 'delivered', 'followed_up', 'cancelled',
];

/** Orders out of the shop's hands; any other is open, and a car has one open order at a time. */
export const CLOSED_STATES: readonly OrderState[] = ['delivered', 'followed_up', 'cancelled'];

export type Channel = 'line' | 'sms' | 'push' | 'none'; // push: the customer turned it on from their page
export type Fuel = 'gasoline' | 'diesel' | 'hybrid' | 'plugin' | 'ev';
export const FUELS: readonly Fuel[] = ['gasoline', 'diesel', 'hybrid', 'plugin', 'ev'];

export interface Customer {
  customer_id: string;
  name: string;
  mobile: string;
  email?: string;
  channel: Channel;
  notes?: string;
  consent?: { version: string; at: string; method: string };
  consent_history?: { version: string; at: string; method: string }[];
  /** Reminders and campaigns: agreed or declined, with the version and time. */
  marketing?: MarketingConsent;
  marketing_history?: MarketingConsent[];
  /** A business customer (公司行號). */
  company?: Company;
  /** Who brings the car or answers for it (送修人, 會計…). */
  contacts?: Contact[];
  line_linked_at?: string;
  reminders_opt_out?: { at: string; via: string }; // 個資法 §20: no reminders (by link or at the desk)
  /** Merged into another customer: that one's id (this record is a tombstone). */
  merged_into?: string;
  created_at?: string;
}
export interface MarketingConsent { agreed: boolean; version: string; at: string; method: string }
export interface Company { tax_id: string; title: string; monthly?: boolean } // monthly: 月結
export interface Contact { name: string; mobile?: string; role: string }

export interface Vehicle {
  vehicle_id: string;
  plate: string;
  vin?: string;
  make: string;
  model: string;
  year?: number;
  colour?: string;
  fuel: Fuel;
  customer_id: string;
  customer_name?: string;
  mileage?: { km: number; at: string; source: string };
  inspection_due_on?: string; // 定期檢驗 (YYYY-MM-DD), reminded two weeks before
  insurance_due_on?: string; // 強制險到期
  reminders?: Reminder[]; // on the vehicle's own page
}

export type ReminderKind = 'service' | 'tyres' | 'brakes' | 'inspection' | 'insurance';
export interface Reminder {
  kind: ReminderKind;
  status: 'pending' | 'sending' | 'sent' | 'opted_out' | 'unreachable';
  due_on: string;
  send_on: string;
  sent_at?: string;
  detail?: { due_km?: number; colour?: 'red' | 'yellow'; last_service_on?: string };
}

export type LineKind = 'labour' | 'part' | 'discount';
export type LineState = 'proposed' | 'approved' | 'declined' | 'done';

/** A part's grade (models.GRADE_NAMES): 正廠, 副廠, 再生, 中古. */
export type Grade = 'oem' | 'aftermarket' | 'reman' | 'used';
/** The service menu (保養套餐) a line came with. */
export interface MenuRef { menu_id: string; name: string; mileage_km?: number; months?: number }
/** One option of a line the customer may choose between (正廠 or 副廠…). */
export interface LineOption { part_key?: string; part_number: string; description: string; grade: Grade; brand?: string; unit_price: number }
export type SupplyStatus = 'in_stock' | 'to_order' | 'ordered' | 'arrived';
export interface Supply { status: SupplyStatus; supplier?: string; expected_on?: string }

export interface Line {
  line_id: string;
  kind: LineKind;
  description: string;
  hours?: number;
  rate?: number;
  part_number?: string;
  quantity?: number;
  unit_price?: number;
  amount: number;
  origin: 'authorization' | 'additional';
  state: LineState;
  technician_id?: string;
  technician_name?: string;
  /** A part the customer brought (客戶自備). */
  customer_supplied?: boolean;
  /** The signatures that cover this line (docs/api.md says one; the server sends a list). */
  frozen_by?: string | string[];
  estimate_signature_id?: string;
  /** Why the work is needed (a finding's reason), and which part of the car. */
  reason?: string;
  area?: string;
  /** A technician's finding the advisor has not priced yet. */
  unpriced?: boolean;
  /** Time on the job (start, pause, resume, finish from the phone). */
  clock?: JobClock;
  /** The final check sent the car back: what to put right. */
  rework?: { note: string; at: string; by: { staff_id: string; name: string } };
  created_by?: { staff_id: string; name: string };
  created_at?: string;
  /** What the line was taken from in the catalogue, and the choice and supply of its part. */
  part_key?: string;
  op_code?: string;
  grade?: Grade;
  brand?: string;
  menu_id?: string;
  menu?: MenuRef;
  alternatives?: LineOption[];
  supply?: Supply;
}

export type ClockState = 'running' | 'paused' | 'finished';
export type PauseReason = 'parts' | 'approval' | 'break' | 'other';
export const PAUSE_REASONS: readonly PauseReason[] = ['parts', 'approval', 'break', 'other'];
export type ClockAction = 'start' | 'pause' | 'resume' | 'finish';

export interface JobClock {
  state: ClockState;
  since: string;
  by: { staff_id: string; name: string };
  /** Seconds worked until `since` (a running period counts when it stops). */
  seconds: number;
  by_staff?: Record<string, number>;
  started_at?: string;
  finished_at?: string;
  reason?: PauseReason;
}

/** Who works on which line of an order now (the header keeps it; the board shows it). */
export interface AtWork {
  line_id: string; description: string; staff_id: string; name: string;
  state: 'running' | 'paused'; since: string; reason?: PauseReason;
  /** Seconds counted until `since`, and the labour hours sold (the board flags a job over them). */
  seconds?: number; sold_hours?: number;
}

/** A technician's call for support (需要支援), until someone takes it. */
export interface HelpCall {
  by: { staff_id: string; name: string }; at: string; note: string; line_id?: string; description?: string;
}

/** The final check (品檢): each item passed or failed, by whom. */
export interface QualityResult {
  passed: boolean;
  items: { item_id: string; ok: boolean; note?: string; km?: number }[];
  by: { staff_id: string; name: string };
  at: string;
}
export interface QualityItem { item_id: string; zh: string; en: string; kind?: 'road_test' }
export interface QualityAnswer { ok: boolean; note?: string; km?: number }

/** The promised time revised after authorization (the authorization keeps the first one). */
export interface PromiseRevision { at: string; reason: string; previous?: string; revised_at: string; by: { staff_id: string; name: string } }

/** What the customer pays (the lines' sum, tax included), and the 銷售額 + 稅額 it splits into. */
export interface Totals { total: number; sales: number; tax: number }
/** A business buyer (買受人) for the invoice: its 統一編號 and title. */
export interface Buyer { tax_id: string; title: string }

export interface OrderEvent {
  at: string;
  by: { staff_id: string; name: string };
  device_id?: string;
  from?: OrderState;
  to: OrderState;
  note?: string;
  /** A signature, or a signed version set aside (the state stays as it was). */
  document?: { kind: 'authorization' | 'estimate' | 'checkout'; version: number; signature_id: string; superseded?: boolean };
  /** Lines given to a technician (派工). */
  dispatched_to?: { staff_id: string; name: string };
  /** A tap on a job's clock, or a call for support and its answer. */
  job?: { action: ClockAction | 'help' | 'help_taken'; line_id?: string; reason?: PauseReason };
  /** A final check recorded (a failed one is the step back to work, with its note). */
  quality?: { passed: boolean; failed?: string[] };
  /** The promised time revised. */
  promise?: { at: string; previous?: string };
}

export interface Order {
  order_id: string;
  number: string;
  state: OrderState;
  customer: { customer_id: string; name: string; mobile: string };
  vehicle: { vehicle_id: string; plate: string; make: string; model: string };
  concerns: string[];
  promised_at?: string;
  waits_in_shop: boolean;
  mileage_km?: number;
  created_at: string;
  updated_at: string;
  lines: Line[];
  totals: Totals;
  buyer?: Buyer;
  events: OrderEvent[];
  next_states: OrderState[];
  /** Signed documents, newest last (superseded ones included). */
  signatures?: Signature[];
  signed?: Partial<Record<'authorization' | 'checkout', { signature_id: string; hash: string; version: number }>>;
  consented_total?: number;
  /** What the customer was sent at each step, by channel, with its delivery state. */
  messages?: OrderMessage[];
  old_parts?: OldParts;
  road_test?: RoadTest;
  promise?: PromiseRevision;
  at_work?: AtWork[];
  quality?: QualityResult;
  found?: number;
  help?: HelpCall;
  handover?: Handover;
  /** The checkout (data/checkout.ts): what was taken, the invoices, a manager's unpaid release. */
  paid?: import('./checkout').Paid;
  payments?: import('./checkout').Payment[];
  invoices?: import('./checkout').Invoice[];
  invoice_changes?: import('./checkout').InvoiceChange[];
  invoice?: import('./checkout').InvoiceSummary;
  invoice_to?: import('./checkout').InvoiceTo;
  unpaid_release?: import('./checkout').UnpaidRelease;
}

/** What the customer wants done with the parts taken off (舊品). */
export type OldParts = 'take_back' | 'dispose' | 'decide_at_delivery';
export const OLD_PARTS: readonly OldParts[] = ['take_back', 'dispose', 'decide_at_delivery'];

export interface RoadTest { done: boolean; note?: string }

/** The three documents a customer signs (docs/api.md, Signed documents). */
export type DocumentKind = 'authorization' | 'estimate' | 'checkout';
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['authorization', 'estimate', 'checkout'];

export interface Bilingual { zh: string; en: string }

export interface Signature {
  signature_id: string;
  kind: DocumentKind;
  title: Bilingual;
  version: number;
  hash: string;
  previous_hash?: string | null;
  signed_at: string;
  signer_name: string;
  method: 'in_person' | 'remote';
  /** The staff member who handed over the tablet; none when signed through the customer's link. */
  witness: { staff_id: string; name: string } | null;
  superseded_at?: string;
  verify_url?: string;
}

export interface OrderSummary {
  order_id: string;
  number: string;
  state: OrderState;
  plate: string;
  make: string;
  model: string;
  customer_name: string;
  promised_at?: string;
  waits_in_shop: boolean;
  technician_names: string[];
  at_work?: AtWork[];
  /** Lines a technician proposed that wait for a price. */
  found?: number;
  /** Part lines waiting to be ordered or to arrive, and the latest day one is expected (待料). */
  parts_wait?: PartsWait | null;
  help?: HelpCall | null;
  total: number;
}

export interface Board {
  date: string;
  columns: Partial<Record<OrderState, OrderSummary[]>>;
  counts: Partial<Record<OrderState, number>>;
}

export type AppointmentSource = 'phone' | 'line' | 'online' | 'walk_in' | 'invitation';
export const APPOINTMENT_SOURCES: readonly AppointmentSource[] = ['phone', 'line', 'online', 'walk_in', 'invitation'];

export interface Appointment {
  appointment_id: string;
  at: string;
  duration_minutes: number;
  purpose: string;
  source: AppointmentSource;
  parts_to_prepare?: string[];
  customer_id: string;
  vehicle_id: string;
  customer_name: string;
  plate: string;
  state: 'pending' | 'booked' | 'checked_in' | 'cancelled' | 'no_show';
  order_id?: string;
  /** Issue 19: pre-assigned technician, parts ticked ready, the estimate, the customer's note. */
  technician_id?: string | null;
  technician_name?: string | null;
  parts_ready?: string[];
  estimate_amount?: number | null;
  note?: string | null;
  service_id?: string | null;
  confirmed_at?: string | null;
}

export interface Job {
  order_id: string;
  number: string;
  plate: string;
  promised_at?: string | null;
  line: Line;
  /** The order's state: in docs/api.md, not (yet) in the route's answer. */
  state?: OrderState;
}

export interface DeviceStaff { staff_id: string; name: string; role: Staff['role']; has_pin: boolean }
export interface DeviceRoster { shop: Shop; staff: DeviceStaff[] }
export interface RegisteredDevice { device_id: string; name: string; device_secret: string }

/** A job line as a document shows it (quantities and hours may come as decimal strings). */
export interface DocLine {
  line_id: string;
  kind: LineKind;
  description: string;
  /** Why the work is needed (added work, above all). */
  reason?: string;
  part_number?: string;
  quantity?: number | string;
  hours?: number | string;
  rate?: number;
  unit_price?: number;
  amount: number;
  origin: 'authorization' | 'additional';
  customer_supplied?: boolean;
  /** Only in a signed estimate. */
  decision?: Decision;
}

export type Decision = 'approved' | 'declined';

/** Everything the customer reads and signs, drawn up by the server. */
export interface DocumentContent {
  kind: DocumentKind;
  version: number;
  title: Bilingual;
  shop: { name: string; phone?: string; address?: string };
  order: {
    order_id: string; number: string; created_at: string; promised_at?: string; waits_in_shop: boolean;
    concerns: string[]; mileage_km?: number; old_parts: OldParts; buyer?: Buyer;
  };
  customer: { name: string; mobile: string };
  vehicle: { plate: string; vin?: string; make: string; model: string; year?: number; fuel_eighths?: number };
  lines: DocLine[];
  totals: Totals;
  terms: Bilingual[];
  privacy?: Bilingual & { version: string };
  /** authorization: the walk-around's summary. */
  inspection?: {
    lights: (Bilingual & { code: string; colour: string })[];
    items: (Bilingual & { colour: 'red' | 'yellow'; note?: string })[];
    damage: (Bilingual & { note?: string })[];
  };
  /** estimate, checkout: what the customer had agreed to before. */
  consented_total?: number;
  /** estimate: the lines agreed so far, added up (tax included: the same as consented_total
   * for orders priced since prices include the tax). */
  consented_amount?: number;
  /** checkout */
  declined?: DocLine[];
  warranty?: { months: number; km: number };
  road_test?: RoadTest;
}

/** GET /api/orders/{id}/documents/{kind}: the draft as it would be signed now. */
export interface SignableDocument {
  kind: DocumentKind;
  version: number;
  signable: boolean;
  reason?: Bilingual & { code?: string };
  content: DocumentContent;
  content_hash: string;
}

/** `[x, y, t]`: CSS px on the pad, ms since the first point; integers. */
export type StrokePoint = [number, number, number];

export interface NewSignature {
  signature_id: string;
  kind: DocumentKind;
  content_hash: string;
  signer_name: string;
  consent: true;
  strokes: StrokePoint[][];
  width: number;
  height: number;
  decisions?: Record<string, Decision>;
}

// ---------------------------------------------------------------------------------------------
// Old parts (舊品) and their tags (docs/api.md, "Old parts (舊品) and tags").

export type PartState =
  | 'removed' | 'held' | 'shown_to_customer'
  | 'returned_to_customer' | 'disposed' | 'returned_to_supplier' | 'kept_as_evidence';
/** The states a tag is still open in; the other four are final. */
export const OPEN_PART_STATES: readonly PartState[] = ['removed', 'held', 'shown_to_customer'];
export type PartUnit = 'piece' | 'litre';
export type DisposalCategory = 'waste_oil' | 'battery' | 'tyre' | 'filter' | 'metal' | 'other';
export const DISPOSAL_CATEGORIES: readonly DisposalCategory[] = ['waste_oil', 'battery', 'tyre', 'filter', 'metal', 'other'];

export interface Disposal {
  category: DisposalCategory;
  quantity?: number;
  unit?: PartUnit;
  recycler: string;
  manifest_number?: string;
}
export interface SupplierReturn { supplier?: string; batch?: string; rma?: string; tracking?: string }

export interface PartEvent {
  event_id: string;
  from?: PartState | null;
  to: PartState;
  /** When it happened (the tablet's time for a queued scan). */
  at: string;
  recorded_at: string;
  by: { staff_id: string; name: string };
  device_id?: string;
  location?: string;
  note?: string;
  photo_id?: string;
  disposal?: Disposal;
  supplier_return?: SupplierReturn;
}

export interface TagSummary {
  code: string;
  display_code: string;
  url: string;
  tag_id: string;
  order_id?: string;
  order_number?: string;
  plate?: string;
  line_id?: string;
  part_name: string;
  part_number?: string;
  quantity: number;
  unit: PartUnit;
  reason?: string;
  photo_id?: string;
  wish: OldParts;
  supplier?: string;
  state: PartState;
  location?: string;
  created_at: string;
  updated_at: string;
  created_by: { staff_id: string; name: string };
  decided: boolean;
}

export interface Tag extends TagSummary {
  events: PartEvent[];
  /** The moves the caller may make now: the buttons to show. */
  actions: PartState[];
  may_edit: boolean;
  photo: { thumb_url: string; display_url: string } | null;
}

/** GET /api/parts/{code}/public: all a person not signed in may learn. */
export interface PublicTag { code: string; kind: 'part_tag'; shop: { name: string } }

export interface OrderPartsList {
  order_id: string;
  number: string;
  plate: string;
  tags: TagSummary[];
  /** Why delivery would be refused now. */
  undecided: Bilingual | null;
}

export interface NewTag {
  order_id?: string;
  line_id?: string;
  part_name?: string;
  part_number?: string;
  quantity?: number;
  unit?: PartUnit;
  reason?: string;
  wish?: OldParts;
  supplier?: string;
  location?: string;
}

/** A move of a tag (its `event_id` and `at` are added by the data layer). */
export interface PartMove {
  to: PartState;
  location?: string;
  note?: string;
  disposal?: Omit<Disposal, 'unit'>;
  supplier_return?: SupplierReturn;
}

export type BatchResult =
  | { code: string; ok: true; tag: TagSummary }
  | { code: string; ok: false; error: { code: string; message: string } };
export interface BatchAnswer { event_id: string; to: PartState; moved: number; failed: number; results: BatchResult[] }

/** A presigned link to a made file (a label, a report), valid 15 minutes. */
export interface FileLink { url: string; filename: string; content_type: string; bytes: number }

export interface ReportRow {
  code: string;
  part_name: string;
  part_number?: string;
  state: PartState;
  quantity: number;
  unit: PartUnit;
  order_id?: string;
  order_number?: string;
  plate?: string;
  at?: string;
  category?: DisposalCategory;
  recycler?: string;
  manifest_number?: string;
  supplier?: string;
  batch?: string;
  rma?: string;
  tracking?: string;
  since?: string;
  location?: string;
}

export interface PartsReport {
  month: string;
  disposals: {
    totals: { category: DisposalCategory; name: Bilingual; unit: PartUnit; quantity: number; tags: number }[];
    items: ReportRow[];
  };
  supplier_returns: { done: ReportRow[]; pending: ReportRow[] };
}

// --- the customer's progress link (docs/api.md "The customer's link") ---
export interface CustomerLink {
  url: string | null;
  revoked: boolean;
  generation: number;
  issued_at?: string;
  expires_at: string | null;
  expired?: boolean;
  qr_svg: string | null;
}

// --- messages to the customer (docs/api.md "Notifications") ---
export type MessageChannel = 'line' | 'line_pnp' | 'sms' | 'email' | 'push' | 'none';
export type MessageState = 'queued' | 'sending' | 'sent' | 'failed' | 'read';
export interface OrderMessage {
  message_id: string; // `{step}.{channel}`
  step: 'checked_in' | 'awaiting_approval' | 'ready' | 'delivered' | 'approval_code' | `reminder:${string}`;
  channel: MessageChannel;
  state: MessageState;
  created_at: string;
  updated_at?: string;
  sent_at?: string;
  not_before?: string; // held back by quiet hours until then
  delivered_at?: string; // where the channel tells (LINE notification messages)
  read_at?: string; // where the channel tells (Web Push: the notification was tapped)
  error?: string;
  tries?: number;
  resends?: number;
}

/** A day's 派工表: each technician's jobs with sold and actual hours, and their 工時效率. */
export interface DispatchSheet {
  date: string;
  technicians: {
    staff_id: string; name: string; sold_hours: number; worked_hours: number; efficiency: number | null;
    jobs: {
      order_id: string; number: string; plate: string; line_id: string; description: string; kind: LineKind;
      status: 'idle' | 'running' | 'paused' | 'finished' | 'proposed' | 'declined'; reason?: PauseReason;
      sold_hours: number | null; worked_hours: number; started_at?: string | null; finished_at?: string | null;
    }[];
  }[];
}

/** A mark found at the delivery walk-around (交車檢查), on the same outline as check-in's. */
export interface NewDamage {
  mark_id: string; x: number; y: number;
  kind: 'scratch' | 'dent' | 'crack' | 'chip' | 'rust' | 'other'; note?: string;
}
export interface Handover {
  new_damage: NewDamage[]; valuables_returned: boolean; checked_in_damage: number;
  by: { staff_id: string; name: string }; at: string; note?: string;
}

/** A vehicle's 維修履歷 (GET /api/vehicles/{id}/history): visits newest first, series oldest first. */
export interface HistoryLine { line_id: string; kind: LineKind; description: string; amount: number; state: LineState; part_number?: string }
export interface HistoryVisit {
  order_id: string; number: string; state: OrderState; date: string; created_at: string; closed_on?: string | null;
  mileage_km: number | null; total: number | null; concerns: string[]; lines: HistoryLine[];
  tyres: Partial<Record<TyrePosition, number>>; brakes: Partial<Record<BrakeAxle, number>>;
}
export interface HistoryPoint { date: string; order_id: string; number: string; mm: number }
export interface DeclinedOpen { order_id: string; number: string; date: string; line_id: string; description: string; amount: number }
export interface VehicleHistory {
  vehicle: { vehicle_id: string; plate: string; make: string; model: string; year?: number; vin?: string; mileage?: { km: number; at: string } };
  visits: HistoryVisit[];
  tyres: Partial<Record<TyrePosition, HistoryPoint[]>>;
  brakes: Partial<Record<BrakeAxle, HistoryPoint[]>>;
  mileage: { at: string; km: number }[];
  declined_open: DeclinedOpen[];
  legal_tread_mm: number;
  more: boolean;
}

/** The car waits for parts: how many lines, and the latest expected day (YYYY-MM-DD). */
export interface PartsWait {
  lines: number;
  expected_on?: string;
}
