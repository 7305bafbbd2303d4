// The rules of old-part tags (舊品標籤) on the device, kept apart from the screens so they can be
// tested: what a scan or a typed code means, the batch list of a crate being moved, what each
// move asks for, and the report's months.
import type { BatchAnswer, DisposalCategory, PartMove, PartState, PartUnit, TagSummary } from './types';

/** The codes' alphabet: no 0/O, no 1/I (docs/api.md, Codes). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;
/** Most codes the API takes in one batch move. */
export const MAX_BATCH = 100;

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/**
 * A code as a person types or reads it aloud: any case, `ABCD EFGH` with one space or hyphen
 * after the first four, spaces around. Null when it is not a code.
 */
export function normaliseCode(text: string): string | null {
  const match = /^([0-9a-z]{4})[\s-]?([0-9a-z]{4})$/i.exec(text.trim());
  if (!match) return null;
  const code = `${match[1]}${match[2]}`.toUpperCase();
  return CODE.test(code) ? code : null;
}

/**
 * The code a scanned QR holds: the last path segment of `<origin>/q/<CODE>` (the page a plain
 * phone camera opens), or the text itself when it is a bare code. Null for anything else (a QR
 * of something that is not our tag).
 */
export function codeFromScan(text: string): string | null {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let path: string;
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return null;
    }
    const match = /^\/q\/([^/]+)\/?$/.exec(path);
    return match ? normaliseCode(decodeURIComponent(match[1]!)) : null;
  }
  return normaliseCode(trimmed);
}

/** The code of this page's own address `/q/<CODE>`, if it is one (a QR opened by a phone camera). */
export function codeFromPath(pathname: string): string | null {
  const match = /^\/q\/([^/]+)\/?$/.exec(pathname);
  return match ? normaliseCode(decodeURIComponent(match[1]!)) : null;
}

/** `ABCDEFGH` → `ABCD EFGH`, as printed under the QR. */
export const displayCode = (code: string) => (code.length === CODE_LENGTH ? `${code.slice(0, 4)} ${code.slice(4)}` : code);

/** What the manual entry box shows while typing: upper case, a space after four. */
export function formatEntry(text: string): string {
  const chars = text.toUpperCase().replace(/[^0-9A-Z]/g, '').slice(0, CODE_LENGTH);
  return chars.length > 4 ? `${chars.slice(0, 4)} ${chars.slice(4)}` : chars;
}

/**
 * The camera sees the same code on many frames in a row: let one through, then ignore that code
 * for `quietMs` (another code passes at once). `now` is injectable for tests.
 */
export function scanGate(quietMs = 2500, now: () => number = () => Date.now()) {
  const seen = new Map<string, number>();
  return (code: string): boolean => {
    const at = now();
    const last = seen.get(code);
    seen.set(code, at);
    return last === undefined || at - last >= quietMs;
  };
}

// ---------------------------------------------------------------------------------------------
// A batch (移到暫存區 / move a crate): tags scanned in a row, then one request for all.

export type BatchStatus = 'scanned' | 'moved' | 'failed';
export interface BatchItem { code: string; status: BatchStatus; message?: string; tag?: TagSummary }

/** The list with `code` added at the end (a duplicate is ignored); `added` says which. */
export function addToBatch(list: readonly BatchItem[], code: string): { list: BatchItem[]; added: boolean } {
  if (list.some((item) => item.code === code) || list.length >= MAX_BATCH) return { list: [...list], added: false };
  return { list: [...list, { code, status: 'scanned' }], added: true };
}

export const removeFromBatch = (list: readonly BatchItem[], code: string): BatchItem[] =>
  list.filter((item) => item.code !== code);

/** The codes still to send: those not moved yet (a refused one may be sent again after a fix). */
export const codesToSend = (list: readonly BatchItem[]): string[] =>
  list.filter((item) => item.status !== 'moved').map((item) => item.code);

/** Each code's outcome from the API's answer (one result per distinct code). */
export function applyBatchAnswer(list: readonly BatchItem[], answer: BatchAnswer): BatchItem[] {
  const byCode = new Map(answer.results.map((result) => [result.code, result]));
  return list.map((item) => {
    const result = byCode.get(item.code);
    if (!result) return item;
    return result.ok
      ? { code: item.code, status: 'moved', tag: result.tag }
      : { code: item.code, status: 'failed', message: result.error.message };
  });
}

// ---------------------------------------------------------------------------------------------
// What each move asks for on the tag screen.

export type MoveField = 'location' | 'disposal' | 'supplier_return';

/** The details a move needs or takes, besides an optional note. */
export function fieldsFor(to: PartState): MoveField[] {
  switch (to) {
    case 'held': return ['location'];
    case 'disposed': return ['disposal'];
    case 'returned_to_supplier': return ['supplier_return'];
    default: return [];
  }
}

/** The recycling category a part most likely falls in (the person can change it). */
export function likelyCategory(tag: Pick<TagSummary, 'part_name' | 'unit'>): DisposalCategory {
  const name = tag.part_name.toLowerCase();
  if (tag.unit === 'litre' || (/機油|oil/.test(name) && !/濾|filter/.test(name))) return 'waste_oil';
  if (/電瓶|電池|battery/.test(name)) return 'battery';
  if (/輪胎|tyre|tire/.test(name)) return 'tyre';
  if (/濾|filter/.test(name)) return 'filter';
  if (/來令|碟盤|剎車|煞車|brake|disc|rotor/.test(name)) return 'metal';
  return 'other';
}

/** The unit the recycling record counts a category in (waste oil in litres, the rest in pieces). */
export const categoryUnit = (category: DisposalCategory): PartUnit => (category === 'waste_oil' ? 'litre' : 'piece');

/** A move's fields as typed on the screen (every one text; those the move does not take are ignored). */
export interface MoveDraft {
  location: string;
  note: string;
  category: DisposalCategory;
  quantity: string;
  recycler: string;
  manifest: string;
  supplier: string;
  batch: string;
  rma: string;
  tracking: string;
}

export const emptyDraft = (category: DisposalCategory = 'other'): MoveDraft => ({
  location: '', note: '', category, quantity: '', recycler: '', manifest: '', supplier: '', batch: '', rma: '', tracking: '',
});

/** A quantity as typed: `1.5`, `4`; null when it is not one the API takes (> 0, up to 3 decimals). */
export function parseQuantity(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,3})?$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value > 0 && value <= 100_000 ? value : null;
}

export type DraftProblem = 'location' | 'recycler' | 'quantity';

/** The move as the API takes it, or the field still missing or wrong. Blank optional fields are left out. */
export function moveFromDraft(to: PartState, draft: MoveDraft): { move: PartMove } | { problem: DraftProblem } {
  const text = (value: string) => value.trim() || undefined;
  const move: PartMove = { to, ...(text(draft.note) ? { note: text(draft.note) } : {}) };
  if (to === 'held') {
    const location = text(draft.location);
    if (!location) return { problem: 'location' };
    move.location = location;
  }
  if (to === 'disposed') {
    const recycler = text(draft.recycler);
    if (!recycler) return { problem: 'recycler' };
    let quantity: number | undefined;
    if (draft.quantity.trim()) {
      const parsed = parseQuantity(draft.quantity);
      if (parsed === null) return { problem: 'quantity' };
      quantity = parsed;
    }
    move.disposal = {
      category: draft.category, recycler,
      ...(quantity !== undefined ? { quantity } : {}),
      ...(text(draft.manifest) ? { manifest_number: text(draft.manifest) } : {}),
    };
  }
  if (to === 'returned_to_supplier') {
    const details = {
      supplier: text(draft.supplier), batch: text(draft.batch), rma: text(draft.rma), tracking: text(draft.tracking),
    };
    const given = Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
    if (Object.keys(given).length > 0) move.supplier_return = given;
  }
  return { move };
}

// ---------------------------------------------------------------------------------------------
// The report's months (Asia/Taipei, as the API files them).

/** `YYYY-MM` of `at` in Taiwan. */
export function taipeiMonth(at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit' })
    .formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}`;
}

/** `2026-11` moved by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (monthNumber - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** A quantity as the shop writes it: up to 3 decimals, no trailing zeros. */
export const formatQuantity = (value: number) => String(Math.round(value * 1000) / 1000);
