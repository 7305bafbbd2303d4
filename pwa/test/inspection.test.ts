import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS, damageMarks, dotOld, overlay, parseDepth, previewPad, previewTyre, stepDepth,
} from '../src/data/inspection';

const tyre = (inner: number, centre: number, outer: number) =>
  ({ 'tyres.LF.inner': inner, 'tyres.LF.centre': centre, 'tyres.LF.outer': outer });

describe('the preview of tyre findings (until the server answers)', () => {
  it('colours by the worst groove: red under 1.6 mm, yellow under the shop threshold, else green', () => {
    expect(previewTyre(tyre(6, 6, 1.5), 'LF', DEFAULT_SETTINGS)).toMatchObject({ colour: 'red', worst_mm: 1.5 });
    expect(previewTyre(tyre(6, 6, 1.6), 'LF', DEFAULT_SETTINGS)?.colour).toBe('yellow');
    expect(previewTyre(tyre(3, 3.5, 2.9), 'LF', DEFAULT_SETTINGS)?.colour).toBe('yellow');
    expect(previewTyre(tyre(3, 3.5, 3), 'LF', DEFAULT_SETTINGS)?.colour).toBe('green');
    expect(previewTyre(tyre(3, 3.5, 3), 'LF', { ...DEFAULT_SETTINGS, tread_yellow_mm: 4 })?.colour).toBe('yellow');
  });

  it('flags uneven wear from a 1.5 mm difference across the grooves', () => {
    expect(previewTyre(tyre(6, 5, 4.5), 'LF', DEFAULT_SETTINGS)?.uneven).toBe(true);
    expect(previewTyre(tyre(5.6, 5, 4.1), 'LF', DEFAULT_SETTINGS)?.uneven).toBe(true);
    expect(previewTyre(tyre(6, 5, 4.6), 'LF', DEFAULT_SETTINGS)?.uneven).toBe(false);
  });

  it('flags a DOT code older than six years', () => {
    const now = new Date('2026-11-22T00:00:00Z');
    expect(dotOld('2321', now)).toBe(false);
    expect(dotOld('4820', now)).toBe(false); // week 48 of 2020: six years old only on 2026-11-25
    expect(dotOld('4620', now)).toBe(true); // week 46 of 2020: six years old since 2026-11-11
    expect(dotOld('2319', now)).toBe(true);
    expect(dotOld('5419', now)).toBe(false); // no week 54: not a DOT code
    expect(previewTyre({ ...tyre(6, 6, 6), 'tyres.LF.dot': '0118' }, 'LF', DEFAULT_SETTINGS, now)?.dot_old).toBe(true);
  });

  it('says nothing about a tyre with no values', () => {
    expect(previewTyre({}, 'RR', DEFAULT_SETTINGS)).toBeNull();
  });

  it('colours brake pads by the shop thresholds', () => {
    expect([2.5, 3, 4.5, 5, 9].map((mm) => previewPad(mm, DEFAULT_SETTINGS))).toEqual(['red', 'yellow', 'yellow', 'green', 'green']);
    expect(previewPad(undefined, DEFAULT_SETTINGS)).toBeNull();
  });
});

describe('entering depths', () => {
  it('steps by 0.5 mm within 0..20, from a starting value when empty', () => {
    expect(stepDepth(6, 0.5)).toBe(6.5);
    expect(stepDepth(0.2, -0.5)).toBe(0);
    expect(stepDepth(19.8, 0.5)).toBe(20);
    expect(stepDepth(undefined, -0.5)).toBe(5.5);
    expect(stepDepth(0.1 + 0.2, 0.5)).toBe(0.8);
  });

  it('reads a depth typed on the keypad, comma or point', () => {
    expect(parseDepth('5,5')).toBe(5.5);
    expect(parseDepth(' 7 ')).toBe(7);
    expect(parseDepth('21')).toBeNull();
    expect(parseDepth('-1')).toBeNull();
    expect(parseDepth('5.55')).toBeNull();
  });
});

describe('what the screen shows', () => {
  it('lays waiting changes over the API values, a null clearing the field', () => {
    const shown = overlay({ fuel_eighths: 4, mileage_km: 1000, 'lights.abs': true }, [
      { field: 'fuel_eighths', value: 6 }, { field: 'lights.abs', value: null }, { field: 'fuel_eighths', value: 5 },
    ]);
    expect(shown).toEqual({ fuel_eighths: 5, mileage_km: 1000 });
  });

  it('lists damage marks from their fields', () => {
    expect(damageMarks({ 'damage.m1': { x: 0.5, y: 0.1, kind: 'dent' }, 'damage.m2': null, fuel_eighths: 3 }))
      .toEqual([['m1', { x: 0.5, y: 0.1, kind: 'dent' }]]);
  });
});
