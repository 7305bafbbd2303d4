// The walk-around (檢修確認表) as the API shapes it (docs/api.md), and the pure rules the screen
// needs: field names, what a waiting change does to what is shown, and a preview of the
// server's findings for values it has not seen yet.

export type Colour = 'red' | 'yellow' | 'green';
export type LightColour = 'red' | 'amber' | 'green' | 'blue';

export const TYRES = ['LF', 'RF', 'LR', 'RR', 'SPARE'] as const;
export type TyrePosition = (typeof TYRES)[number];
export const GROOVES = ['inner', 'centre', 'outer'] as const;
export type Groove = (typeof GROOVES)[number];
export const AXLES = ['front', 'rear'] as const;
export type Axle = (typeof AXLES)[number];
export const DAMAGE_KINDS = ['scratch', 'dent', 'crack', 'chip', 'rust', 'other'] as const;
export type DamageKind = (typeof DAMAGE_KINDS)[number];

/** The telltales the catalogue names (docs/design.md §7); the PWA draws one icon each. */
export const LIGHT_CODES = [
  'engine', 'oil_pressure', 'battery', 'brake', 'abs', 'airbag', 'tpms', 'coolant_temp', 'eps',
  'esc', 'glow_plug', 'dpf', 'adblue', 'service_due', 'seat_belt', 'door_open', 'low_fuel', 'ev_system',
] as const;
export type LightCode = (typeof LIGHT_CODES)[number];

export interface WarningLight { code: string; colour: LightColour; zh: string; en: string }
export interface TemplateItem { item_id: string; zh: string; en: string; group?: string }
/** The template's groups and their names (in the API's answer beside `items`). */
export interface TemplateGroup { group: string; zh: string; en: string }
export interface ShopSettings {
  tread_yellow_mm: number;
  pad_red_mm: number;
  pad_yellow_mm: number;
  uneven_mm?: number;
  [other: string]: unknown;
}
export const DEFAULT_SETTINGS: ShopSettings = { tread_yellow_mm: 3.0, pad_red_mm: 3, pad_yellow_mm: 5, uneven_mm: 1.5 };

export interface TyreFinding { colour: Colour; worst_mm?: number; uneven?: boolean; dot_old?: boolean }
export interface Findings {
  tyres?: Partial<Record<TyrePosition, TyreFinding>>;
  brakes?: Partial<Record<Axle, { colour: Colour }>>;
  [other: string]: unknown;
}

export interface Photo {
  photo_id: string;
  subject: string;
  width?: number;
  height?: number;
  thumb_url: string;
  display_url: string;
  created_at: string;
  by?: unknown;
}

export interface Inspection {
  order_id: string;
  values: Record<string, unknown>;
  changed: Record<string, { at: string; by?: unknown }>;
  findings: Findings;
  photos: Photo[];
  editable: boolean;
}

export interface DamageMark { x: number; y: number; kind: DamageKind; note?: string }
export interface ChecklistMark { status: Colour; note?: string }

// Field names, built in one place.
export const field = {
  mileage: 'mileage_km',
  fuel: 'fuel_eighths',
  light: (code: string) => `lights.${code}`,
  lightsNone: 'lights_none',
  groove: (pos: TyrePosition, groove: Groove) => `tyres.${pos}.${groove}`,
  pressure: (pos: TyrePosition) => `tyres.${pos}.pressure_kpa`,
  dot: (pos: TyrePosition) => `tyres.${pos}.dot`,
  pad: (axle: Axle) => `brakes.${axle}.pad_mm`,
  disc: (axle: Axle) => `brakes.${axle}.disc_note`,
  damage: (markerId: string) => `damage.${markerId}`,
  checklist: (itemId: string) => `checklist.${itemId}`,
  valuables: 'valuables_reminded',
  customerPresent: 'customer_present',
};

export const subject = {
  dashboard: 'dashboard',
  tyre: (pos: TyrePosition) => `tyre.${pos}`,
  brake: (axle: Axle) => `brake.${axle}`,
  damage: (markerId: string) => `damage.${markerId}`,
  checklist: (itemId: string) => `checklist.${itemId}`,
  general: 'general',
};

/** The API's values with the changes still waiting in the queue laid over them (newest tap wins). */
export function overlay(values: Record<string, unknown>, waiting: Iterable<{ field: string; value: unknown }>): Record<string, unknown> {
  const shown = { ...values };
  for (const change of waiting) {
    if (change.value === null) delete shown[change.field];
    else shown[change.field] = change.value;
  }
  return shown;
}

/** Markers on the damage diagram, from the `damage.<id>` fields. */
export function damageMarks(values: Record<string, unknown>): [string, DamageMark][] {
  return Object.entries(values)
    .filter(([name, value]) => name.startsWith('damage.') && value && typeof value === 'object')
    .map(([name, value]) => [name.slice('damage.'.length), value as DamageMark]);
}

/** Steps of 0.5 mm, never below 0 or above the API's 20 mm; one decimal. */
export function stepDepth(current: number | undefined, delta: number, from = 6): number {
  const next = (current ?? from) + delta;
  return Math.min(20, Math.max(0, Math.round(next * 10) / 10));
}

/** A depth as typed on the keypad (`5,5` too): null when it is not one the API takes. */
export function parseDepth(text: string, max = 20): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d{1,2}(\.\d)?$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= max ? value : null;
}

/** `WWYY` (week 01–53, year) → the Monday-ish start of that week, or null. */
export function dotDate(dot: string): Date | null {
  const match = /^(\d{2})(\d{2})$/.exec(dot);
  if (!match) return null;
  const week = Number(match[1]);
  if (week < 1 || week > 53) return null;
  return new Date(Date.UTC(2000 + Number(match[2]), 0, 1 + (week - 1) * 7));
}

/** A DOT code the API takes: a real week, not in the future. */
export function dotValid(dot: string, now = new Date()): boolean {
  const made = dotDate(dot);
  return made !== null && made <= now;
}

/** Older than six years on `now`: may not be sold in Taiwan. */
export function dotOld(dot: string, now = new Date()): boolean {
  const made = dotDate(dot);
  if (!made) return false;
  const limit = new Date(made);
  limit.setUTCFullYear(limit.getUTCFullYear() + 6);
  return now > limit;
}

/**
 * What the server will conclude about a tyre, for values it has not answered yet (a tap made with
 * no network). The server's `findings` stay the reference: this only fills the gap until they
 * come back. Red under 1.6 mm (the legal minimum in Taiwan), yellow under the shop's threshold,
 * uneven when grooves differ by ≥ 1.5 mm, DOT older than six years.
 */
export function previewTyre(values: Record<string, unknown>, pos: TyrePosition, settings: ShopSettings, now = new Date()): TyreFinding | null {
  const depths = GROOVES.map((g) => values[field.groove(pos, g)]).filter((v): v is number => typeof v === 'number');
  const dot = values[field.dot(pos)];
  const old = typeof dot === 'string' && dotOld(dot, now);
  if (depths.length === 0) return typeof dot === 'string' ? { colour: 'green', dot_old: old } : null;
  const worst = Math.min(...depths);
  const colour: Colour = worst < 1.6 ? 'red' : worst < settings.tread_yellow_mm ? 'yellow' : 'green';
  return { colour, worst_mm: worst, uneven: Math.round((Math.max(...depths) - worst) * 10) >= Math.round((settings.uneven_mm ?? 1.5) * 10), dot_old: old };
}

export function previewPad(mm: unknown, settings: ShopSettings): Colour | null {
  if (typeof mm !== 'number') return null;
  return mm < settings.pad_red_mm ? 'red' : mm < settings.pad_yellow_mm ? 'yellow' : 'green';
}
