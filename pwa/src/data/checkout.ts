// The checkout at the counter (結帳): money taken on an order by method, deposits, refunds, the
// 電子發票 and what the value-added centre did with it, and the day's cash-up (日結).
//
// Payments, refunds, the invoice's choice and a manager's unpaid release go through the write
// queue like every write: each carries the client id made when its sheet opened, so a double tap
// or a replay takes the money once. A void, an allowance and 「重新傳送」 are asked of the
// value-added centre while the person waits (the API answers 503 when it is down, and the
// invoice must not change behind their back later): they need the network, like a print.
import { http, queue } from './client';
import type { FileLink, Order, OrderState } from './types';

const q = (value: string) => encodeURIComponent(value);

export const PAY_METHODS = ['cash', 'card', 'transfer', 'line_pay', 'jko', 'monthly'] as const;
export type PayMethod = (typeof PAY_METHODS)[number];
export type PaymentKind = 'payment' | 'deposit' | 'refund';

export interface StaffStamp { staff_id: string; name: string }

/** The sums the order keeps: `paid` = taken less refunded. */
export interface Paid {
  paid: number; taken: number; refunded: number; deposit: number;
  methods: Partial<Record<PayMethod, number>>;
}

export interface Payment {
  payment_id: string; kind: PaymentKind; method: PayMethod;
  /** A refund is below zero. */
  amount: number;
  received?: number; change?: number; reference?: string; reason?: string;
  by: StaffStamp; at: string; day: string;
}

export type InvoiceState = 'queued' | 'issued' | 'voided' | 'refused';
export interface InvoiceError { code: string; message: string; message_en: string; at: string }
export interface Invoice {
  seq: number; state: InvoiceState; relate: string;
  buyer?: { tax_id: string; title: string };
  carrier?: { type: CarrierType; number: string };
  donation_code?: string;
  total: number; sales: number; tax: number;
  number?: string; random_code?: string; issued_at?: string;
  allowed?: number; tries?: number; last_error?: InvoiceError;
  voided?: { at: string; reason: string; by: StaffStamp };
}
export interface InvoiceChange {
  change_id: string; kind: 'void' | 'allowance'; amount: number;
  /** The allowance's own number (折讓單號). */
  number?: string;
  invoice_number?: string; reason: string; at: string; by?: StaffStamp;
}
/** The header's summary of the latest invoice. */
export interface InvoiceSummary {
  seq: number; state: InvoiceState; number?: string; random_code?: string; issued_at?: string;
  total: number; allowed?: number; waiting?: boolean;
}
export type CarrierType = 'mobile' | 'certificate';
/** What the invoice is to be (the API's body, kept on the order as `invoice_to`). */
export interface InvoiceTo {
  client_id?: string;
  tax_id?: string; title?: string;
  carrier_type?: CarrierType; carrier_number?: string;
  donation_code?: string;
  when?: 'paid' | 'now';
}
export interface UnpaidRelease { reason: string; by: StaffStamp; at: string; balance: number }

// --- rules the screen shows before it asks ---

/** What is left to pay: the total less what was paid (the API's rule, read from its sums). */
export const balanceOf = (order: Pick<Order, 'totals' | 'paid'>) => order.totals.total - (order.paid?.paid ?? 0);

/** The checkout panel shows once the car is ready, and after it has left. */
export const CHECKOUT_STATES: readonly OrderState[] = ['ready', 'delivered', 'followed_up'];
/** A deposit (訂金) is taken while the authorization is being signed. */
export const DEPOSIT_STATES: readonly OrderState[] = ['checked_in', 'authorized'];

/** 手機條碼: "/" and 7 of 0-9, A-Z, ".", "+", "-" (chalicelib/core/einvoice_rules.py). */
export const mobileCarrierOk = (text: string) => /^\/[0-9A-Z.+-]{7}$/.test(text);
/** 自然人憑證: 2 capital letters and 14 digits. */
export const certificateOk = (text: string) => /^[A-Z]{2}\d{14}$/.test(text);
/** 捐贈碼 (愛心碼): 3 to 7 digits. */
export const donationCodeOk = (text: string) => /^\d{3,7}$/.test(text);

/** A carrier as scanned or typed: capitals, no spaces (a phone's barcode reader adds none). */
export const normaliseCarrier = (text: string) => text.trim().toUpperCase().replace(/\s+/g, '');

/**
 * The amounts a customer hands over for `amount` in cash, as quick buttons: the exact sum, then the
 * next 100, 500 and 1,000 (Taiwan's notes), each once and each more than the one before.
 */
export function cashSuggestions(amount: number): number[] {
  if (!(amount > 0)) return [];
  const up = (step: number) => Math.ceil(amount / step) * step;
  const found = [amount];
  for (const value of [up(100), up(500), up(1000)]) if (value > found[found.length - 1]!) found.push(value);
  return found;
}

/** The change (找零) for cash `received` against `amount`; null while it does not cover it. */
export const changeDue = (amount: number, received: number) =>
  Number.isFinite(amount) && Number.isFinite(received) && received >= amount ? received - amount : null;

/** An invoice number as printed: `AB12345678` → `AB-12345678`. */
export const formatInvoiceNumber = (number: string) =>
  (/^[A-Z]{2}\d{8}$/.test(number) ? `${number.slice(0, 2)}-${number.slice(2)}` : number);

/** The invoice the order has now, for the screen: its state, with "waiting for the centre". */
export type InvoiceView =
  | { kind: 'none' }
  | { kind: 'queued' | 'waiting' | 'issued' | 'refused' | 'voided'; invoice: Invoice };

export function invoiceView(order: Pick<Order, 'invoices' | 'invoice'>): InvoiceView {
  const invoice = order.invoices?.length ? order.invoices[order.invoices.length - 1]! : undefined;
  if (!invoice) return { kind: 'none' };
  if (invoice.state === 'queued') {
    const waiting = order.invoice?.waiting === true || invoice.last_error?.code === 'centre_down';
    return { kind: waiting ? 'waiting' : 'queued', invoice };
  }
  return { kind: invoice.state, invoice };
}

/** Who the invoice goes to, as the form holds it. */
export type BuyerKind = 'person' | 'company';
export type PersonWay = 'mobile' | 'certificate' | 'donation' | 'paper';
export interface InvoiceChoice {
  buyer: BuyerKind; way: PersonWay;
  carrier: string; donation: string; taxId: string; title: string;
}
export type ChoiceField = 'carrier' | 'donation' | 'taxId' | 'title';

/** The form filled from what was chosen before, or from the order's business buyer. */
export function choiceFrom(order: Pick<Order, 'invoice_to' | 'buyer'>): InvoiceChoice {
  const to = order.invoice_to;
  const blank: InvoiceChoice = { buyer: 'person', way: 'paper', carrier: '', donation: '', taxId: '', title: '' };
  if (to?.tax_id) return { ...blank, buyer: 'company', taxId: to.tax_id, title: to.title ?? '' };
  if (to?.carrier_type) return { ...blank, way: to.carrier_type, carrier: to.carrier_number ?? '' };
  if (to?.donation_code) return { ...blank, way: 'donation', donation: to.donation_code };
  if (to) return blank;
  if (order.buyer) return { ...blank, buyer: 'company', taxId: order.buyer.tax_id, title: order.buyer.title };
  return blank;
}

/**
 * The API's body for a choice, or the field that is not right yet and why (a message key). The
 * 統一編號's check digit is the API's to judge (422, shown by the field): only its 8 digits here.
 */
export function invoiceBody(choice: InvoiceChoice, when: 'paid' | 'now'):
  { body: Omit<InvoiceTo, 'client_id'> } | { field: ChoiceField; problem: 'carrierBad' | 'certificateBad' | 'donationBad' | 'taxIdBad' | 'titleMissing' } {
  if (choice.buyer === 'company') {
    const taxId = choice.taxId.trim();
    if (!/^\d{8}$/.test(taxId)) return { field: 'taxId', problem: 'taxIdBad' };
    if (!choice.title.trim()) return { field: 'title', problem: 'titleMissing' };
    return { body: { tax_id: taxId, title: choice.title.trim(), when } };
  }
  switch (choice.way) {
    case 'mobile': {
      const carrier = normaliseCarrier(choice.carrier);
      return mobileCarrierOk(carrier) ? { body: { carrier_type: 'mobile', carrier_number: carrier, when } }
        : { field: 'carrier', problem: 'carrierBad' };
    }
    case 'certificate': {
      const carrier = normaliseCarrier(choice.carrier);
      return certificateOk(carrier) ? { body: { carrier_type: 'certificate', carrier_number: carrier, when } }
        : { field: 'carrier', problem: 'certificateBad' };
    }
    case 'donation': {
      const code = choice.donation.trim();
      return donationCodeOk(code) ? { body: { donation_code: code, when } } : { field: 'donation', problem: 'donationBad' };
    }
    default:
      return { body: { when } };
  }
}

/** Which field the API's 422 on the invoice is about (its English names it; the screen shows it there). */
export function refusedField(choice: InvoiceChoice, englishOrAny: string): ChoiceField {
  if (/^title\b|抬頭/.test(englishOrAny)) return 'title';
  if (choice.buyer === 'company') return 'taxId';
  return choice.way === 'donation' ? 'donation' : 'carrier';
}

/** The day's rows by method: how many and how much (refunds count against their method). */
export function methodTotals(rows: readonly { method: PayMethod; amount: number }[]): Record<PayMethod, { count: number; amount: number }> {
  const totals = Object.fromEntries(PAY_METHODS.map((method) => [method, { count: 0, amount: 0 }])) as Record<PayMethod, { count: number; amount: number }>;
  for (const row of rows) {
    totals[row.method].count += 1;
    totals[row.method].amount += row.amount;
  }
  return totals;
}

// --- the API ---

export interface NewPayment {
  kind: 'payment' | 'deposit'; method: PayMethod; amount: number; received?: number; reference?: string;
}
/** Money taken; `clientId` made when the sheet opened, so a second tap is the same payment. */
export const takePayment = (orderId: string, clientId: string, payment: NewPayment) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/payments`, { client_id: clientId, ...payment });
/** Money given back (owner, manager), by the method it was taken with. */
export const refundPayment = (orderId: string, clientId: string, refund: { method: PayMethod; amount: number; reason: string }) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/refunds`, { client_id: clientId, ...refund });
/** The car may leave unpaid (owner, manager), with the reason. */
export const releaseUnpaid = (orderId: string, reason: string) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/unpaid-release`, { reason });
/** What the invoice is to be; issued when the order is paid, or at once (`when: "now"`). */
export const chooseInvoice = (orderId: string, clientId: string, to: Omit<InvoiceTo, 'client_id'>) =>
  queue.submit<Order>('POST', `/api/orders/${q(orderId)}/invoice`, { client_id: clientId, ...to });
/** The waiting invoice tried at the centre now (「重新傳送」). */
export const resendInvoice = (orderId: string) =>
  http.request<Order>('POST', `/api/orders/${q(orderId)}/invoice/resend`);
/** The issued invoice voided at the centre (owner, manager). */
export const voidInvoice = (orderId: string, clientId: string, reason: string) =>
  http.request<Order>('POST', `/api/orders/${q(orderId)}/invoice/void`, { client_id: clientId, reason });
/** An allowance (折讓) on the issued invoice (owner, manager), tax included. */
export const allowInvoice = (orderId: string, clientId: string, amount: number, reason: string) =>
  http.request<Order>('POST', `/api/orders/${q(orderId)}/invoice/allowances`, { client_id: clientId, amount, reason });
/** The invoice's 證明聯 as a PDF (a 15-minute link). */
export const invoiceProof = (orderId: string) =>
  http.request<FileLink>('GET', `/api/orders/${q(orderId)}/invoice/proof?format=pdf`);

export interface CashUpCashier {
  staff_id: string; name: string; count: number; total: number; methods: Record<PayMethod, number>;
}
export interface CashUpRow {
  order_id: string; order_number: string; payment_id: string; kind: PaymentKind; method: PayMethod;
  amount: number; received?: number; change?: number; reference?: string; reason?: string; at: string;
  /** The cashier's name. */
  by: string;
}
export interface CashUp {
  day: string; total: number; methods: Record<PayMethod, number>; count: number; refunds: number;
  deposits_taken: number; deposits_held: number; cashiers: CashUpCashier[];
  invoices: { issued: number; issued_total: number; voided: number; voided_total: number; allowed: number; allowed_total: number };
  payments: CashUpRow[];
}
/** The day's takings (日結), Asia/Taipei. */
export const cashUp = (day: string) => http.request<CashUp>('GET', `/api/cashup?day=${q(day)}`);
/** The same as a CSV for the accountant (UTF-8 with a BOM). */
export const cashUpCsv = (day: string) => http.file(`/api/cashup.csv?day=${q(day)}`);
/** The month's invoices, voids and allowances (發票清冊) as a CSV. */
export const invoicesCsv = (month: string) => http.file(`/api/invoices.csv?month=${q(month)}`);
export const cashUpFileName = (day: string) => `cashup-${day}.csv`;
export const invoicesFileName = (month: string) => `invoices-${month}.csv`;
