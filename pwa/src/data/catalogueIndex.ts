// The catalogue's search index and its rules, apart from storage and network so a bench can
// load it alone in a browser: haystacks normalised once per installed copy, the ranking, the
// labour hours of a car, the lines a service menu becomes.
import type { NewLine } from './api';
import type { Grade, MenuRef } from './types';

export interface Rate { rate_id: string; name: string; name_en?: string | null; rate: number }
export interface Operation {
  code: string; name: string; name_en?: string | null; hours: number;
  /** The shop's own hours per car: `{"TOYOTA|ALTIS": 0.4}` (an empty model: the make's). */
  by_model?: Record<string, number> | null; rate_id: string;
}
export type MenuItem = { kind: 'labour'; code: string } | { kind: 'part'; part_key: string; quantity: number };
export interface Menu {
  menu_id: string; name: string; name_en?: string | null; mileage_km?: number | null; months?: number | null;
  make?: string | null; model?: string | null; items: MenuItem[]; price?: number | null;
}
export interface PartColumns {
  part_key: string[]; part_number: string[]; name: string[]; grade: string[]; brand: string[]; price: number[];
}
/** The snapshot as S3 holds it (docs/api.md, GET /api/catalogue). */
export interface Snapshot { version: number; rates: Rate[]; operations: Operation[]; menus: Menu[]; parts: PartColumns }
/** The API's answer: which version is current and where its snapshot is. */
export interface CatalogueHead {
  version: number; url: string; bytes?: number;
  counts?: { parts: number; operations: number; menus: number }; rates?: Rate[];
}
export interface Part { part_key: string; part_number: string; name: string; grade: Grade; brand: string; price: number }
/** The car a search or a menu is for: its make and model as the order's vehicle has them. */
export interface Car { make?: string | null; model?: string | null }

export type Hit =
  | { kind: 'labour'; op: Operation; hours: number; rate: number }
  | { kind: 'part'; part: Part }
  | { kind: 'menu'; menu: Menu };

export const SEARCH_LIMIT = 30;
export const GRADES: readonly Grade[] = ['oem', 'aftermarket', 'reman', 'used'];
/** What a part number keeps when compared: as models.part_key, without spaces, dashes, dots, slashes. */
const NOT_KEPT = /[\s\-./_]+/g;
export const compactNumber = (text: string) => text.replace(NOT_KEPT, '').toLowerCase();
const haystack = (...texts: (string | null | undefined)[]) => texts.filter(Boolean).join(' ').toLowerCase();

/** A model as a menu or `by_model` names it and as a car's: the same, or one word of the car's
 * (a menu for ALTIS is a COROLLA ALTIS's), as records/catalogue.py's `_same_model`. */
const sameModel = (named: string, model: string) => named === model || model.split(/\s+/).includes(named);

/** Labour hours for a car: `by_model["MAKE|MODEL"]`, else `"MAKE|"`, else the operation's own. */
export function hoursFor(op: Operation, car?: Car): number {
  const make = car?.make?.trim().toUpperCase(), model = car?.model?.trim().toUpperCase();
  const byModel = op.by_model ?? {};
  if (make && model) {
    if (byModel[`${make}|${model}`] !== undefined) return byModel[`${make}|${model}`]!;
    for (const word of model.split(/\s+/)) if (byModel[`${make}|${word}`] !== undefined) return byModel[`${make}|${word}`]!;
  }
  if (make && byModel[`${make}|`] !== undefined) return byModel[`${make}|`]!;
  return op.hours;
}

/** A menu is for this car when it names no make, or the car's make (and no model, or its model). */
export function menuFits(menu: Menu, car?: Car): boolean {
  const make = car?.make?.trim().toUpperCase(), model = car?.model?.trim().toUpperCase();
  if (!menu.make) return true;
  if (menu.make.toUpperCase() !== make) return false;
  return !menu.model || (Boolean(model) && sameModel(menu.model.toUpperCase(), model!));
}

/** A searchable copy: the snapshot and the haystacks built from it once. */
export interface CatalogueIndex {
  version: number;
  snapshot: Snapshot;
  search(query: string, car?: Car): Hit[];
  part(partKey: string): Part | null;
  /** The same part in other grades (same name, another grade: a 副廠 beside a 正廠), 正廠 first. */
  alternatives(partKey: string): Part[];
  rate(rateId?: string): number;
  labour(op: Operation, car?: Car): { hours: number; rate: number };
  /** The menus for this car, the one nearest its mileage first (the most specific on a tie). */
  menusFor(car?: Car, mileageKm?: number): Menu[];
  /** A menu's lines as the order takes them; a fixed price adds 套餐優惠 so the total is that price. */
  menuLines(menu: Menu, car?: Car): NewLine[];
}

const TIERS = 4; // exact or prefix number, name prefix, name contains, number contains

export function buildIndex(snapshot: Snapshot): CatalogueIndex {
  const cols = snapshot.parts;
  const count = cols.part_key.length;
  const partNames: string[] = new Array(count);
  const partNumbers: string[] = new Array(count);
  const byKey = new Map<string, number>();
  const byName = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    partNames[i] = cols.name[i]!.toLowerCase();
    partNumbers[i] = compactNumber(cols.part_number[i]!);
    byKey.set(cols.part_key[i]!, i);
    const same = byName.get(partNames[i]!);
    if (same) same.push(i);
    else byName.set(partNames[i]!, [i]);
  }
  const ops = snapshot.operations.map((op) => ({ op, name: haystack(op.name, op.name_en), code: compactNumber(op.code) }));
  const menus = snapshot.menus.map((menu) => ({ menu, name: haystack(menu.name, menu.name_en) }));

  const partAt = (i: number): Part => ({
    part_key: cols.part_key[i]!, part_number: cols.part_number[i]!, name: cols.name[i]!,
    grade: cols.grade[i] as Grade, brand: cols.brand[i] ?? '', price: cols.price[i]!,
  });
  const rate = (rateId?: string) =>
    (snapshot.rates.find((r) => r.rate_id === rateId) ?? snapshot.rates[0])?.rate ?? 0;
  const labour = (op: Operation, car?: Car) => ({ hours: hoursFor(op, car), rate: rate(op.rate_id) });

  function search(query: string, car?: Car): Hit[] {
    const text = query.trim().toLowerCase();
    if (!text) return [];
    const number = compactNumber(text);
    const tiers: number[][] = Array.from({ length: TIERS }, () => []);
    // Each tier keeps at most the limit: once the better tiers hold it, the worse are not filled.
    const full = (tier: number) => {
      let held = 0;
      for (let t = 0; t <= tier; t++) held += tiers[t]!.length;
      return held >= SEARCH_LIMIT;
    };
    const hits: Hit[] = [];
    // Menus and operations first: a few dozen, and what an advisor most often means.
    for (const { menu, name } of menus) {
      if (menuFits(menu, car) && name.includes(text)) hits.push({ kind: 'menu', menu });
    }
    for (const { op, name, code } of ops) {
      if (name.includes(text) || (number && code === number)) hits.push({ kind: 'labour', op, ...labour(op, car) });
    }
    for (let i = 0; i < count; i++) {
      const num = partNumbers[i]!;
      let tier = -1;
      if (number.length > 0 && num.startsWith(number)) tier = 0;
      else {
        const at = partNames[i]!.indexOf(text);
        if (at === 0) tier = 1;
        else if (at > 0) tier = 2;
        else if (number.length > 2 && num.includes(number)) tier = 3;
      }
      if (tier < 0 || full(tier)) continue;
      const bucket = tiers[tier]!;
      // An exact number goes before the numbers it is a prefix of.
      if (tier === 0 && num.length === number.length) bucket.unshift(i);
      else bucket.push(i);
    }
    for (const bucket of tiers) {
      for (const i of bucket) {
        if (hits.length >= SEARCH_LIMIT) return hits;
        hits.push({ kind: 'part', part: partAt(i) });
      }
    }
    return hits.slice(0, SEARCH_LIMIT);
  }

  function alternatives(partKey: string): Part[] {
    const i = byKey.get(partKey);
    if (i === undefined) return [];
    const grade = cols.grade[i];
    return (byName.get(partNames[i]!) ?? []).filter((j) => cols.grade[j] !== grade).map(partAt)
      .sort((a, b) => GRADES.indexOf(a.grade) - GRADES.indexOf(b.grade) || a.price - b.price);
  }

  function menusFor(car?: Car, mileageKm?: number): Menu[] {
    const specific = (menu: Menu) => (menu.model ? 0 : menu.make ? 1 : 2);
    const distance = (menu: Menu) => (menu.mileage_km == null ? Infinity
      : mileageKm === undefined ? menu.mileage_km : Math.abs(menu.mileage_km - mileageKm));
    return snapshot.menus.filter((menu) => menuFits(menu, car))
      .sort((a, b) => distance(a) - distance(b) || specific(a) - specific(b) || a.name.localeCompare(b.name));
  }

  function menuLines(menu: Menu, car?: Car): NewLine[] {
    const ref: MenuRef = {
      menu_id: menu.menu_id, name: menu.name,
      ...(menu.mileage_km != null ? { mileage_km: menu.mileage_km } : {}),
      ...(menu.months != null ? { months: menu.months } : {}),
    };
    const lines: NewLine[] = [];
    let sum = 0;
    for (const item of menu.items) {
      if (item.kind === 'labour') {
        const op = snapshot.operations.find((o) => o.code === item.code);
        if (!op) continue; // an operation deleted since the menu was written
        const { hours, rate: perHour } = labour(op, car);
        sum += Math.round(hours * perHour);
        lines.push({ kind: 'labour', description: op.name, hours, rate: perHour, op_code: op.code, menu: ref });
      } else {
        const i = byKey.get(item.part_key);
        if (i === undefined) continue;
        const part = partAt(i);
        sum += Math.round(part.price * item.quantity);
        lines.push({
          kind: 'part', description: part.name, part_number: part.part_number, quantity: item.quantity,
          unit_price: part.price, part_key: part.part_key, grade: part.grade,
          ...(part.brand ? { brand: part.brand } : {}), menu: ref,
        });
      }
    }
    if (menu.price != null && menu.price < sum) {
      lines.push({ kind: 'discount', description: MENU_DISCOUNT, amount: sum - menu.price, menu: ref });
    }
    return lines;
  }

  return {
    version: snapshot.version, snapshot, search, alternatives, menusFor, menuLines, rate, labour,
    part: (partKey) => { const i = byKey.get(partKey); return i === undefined ? null : partAt(i); },
  };
}

/** The discount line of a menu with a fixed price, as the estimate prints it. */
export const MENU_DISCOUNT = '套餐優惠';

/** Sums a line as the API does (money.line_amount): hours × rate, quantity × price, a discount off. */
export function lineAmount(line: NewLine): number {
  if (line.kind === 'labour') return Math.round((line.hours ?? 0) * (line.rate ?? 0));
  if (line.kind === 'part') return Math.round((line.quantity ?? 0) * (line.unit_price ?? 0));
  return -(line.amount ?? 0);
}
