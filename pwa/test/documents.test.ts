import cases from '../../tests/cases/tax_included.json';
import { describe, expect, it } from 'vitest';
import {
  allDecided, decisionsFor, estimateTotals, hasEnoughInk, inkCheck, inkLength, MAX_POINTS,
  MAX_STROKES, pointCount, rescaleStrokes, toApiStrokes, totalsOf, type PadStroke,
} from '../src/data/documents';
import type { DocLine, StrokePoint } from '../src/data/types';

/** A straight stroke of `n` points from (x0, y0), `step` px apart to the right, 16 ms apart. */
function straight(n: number, x0: number, y0: number, step: number, t0 = 1_700_000_000_000): PadStroke {
  return { points: Array.from({ length: n }, (_, i) => ({ x: x0 + i * step, y: y0, time: t0 + i * 16, pressure: 0.5 })) };
}

/** The same in the API's form. */
const apiLine = (n: number, step: number): StrokePoint[] =>
  Array.from({ length: n }, (_, i): StrokePoint => [10 + i * step, 50, i * 16]);

describe('toApiStrokes: signature_pad points → the API\'s integer [x, y, t]', () => {
  it('rounds to whole CSS px and counts time from the signature\'s first point', () => {
    const strokes: PadStroke[] = [
      { points: [{ x: 10.4, y: 20.6, time: 1_000_000.2 }, { x: 30.5, y: 21.49, time: 1_000_016.7 }] },
      { points: [{ x: 40, y: 40, time: 1_000_250 }] },
    ];
    expect(toApiStrokes(strokes, { width: 600, height: 200 })).toEqual([
      [[10, 21, 0], [31, 21, 17]],
      [[40, 40, 250]],
    ]);
  });

  it('holds a finger that ran off the pad at its edge', () => {
    const strokes: PadStroke[] = [{ points: [
      { x: -12, y: 5, time: 0 }, { x: 650.7, y: 230, time: 10 }, { x: 300, y: -3, time: 20 },
    ] }];
    expect(toApiStrokes(strokes, { width: 600.4, height: 200 })).toEqual([[[0, 5, 0], [600, 200, 10], [300, 0, 20]]]);
  });

  it('leaves out empty strokes and never goes back in time', () => {
    const strokes: PadStroke[] = [
      { points: [] },
      { points: [{ x: 1, y: 1, time: 500 }, { x: 2, y: 2, time: 490 }, { x: 3, y: 3, time: 520 }] },
    ];
    expect(toApiStrokes(strokes, { width: 100, height: 100 })).toEqual([[[1, 1, 0], [2, 2, 0], [3, 3, 20]]]);
  });

  it('gives nothing for an untouched pad', () => {
    expect(toApiStrokes([], { width: 100, height: 50 })).toEqual([]);
  });

  it('makes only integers, whatever the pad measured', () => {
    const strokes = toApiStrokes([straight(20, 3.3, 7.7, 11.37)], { width: 812.6, height: 270.9 });
    expect(strokes.flat(2).every(Number.isInteger)).toBe(true);
  });
});

describe('the ink rule (the server\'s: ≥ 10 points and a length ≥ a quarter of the pad\'s width)', () => {
  it('takes a signature long enough with enough points', () => {
    // 10 points 20 px apart: 180 px of ink on a 600 px pad (150 needed).
    expect(inkLength([apiLine(10, 20)])).toBe(180);
    expect(inkCheck([apiLine(10, 20)], 600)).toBe('enough');
    expect(hasEnoughInk([apiLine(10, 20)], 600)).toBe(true);
  });

  it('refuses nine points however long they are', () => {
    expect(inkCheck([apiLine(9, 100)], 600)).toBe('short');
  });

  it('refuses a short scribble of many points', () => {
    // 40 points 3 px apart: 117 px, under the 150 px a 600 px wide pad needs.
    expect(inkCheck([apiLine(40, 3)], 600)).toBe('short');
    expect(inkCheck([apiLine(40, 3)], 400)).toBe('enough'); // 100 px needed on a smaller pad
  });

  it('counts the exact quarter as enough', () => {
    expect(inkCheck([apiLine(11, 15)], 600)).toBe('enough'); // 150 px
    expect(inkCheck([apiLine(11, 15)], 604)).toBe('short');
  });

  it('does not count the jump between strokes', () => {
    const dots: StrokePoint[][] = Array.from({ length: 12 }, (_, i) => [[i * 50, 10, i * 100]]);
    expect(pointCount(dots)).toBe(12);
    expect(inkLength(dots)).toBe(0);
    expect(inkCheck(dots, 600)).toBe('short');
  });

  it('says empty for no ink, and too much past the API\'s limits', () => {
    expect(inkCheck([], 600)).toBe('empty');
    expect(inkCheck(Array.from({ length: MAX_STROKES + 1 }, () => apiLine(2, 20)), 600)).toBe('too_much');
    expect(inkCheck([apiLine(MAX_POINTS + 1, 1)], 600)).toBe('too_much');
    expect(inkCheck(Array.from({ length: MAX_STROKES }, () => apiLine(2, 20)), 600)).toBe('enough');
  });
});

describe('rescaleStrokes: the pad resized (the tablet turned)', () => {
  it('scales every point to the new size, keeping times and the number of points', () => {
    const before = [straight(5, 100, 50, 10), straight(3, 300, 120, 5)];
    const after = rescaleStrokes(before, { width: 900, height: 300 }, { width: 600, height: 200 });
    expect(after.map((s) => s.points.length)).toEqual([5, 3]);
    expect(after[0]!.points[0]).toMatchObject({ x: 100 * (2 / 3), y: 50 * (2 / 3), time: before[0]!.points[0]!.time });
    expect(after[1]!.points[2]!.x).toBeCloseTo(310 * (2 / 3));
    expect(before[0]!.points[0]!.x).toBe(100); // the pad's own data is not changed under it
  });

  it('keeps the shape when the aspect ratio changes: one scale for both axes, the smaller', () => {
    const [stroke] = rescaleStrokes([{ points: [{ x: 200, y: 100, time: 0 }] }], { width: 800, height: 200 }, { width: 400, height: 200 });
    expect(stroke!.points[0]).toMatchObject({ x: 100, y: 50 });
  });

  it('keeps the signature as much ink, relative to the pad, after a round trip', () => {
    const size = { width: 960, height: 320 }, smaller = { width: 720, height: 240 };
    const strokes = [straight(30, 40, 100, 9), straight(25, 200, 160, 8)];
    const there = rescaleStrokes(strokes, size, smaller);
    const back = rescaleStrokes(there, smaller, size);
    expect(inkCheck(toApiStrokes(there, smaller), smaller.width)).toBe(inkCheck(toApiStrokes(strokes, size), size.width));
    expect(back[1]!.points[24]!.x).toBeCloseTo(strokes[1]!.points[24]!.x);
  });

  it('changes nothing for the same size or a pad not yet measured', () => {
    const strokes = [straight(3, 0, 0, 1)];
    expect(rescaleStrokes(strokes, { width: 500, height: 100 }, { width: 500, height: 100 })).toEqual(strokes);
    expect(rescaleStrokes(strokes, { width: 0, height: 0 }, { width: 500, height: 100 })).toEqual(strokes);
  });
});

describe('an estimate\'s decisions', () => {
  const line = (line_id: string, amount: number): DocLine => ({
    line_id, kind: 'part', description: line_id, amount, origin: 'additional',
  });
  const lines = [line('a', 1200), line('b', 2400), line('c', 333)];

  it('needs an answer on every line', () => {
    expect(allDecided(lines, { a: 'approved', b: 'declined' })).toBe(false);
    expect(allDecided(lines, { a: 'approved', b: 'declined', c: 'declined' })).toBe(true);
    expect(allDecided([], {})).toBe(false);
  });

  it('sends one decision per line on the estimate, nothing else', () => {
    expect(decisionsFor(lines, { a: 'approved', c: 'declined', z: 'approved' })).toEqual({ a: 'approved', c: 'declined' });
  });

  it('adds the approved lines, as priced, to what was consented before: no tax on top', () => {
    expect(estimateTotals(lines, { a: 'approved', b: 'declined', c: 'approved' }, 3900)).toEqual({
      total: 1533, sales: 1460, tax: 73, consented: 5433,
    });
    expect(estimateTotals(lines, { a: 'declined', b: 'declined', c: 'declined' }, 3900).consented).toBe(3900);
  });

  it('starts from the lines agreed before when the server sends them', () => {
    // An order signed before prices included the tax: 4,095 consented, its lines 3,900.
    expect(estimateTotals(lines, { a: 'approved', b: 'declined', c: 'approved' }, 4095, 3900).consented).toBe(5433);
  });

  it('works out totals by the server\'s rule, on the same cases (tests/cases/tax_included.json)', () => {
    expect(cases.totals.length).toBeGreaterThan(5);
    for (const { lines: amounts, total, sales, tax } of cases.totals) {
      expect(totalsOf(amounts), JSON.stringify(amounts)).toEqual({ total, sales, tax });
    }
    for (let total = 0; total <= 50_000; total += 7) {
      const split = totalsOf([total]);
      expect(split.sales + split.tax).toBe(total);
      expect(Math.abs(split.sales * 1.05 - total)).toBeLessThanOrEqual(0.525);
    }
  });
});
