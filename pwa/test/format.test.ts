import { describe, expect, it } from 'vitest';
import {
  addDays, formatDateTime, formatMoney, formatPhone, formatTime, isoToTaipeiLocal, newId, taipeiDate, taipeiLocalToIso,
  validTaxId,
} from '../src/data/format';

describe('formatMoney', () => {
  it('writes integer NT$ with thousands separators', () => {
    expect(formatMoney(0)).toBe('NT$0');
    expect(formatMoney(1234)).toBe('NT$1,234');
    expect(formatMoney(1_250_000)).toBe('NT$1,250,000');
  });

  it('puts the minus of a discount before the currency', () => {
    expect(formatMoney(-200)).toBe('-NT$200');
  });
});

describe('time in Asia/Taipei', () => {
  it('shows a UTC instant at Taipei wall time, with the date only when it is not today', () => {
    expect(formatTime('2026-11-22T09:30:00Z', '2026-11-22')).toBe('17:30');
    expect(formatTime('2026-11-22T17:05:00Z', '2026-11-22')).toBe('11/23 01:05');
    expect(formatDateTime('2026-11-22T17:05:00Z')).toBe('2026-11-23 01:05');
  });

  it('takes the shop day in Taipei, not UTC: 23:30 UTC is already tomorrow there', () => {
    expect(taipeiDate(new Date('2026-11-22T15:59:00Z'))).toBe('2026-11-22');
    expect(taipeiDate(new Date('2026-11-22T16:00:00Z'))).toBe('2026-11-23');
  });

  it('reads a datetime-local value as Taipei time and back', () => {
    expect(taipeiLocalToIso('2026-11-22T17:30')).toBe('2026-11-22T09:30:00Z');
    expect(taipeiLocalToIso('2026-11-23T03:00')).toBe('2026-11-22T19:00:00Z');
    expect(isoToTaipeiLocal('2026-11-22T19:00:00Z')).toBe('2026-11-23T03:00');
    expect(taipeiLocalToIso('tomorrow')).toBeNull();
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('newId', () => {
  it('makes ids the API accepts (8–64 of [A-Za-z0-9_-]) and never the same twice', () => {
    const ids = new Set(Array.from({ length: 200 }, newId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});

describe('formatPhone', () => {
  it('writes stored +886 numbers the way they are read out in Taiwan', () => {
    expect(formatPhone('+886912345678')).toBe('0912-345-678');
    expect(formatPhone('+886223456789')).toBe('02-2345-6789');
    expect(formatPhone('+85291234567')).toBe('+85291234567');
  });
});

describe('a 統一編號', () => {
  it('is checked by the same rule as the server (tests/unit/test_plates_vins_phones.py)', () => {
    expect(validTaxId('22099131')).toBe(true);
    expect(validTaxId('12345675')).toBe(true); // seventh digit 7: the sum plus one
    expect(validTaxId('04595257')).toBe(true);
    expect(validTaxId('22099132')).toBe(false);
    expect(validTaxId('12345677')).toBe(false);
    expect(validTaxId('2209913')).toBe(false);
    expect(validTaxId('2209913a')).toBe(false);
  });
});
