// The shop's catalogue as Settings edits it: the labour rates, operations, service menus and
// single parts. The list is the tablet's own copy (catalogue.ts: downloaded once per version,
// also what the order screen searches); every change goes through the write queue, and a sent
// catalogue write refreshes that copy.
import { http, queue } from './client';
import { catalogue, deviceCatalogue } from './catalogue';
import { hoursFor, type Menu, type Operation, type Part, type Rate, type Snapshot } from './catalogueIndex';
import type { Grade } from './types';

export { GRADES } from './catalogueIndex';
export type { Grade } from './types';
export type { Menu, MenuItem, Operation, Part, Rate } from './catalogueIndex';

export interface PartChange {
  part_number: string; name: string; name_en?: string; grade: Grade; brand?: string; price: number;
  cost?: number; supplier?: string;
}
export interface Catalogue { version: number; rates: Rate[]; operations: Operation[]; menus: Menu[]; parts: Part[] }

const q = (value: string) => encodeURIComponent(value);

/** The catalogue as this tablet holds it (catalogue.ts's device copy, brought up to the API's
 * version first): one download serves the order screen and Settings. */
export async function loadCatalogue(): Promise<Catalogue> {
  await catalogue.refresh();
  const copy = deviceCatalogue.value;
  if (!copy) throw new Error('catalogue: not downloaded yet (offline?)');
  return fromSnapshot(copy.snapshot);
}

/** The snapshot's columns of parts as rows. */
export function fromSnapshot(snapshot: Snapshot): Catalogue {
  const columns = snapshot.parts;
  const parts: Part[] = columns.part_key.map((part_key, i) => ({
    part_key, part_number: columns.part_number[i] ?? '', name: columns.name[i] ?? '', grade: (columns.grade[i] ?? 'oem') as Grade,
    brand: columns.brand[i] ?? '', price: columns.price[i] ?? 0,
  }));
  return { version: snapshot.version, rates: snapshot.rates, operations: snapshot.operations, menus: snapshot.menus, parts };
}

/** A part's key as the API makes it (models.part_key): the number and brand without spaces,
 * dashes, dots, slashes or underscores, upper case, joined by `~` when there is a brand. */
export function partKey(number: string, brand?: string | null): string {
  const clean = (text: string) => text.replace(/[\s\-./_]+/g, '').toUpperCase();
  const maker = clean(brand ?? '');
  return maker ? `${clean(number)}~${maker}` : clean(number);
}

/** What a menu's items add up to (NT$): labour at its rate, parts at their price. */
export function itemsTotal(menu: Pick<Menu, 'items' | 'make' | 'model'>, catalogue: Catalogue): number {
  let total = 0;
  for (const item of menu.items) {
    if (item.kind === 'labour') {
      const operation = catalogue.operations.find((op) => op.code === item.code);
      const rate = catalogue.rates.find((r) => r.rate_id === operation?.rate_id)?.rate ?? 0;
      if (operation) total += hoursFor(operation, menu) * rate;
    } else {
      total += (catalogue.parts.find((part) => part.part_key === item.part_key)?.price ?? 0) * item.quantity;
    }
  }
  return Math.round(total);
}

export const saveRates = (rates: Rate[]) => queue.submit<{ rates: Rate[] }>('PUT', '/api/catalogue/rates', { rates });
export const saveOperation = ({ code, ...operation }: Operation) =>
  queue.submit<Operation>('PUT', `/api/catalogue/operations/${q(code)}`, operation);
export const deleteOperation = (code: string) => queue.submit<void>('DELETE', `/api/catalogue/operations/${q(code)}`);
export const saveMenu = ({ menu_id, ...menu }: Menu) => queue.submit<Menu>('PUT', `/api/catalogue/menus/${q(menu_id)}`, menu);
export const deleteMenu = (menuId: string) => queue.submit<void>('DELETE', `/api/catalogue/menus/${q(menuId)}`);
export const savePart = (part: PartChange) =>
  queue.submit<Part>('PUT', `/api/catalogue/parts/${q(partKey(part.part_number, part.brand))}`, part);
export const deletePart = (key: string) => queue.submit<void>('DELETE', `/api/catalogue/parts/${q(key)}`);

/** Rows a restore request carries (after.portability.RESTORE_ROWS). */
export const RESTORE_ROWS = 1000;
export interface Restored { parts: number; operations: number; menus: number; rates: number; stock: number }

/** The catalogue of a shop's export (its shop.json) written into this shop, 1,000 rows a
 * request; online only (a file this large is not queued). Answers what was written. */
export async function restoreCatalogue(file: Blob): Promise<Restored> {
  let rows: unknown;
  try {
    rows = (JSON.parse(await file.text()) as { catalogue?: unknown }).catalogue;
  } catch {
    rows = undefined;
  }
  if (!Array.isArray(rows) || rows.length === 0) throw new Error('not_an_export');
  const total: Restored = { parts: 0, operations: 0, menus: 0, rates: 0, stock: 0 };
  for (let start = 0; start < rows.length; start += RESTORE_ROWS) {
    const done = await http.request<Restored>('POST', '/api/catalogue/restore', { rows: rows.slice(start, start + RESTORE_ROWS) });
    for (const name of Object.keys(total) as (keyof Restored)[]) total[name] += done[name] ?? 0;
  }
  return total;
}
