import { describe, expect, it } from 'vitest';
import {
  balanceOf, cashSuggestions, certificateOk, changeDue, choiceFrom, donationCodeOk, formatInvoiceNumber, invoiceBody,
  invoiceView, methodTotals, mobileCarrierOk, normaliseCarrier, refusedField, type Invoice, type InvoiceChoice,
} from '../src/data/checkout';
import { validTaxId } from '../src/data/format';

const anInvoice = (patch: Partial<Invoice> = {}): Invoice => ({
  seq: 1, state: 'queued', relate: 'R20261207001I01', total: 3150, sales: 3000, tax: 150, ...patch,
});
const person = (patch: Partial<InvoiceChoice> = {}): InvoiceChoice => ({
  buyer: 'person', way: 'paper', carrier: '', donation: '', taxId: '', title: '', ...patch,
});

describe('the balance', () => {
  it('is the total less what was paid, refunds taken off, and the whole total before any payment', () => {
    expect(balanceOf({ totals: { total: 3150, sales: 3000, tax: 150 } })).toBe(3150);
    expect(balanceOf({ totals: { total: 3150, sales: 3000, tax: 150 }, paid: { paid: 1000, taken: 1200, refunded: 200, deposit: 0, methods: {} } })).toBe(2150);
  });
});

describe('cash at the counter', () => {
  it('offers the exact sum, then the next 100, 500 and 1,000 the customer may hand over', () => {
    expect(cashSuggestions(3150)).toEqual([3150, 3200, 3500, 4000]);
    expect(cashSuggestions(1250)).toEqual([1250, 1300, 1500, 2000]);
  });

  it('offers each amount once, in rising order, when the sum is already round', () => {
    expect(cashSuggestions(3000)).toEqual([3000]);
    expect(cashSuggestions(2500)).toEqual([2500, 3000]);
    expect(cashSuggestions(1980)).toEqual([1980, 2000]);
    expect(cashSuggestions(0)).toEqual([]);
  });

  it('gives the change only when the cash covers the amount', () => {
    expect(changeDue(1650, 2000)).toBe(350);
    expect(changeDue(1650, 1650)).toBe(0);
    expect(changeDue(1650, 1000)).toBeNull();
    expect(changeDue(Number.NaN, 2000)).toBeNull();
  });
});

describe('the invoice\'s carrier and codes, as chalicelib/core/einvoice_rules.py reads them', () => {
  it('takes a mobile barcode of "/" and 7 of 0-9, A-Z, ".", "+", "-"', () => {
    for (const good of ['/ABC+123', '/AB.-1Z9', '/1234567']) expect(mobileCarrierOk(good), good).toBe(true);
    for (const bad of ['ABC+1234', '/abc+123', '/ABC+12', '/ABC+1234', '/ABC 123', '/ABC_123', '']) expect(mobileCarrierOk(bad), bad).toBe(false);
  });

  it('capitalises what was typed and drops spaces before checking', () => {
    expect(normaliseCarrier(' /abc+123 ')).toBe('/ABC+123');
    expect(mobileCarrierOk(normaliseCarrier('/abc +123'))).toBe(true);
  });

  it('takes a citizen certificate of 2 capital letters and 14 digits', () => {
    expect(certificateOk('AB12345678901234')).toBe(true);
    for (const bad of ['A123456789012345', 'AB1234567890123', 'ab12345678901234', 'AB123456789012345']) expect(certificateOk(bad), bad).toBe(false);
  });

  it('takes a donation code of 3 to 7 digits', () => {
    for (const good of ['123', '8585', '1234567']) expect(donationCodeOk(good), good).toBe(true);
    for (const bad of ['12', '12345678', '12a4', '']) expect(donationCodeOk(bad), bad).toBe(false);
  });
});

describe('the invoice\'s body', () => {
  it('sends a mobile carrier normalised, with when', () => {
    expect(invoiceBody(person({ way: 'mobile', carrier: '/abc+123' }), 'paid'))
      .toEqual({ body: { carrier_type: 'mobile', carrier_number: '/ABC+123', when: 'paid' } });
  });

  it('names the field and the problem of a bad carrier, certificate or donation code', () => {
    expect(invoiceBody(person({ way: 'mobile', carrier: 'ABC123' }), 'paid')).toEqual({ field: 'carrier', problem: 'carrierBad' });
    expect(invoiceBody(person({ way: 'certificate', carrier: 'AB123' }), 'now')).toEqual({ field: 'carrier', problem: 'certificateBad' });
    expect(invoiceBody(person({ way: 'donation', donation: '12' }), 'now')).toEqual({ field: 'donation', problem: 'donationBad' });
  });

  it('sends paper as no carrier at all, and a donation by its code', () => {
    expect(invoiceBody(person(), 'now')).toEqual({ body: { when: 'now' } });
    expect(invoiceBody(person({ way: 'donation', donation: '8585' }), 'paid')).toEqual({ body: { donation_code: '8585', when: 'paid' } });
  });

  it('leaves the 統一編號\'s check digit to the API (its 422 is shown by the field), but wants 8 digits and a title', () => {
    const wrongCheck = '04595258';
    expect(validTaxId(wrongCheck)).toBe(false);
    expect(invoiceBody(person({ buyer: 'company', taxId: wrongCheck, title: '大安汽車有限公司' }), 'paid'))
      .toEqual({ body: { tax_id: wrongCheck, title: '大安汽車有限公司', when: 'paid' } });
    expect(invoiceBody(person({ buyer: 'company', taxId: '1234567', title: 'x' }), 'paid')).toEqual({ field: 'taxId', problem: 'taxIdBad' });
    expect(invoiceBody(person({ buyer: 'company', taxId: '04595257', title: '  ' }), 'paid')).toEqual({ field: 'title', problem: 'titleMissing' });
  });

  it('puts the API\'s refusal by the field the choice uses', () => {
    expect(refusedField(person({ buyer: 'company' }), '統一編號不正確（檢查碼不符），請再核對一次。')).toBe('taxId');
    expect(refusedField(person({ buyer: 'company' }), 'title: required with tax_id')).toBe('title');
    expect(refusedField(person({ way: 'mobile' }), '手機條碼格式不正確')).toBe('carrier');
    expect(refusedField(person({ way: 'donation' }), '捐贈碼是 3 到 7 碼數字。')).toBe('donation');
  });

  it('fills the form from the kept choice, else from the order\'s business buyer', () => {
    expect(choiceFrom({ buyer: { tax_id: '04595257', title: '大安汽車有限公司' } }))
      .toMatchObject({ buyer: 'company', taxId: '04595257', title: '大安汽車有限公司' });
    expect(choiceFrom({ invoice_to: { carrier_type: 'mobile', carrier_number: '/ABC+123', when: 'paid' }, buyer: { tax_id: '04595257', title: 'x' } }))
      .toMatchObject({ buyer: 'person', way: 'mobile', carrier: '/ABC+123' });
    expect(choiceFrom({ invoice_to: { when: 'paid' } })).toMatchObject({ buyer: 'person', way: 'paper' });
    expect(choiceFrom({})).toMatchObject({ buyer: 'person', way: 'paper' });
  });
});

describe('the invoice\'s state on screen', () => {
  it('is none before any invoice, and the latest invoice\'s state after', () => {
    expect(invoiceView({})).toEqual({ kind: 'none' });
    const voided = anInvoice({ state: 'voided', number: 'AB12345678' });
    const issued = anInvoice({ seq: 2, state: 'issued', number: 'AB12345679' });
    expect(invoiceView({ invoices: [voided, issued] })).toEqual({ kind: 'issued', invoice: issued });
  });

  it('waits for the centre when a try failed for the centre being down, or the summary says so', () => {
    const down = anInvoice({ tries: 1, last_error: { code: 'centre_down', message: '加值中心暫時連不上', message_en: 'down', at: '2026-12-07T05:00:00Z' } });
    expect(invoiceView({ invoices: [down] }).kind).toBe('waiting');
    expect(invoiceView({ invoices: [anInvoice()], invoice: { seq: 1, state: 'queued', total: 3150, waiting: true } }).kind).toBe('waiting');
    expect(invoiceView({ invoices: [anInvoice()] }).kind).toBe('queued');
    expect(invoiceView({ invoices: [anInvoice({ state: 'refused' })] }).kind).toBe('refused');
  });

  it('prints the number as AB-12345678', () => {
    expect(formatInvoiceNumber('AB12345678')).toBe('AB-12345678');
    expect(formatInvoiceNumber('odd')).toBe('odd');
  });
});

describe('the cash-up', () => {
  it('counts and adds the day\'s rows by method, a refund against its method', () => {
    const totals = methodTotals([
      { method: 'cash', amount: 2000 }, { method: 'line_pay', amount: 1150 }, { method: 'cash', amount: 500 },
      { method: 'cash', amount: -300 },
    ]);
    expect(totals.cash).toEqual({ count: 3, amount: 2200 });
    expect(totals.line_pay).toEqual({ count: 1, amount: 1150 });
    expect(totals.card).toEqual({ count: 0, amount: 0 });
  });
});
