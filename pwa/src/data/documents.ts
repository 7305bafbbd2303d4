// The rules of a signature on the tablet, kept apart from the screen so they can be tested:
// what the pad's strokes become in the API's form (docs/api.md, NewSignature), when there is
// enough ink to sign (the same rule the server applies), how strokes follow the pad when the
// tablet turns, and an estimate's decisions.
import type { Decision, DocLine, StrokePoint, Totals } from './types';

/** The server refuses fewer points than this (422 signature_too_short). */
export const MIN_POINTS = 10;
/** …or a total length under this share of the pad's width. */
export const MIN_LENGTH_OF_WIDTH = 0.25;
/** What the API takes in one signature. */
export const MAX_STROKES = 150; // the server's limit (chalicelib/work/signatures.py)
export const MAX_POINTS = 2000;

/** A point as signature_pad keeps it: CSS px from the pad's top left, `time` in epoch ms. */
export interface PadPoint { x: number; y: number; time: number; pressure?: number }
export interface PadStroke { points: PadPoint[] }
export interface PadSize { width: number; height: number }

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/**
 * The pad's strokes as the API takes them: integer CSS px inside the pad (a finger that ran off
 * the edge is held at the edge), `t` in ms since the signature's first point, empty strokes left out.
 */
export function toApiStrokes(strokes: readonly PadStroke[], size: PadSize): StrokePoint[][] {
  const drawn = strokes.filter((stroke) => stroke.points.length > 0);
  const start = drawn[0]?.points[0]?.time ?? 0;
  const width = Math.round(size.width), height = Math.round(size.height);
  let last = 0;
  return drawn.map((stroke) => stroke.points.map((point) => {
    // Never back in time, even if the clock was adjusted mid-signature.
    last = Math.max(last, Math.round(point.time - start));
    return [clamp(Math.round(point.x), 0, width), clamp(Math.round(point.y), 0, height), last];
  }));
}

/** Every point of every stroke. */
export const pointCount = (strokes: readonly StrokePoint[][]) => strokes.reduce((n, stroke) => n + stroke.length, 0);

/** The length of the ink: the sum of each stroke's segments (the gaps between strokes do not count). */
export function inkLength(strokes: readonly StrokePoint[][]): number {
  let length = 0;
  for (const stroke of strokes) {
    for (let i = 1; i < stroke.length; i++) {
      length += Math.hypot(stroke[i]![0] - stroke[i - 1]![0], stroke[i]![1] - stroke[i - 1]![1]);
    }
  }
  return length;
}

export type Ink = 'empty' | 'short' | 'enough' | 'too_much';

/**
 * Whether the strokes make a signature the server takes: at least MIN_POINTS points and a total
 * length of at least a quarter of the pad's width, within the API's limits.
 */
export function inkCheck(strokes: readonly StrokePoint[][], padWidth: number): Ink {
  const points = pointCount(strokes);
  if (points === 0) return 'empty';
  if (strokes.length > MAX_STROKES || points > MAX_POINTS) return 'too_much';
  return points >= MIN_POINTS && inkLength(strokes) >= padWidth * MIN_LENGTH_OF_WIDTH ? 'enough' : 'short';
}

export const hasEnoughInk = (strokes: readonly StrokePoint[][], padWidth: number) => inkCheck(strokes, padWidth) === 'enough';

/**
 * The strokes of a pad of size `from` drawn on a pad of size `to` (the tablet turned, the window
 * was resized): one scale for both axes, so the signature keeps its shape; the pad keeps its
 * aspect ratio, so it also keeps its place.
 */
export function rescaleStrokes<S extends PadStroke>(strokes: readonly S[], from: PadSize, to: PadSize): S[] {
  if (from.width <= 0 || from.height <= 0) return [...strokes];
  const scale = Math.min(to.width / from.width, to.height / from.height);
  if (!Number.isFinite(scale) || scale <= 0 || scale === 1) return [...strokes];
  return strokes.map((stroke) => ({
    ...stroke,
    points: stroke.points.map((point) => ({ ...point, x: point.x * scale, y: point.y * scale })),
  }));
}

// ---------------------------------------------------------------------------------------------
// An estimate (追加估價單): the customer approves or declines each line on it.

export type Decisions = Partial<Record<string, Decision>>;

/** Every line on the estimate has an answer. */
export const allDecided = (lines: readonly DocLine[], decisions: Decisions) =>
  lines.length > 0 && lines.every((line) => decisions[line.line_id] !== undefined);

/** The decisions as the API takes them, one per line on the estimate. */
export function decisionsFor(lines: readonly DocLine[], decisions: Decisions): Record<string, Decision> {
  const answer: Record<string, Decision> = {};
  for (const line of lines) {
    const decision = decisions[line.line_id];
    if (decision) answer[line.line_id] = decision;
  }
  return answer;
}

/**
 * The rule of chalicelib/core/money.py, the same cases tested on both sides
 * (tests/cases/tax_included.json): prices include the business tax, so the total is the lines'
 * sum (never below zero) and nothing is added to it; the 銷售額 is the total ÷ 1.05 rounded
 * half-up to whole NT$ (in integers: (total × 20 + 10) ÷ 21, floored), the 稅額 the rest.
 */
export function totalsOf(amounts: readonly number[]): Totals {
  const total = Math.max(0, amounts.reduce((sum, amount) => sum + amount, 0));
  const sales = Math.floor((total * 20 + 10) / 21);
  return { total, sales, tax: total - sales };
}

/**
 * What the customer agrees to with these decisions: the approved lines (`total`, tax included),
 * and the total consented so far with them (what the checkout may not exceed): the lines agreed
 * before (the server sends them added up) and these.
 */
export function estimateTotals(lines: readonly DocLine[], decisions: Decisions, consentedTotal: number, consentedAmount?: number) {
  const approved = totalsOf(lines.filter((line) => decisions[line.line_id] === 'approved').map((line) => line.amount));
  const consented = totalsOf([consentedAmount ?? consentedTotal, approved.total]).total;
  return { ...approved, consented };
}
