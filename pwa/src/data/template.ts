// The shop's walk-around checklist (檢查項目範本) as the settings screen edits it: pure steps on
// a draft (rename, add, remove, move within a group), and the body PUT
// /api/shop/inspection-template takes. An item keeps its `item_id` when renamed: inspections
// store checklist marks under it.
import type { TemplateGroup, TemplateItem } from './inspection';

export interface Template { items: TemplateItem[]; groups?: TemplateGroup[] }

/** An item in the editor: `key` names it for the screen; a new item has no `item_id` yet. */
export interface DraftItem { key: string; item_id?: string; zh: string; en: string; group: string }
export interface Draft { groups: TemplateGroup[]; items: DraftItem[] }

/** The API's limits (chalicelib/records/shop_settings.py). */
export const MAX_ITEMS = 100;
export const MAX_NAME = 200;

/** The template as the editor shows it: the groups in order, each item under its group. */
export function draftOf(template: Template): Draft {
  const groups = [...(template.groups ?? [])];
  for (const item of template.items) {
    const code = item.group ?? 'other';
    if (!groups.some((g) => g.group === code)) groups.push({ group: code, zh: code, en: code });
  }
  const rank = (code: string) => groups.findIndex((g) => g.group === code);
  const items = template.items
    .map((item) => ({ key: item.item_id, item_id: item.item_id, zh: item.zh, en: item.en, group: item.group ?? 'other' }))
    .map((item, i) => ({ item, i }))
    .sort((a, b) => rank(a.item.group) - rank(b.item.group) || a.i - b.i)
    .map(({ item }) => item);
  return { groups, items };
}

/** Each group with its items, in order (a group with none is shown too: items can be added). */
export const sections = (draft: Draft) =>
  draft.groups.map((group) => ({ group, items: draft.items.filter((item) => item.group === group.group) }));

export function rename(draft: Draft, key: string, language: 'zh' | 'en', name: string): Draft {
  return { ...draft, items: draft.items.map((item) => (item.key === key ? { ...item, [language]: name } : item)) };
}

/** A blank item at the end of `group`, named `key` (the caller makes keys unique). */
export function addItem(draft: Draft, group: string, key: string): Draft {
  const last = draft.items.map((item) => item.group).lastIndexOf(group);
  const at = last === -1 ? draft.items.length : last + 1;
  const items = [...draft.items];
  items.splice(at, 0, { key, zh: '', en: '', group });
  return { ...draft, items };
}

export function removeItem(draft: Draft, key: string): Draft {
  return { ...draft, items: draft.items.filter((item) => item.key !== key) };
}

/** One place up (-1) or down (+1) within its group; nothing at either end. */
export function moveItem(draft: Draft, key: string, step: -1 | 1): Draft {
  const from = draft.items.findIndex((item) => item.key === key);
  if (from === -1) return draft;
  const group = draft.items[from]!.group;
  let to = from + step;
  while (to >= 0 && to < draft.items.length && draft.items[to]!.group !== group) to += step;
  if (to < 0 || to >= draft.items.length) return draft;
  const items = [...draft.items];
  [items[from], items[to]] = [items[to]!, items[from]!];
  return { ...draft, items };
}

/** A code for a new item from its English name (`Boot light` → `boot_light`), unique among `taken`. */
export function itemIdFor(en: string, taken: ReadonlySet<string>): string {
  const base = en.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 36) || 'item';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

export type TemplateProblem = 'empty' | 'tooMany' | 'nameMissing' | 'nameTooLong';

/** The PUT body, or what keeps the draft from being saved (with the items concerned). */
export function templateToSave(draft: Draft):
  | { ok: true; body: { items: TemplateItem[]; groups: TemplateGroup[] } }
  | { ok: false; problem: TemplateProblem; keys: string[] } {
  if (draft.items.length === 0) return { ok: false, problem: 'empty', keys: [] };
  if (draft.items.length > MAX_ITEMS) return { ok: false, problem: 'tooMany', keys: [] };
  const named = draft.items.map((item) => ({ ...item, zh: item.zh.trim(), en: item.en.trim() }));
  const missing = named.filter((item) => !item.zh || !item.en).map((item) => item.key);
  if (missing.length) return { ok: false, problem: 'nameMissing', keys: missing };
  const long = named.filter((item) => item.zh.length > MAX_NAME || item.en.length > MAX_NAME).map((item) => item.key);
  if (long.length) return { ok: false, problem: 'nameTooLong', keys: long };
  const taken = new Set(named.flatMap((item) => (item.item_id ? [item.item_id] : [])));
  const items = named.map(({ item_id, zh, en, group }) => {
    const id = item_id ?? itemIdFor(en, taken);
    taken.add(id);
    return { item_id: id, zh, en, group };
  });
  return { ok: true, body: { items, groups: draft.groups } };
}
