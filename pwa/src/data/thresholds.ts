// The shop's inspection thresholds as the settings screen edits them: which the shop may change
// (PATCH /api/shop/settings, chalicelib/records/shop_settings.py) and the checks the API makes, so a
// typo is caught on the tablet. The legal minimum tread and the tyre age limit are law, not
// settings: shown, never sent.
import { parseDepth, type ShopSettings } from './inspection';

export const THRESHOLDS = [
  { name: 'tread_yellow_mm', min: 1.6, max: 10 },
  { name: 'uneven_mm', min: 0.5, max: 10 },
  { name: 'pad_yellow_mm', min: 0, max: 30 },
  { name: 'pad_red_mm', min: 0, max: 30 },
] as const;
export type ThresholdName = (typeof THRESHOLDS)[number]['name'];

export type ThresholdForm = Record<ThresholdName, string>;

export const formOf = (settings: ShopSettings): ThresholdForm =>
  Object.fromEntries(THRESHOLDS.map(({ name }) => [name, mm(settings[name])])) as ThresholdForm;

/** A threshold as the form shows it: one decimal (`3.0`). */
export const mm = (value: unknown) => (typeof value === 'number' ? value.toFixed(1) : '');

export type ThresholdProblem =
  | { problem: 'notNumber' | 'outOfRange'; name: ThresholdName; min: number; max: number }
  | { problem: 'padOrder'; name: 'pad_red_mm' };

/** What changed, as the PATCH body; or the first value the API would refuse. */
export function thresholdChange(form: ThresholdForm, current: ShopSettings):
  | { ok: true; change: Partial<Record<ThresholdName, number>> }
  | ({ ok: false } & ThresholdProblem) {
  const values: Partial<Record<ThresholdName, number>> = {};
  for (const { name, min, max } of THRESHOLDS) {
    const value = parseDepth(form[name], 99);
    if (value === null) return { ok: false, problem: 'notNumber', name, min, max };
    if (value < min || value > max) return { ok: false, problem: 'outOfRange', name, min, max };
    values[name] = value;
  }
  if (values.pad_red_mm! >= values.pad_yellow_mm!) return { ok: false, problem: 'padOrder', name: 'pad_red_mm' };
  const change = Object.fromEntries(Object.entries(values).filter(([name, value]) => current[name] !== value));
  return { ok: true, change };
}
