import { describe, expect, it } from 'vitest';
import {
  addItem, draftOf, itemIdFor, moveItem, removeItem, rename, sections, templateToSave, type Template,
} from '../src/data/template';
import { formOf, thresholdChange } from '../src/data/thresholds';

/** A small template as the API answers it (items of a group need not be next to each other). */
const aTemplate = (): Template => ({
  groups: [{ group: 'lights', zh: '燈光', en: 'Lights' }, { group: 'cabin', zh: '車內', en: 'Cabin' }],
  items: [
    { item_id: 'headlights', group: 'lights', zh: '大燈', en: 'Headlights' },
    { item_id: 'horn', group: 'cabin', zh: '喇叭', en: 'Horn' },
    { item_id: 'turn_signals', group: 'lights', zh: '方向燈', en: 'Turn signals' },
    { item_id: 'aircon', group: 'cabin', zh: '冷氣', en: 'Air conditioning' },
  ],
});

const ids = (draft: ReturnType<typeof draftOf>) => sections(draft).map((s) => [s.group.group, s.items.map((i) => i.item_id ?? i.key)]);

describe('the checklist template editor', () => {
  it('shows the items under their groups, in the order of the groups, keeping each group\'s order', () => {
    expect(ids(draftOf(aTemplate()))).toEqual([
      ['lights', ['headlights', 'turn_signals']],
      ['cabin', ['horn', 'aircon']],
    ]);
  });

  it('names a group no entry describes by its code', () => {
    const draft = draftOf({ items: [{ item_id: 'spare', group: 'boot', zh: '備胎', en: 'Spare' }] });
    expect(draft.groups).toEqual([{ group: 'boot', zh: 'boot', en: 'boot' }]);
  });

  it('renames an item in either language and keeps its item_id', () => {
    let draft = rename(draftOf(aTemplate()), 'horn', 'zh', '喇叭聲');
    draft = rename(draft, 'horn', 'en', 'Horn sound');
    const saved = templateToSave(draft);
    expect(saved.ok && saved.body.items.find((i) => i.item_id === 'horn')).toEqual(
      { item_id: 'horn', group: 'cabin', zh: '喇叭聲', en: 'Horn sound' });
  });

  it('adds an item at the end of its group, with a code made from its English name', () => {
    let draft = addItem(draftOf(aTemplate()), 'lights', 'new-1');
    draft = rename(rename(draft, 'new-1', 'zh', '後車廂照明'), 'new-1', 'en', ' Boot light ');
    expect(ids(draft)[0]).toEqual(['lights', ['headlights', 'turn_signals', 'new-1']]);
    const saved = templateToSave(draft);
    expect(saved.ok && saved.body.items.map((i) => i.item_id)).toEqual(
      ['headlights', 'turn_signals', 'boot_light', 'horn', 'aircon']);
    expect(saved.ok && saved.body.items[2]).toEqual({ item_id: 'boot_light', group: 'lights', zh: '後車廂照明', en: 'Boot light' });
  });

  it('adds to a group that has no items yet', () => {
    const draft = addItem(draftOf({ ...aTemplate(), groups: [...aTemplate().groups!, { group: 'boot', zh: '後車廂', en: 'Boot' }] }), 'boot', 'new-1');
    expect(ids(draft)[2]).toEqual(['boot', ['new-1']]);
  });

  it('removes an item', () => {
    expect(ids(removeItem(draftOf(aTemplate()), 'horn'))[1]).toEqual(['cabin', ['aircon']]);
  });

  it('moves an item up and down within its group only', () => {
    const draft = draftOf(aTemplate());
    expect(ids(moveItem(draft, 'turn_signals', -1))[0]).toEqual(['lights', ['turn_signals', 'headlights']]);
    expect(ids(moveItem(draft, 'horn', 1))[1]).toEqual(['cabin', ['aircon', 'horn']]);
    expect(moveItem(draft, 'headlights', -1)).toBe(draft); // first of all
    expect(moveItem(draft, 'turn_signals', 1)).toBe(draft); // last of its group: not into the next
    expect(moveItem(draft, 'horn', -1)).toBe(draft); // first of its group
  });

  it('refuses to save an item without both names, an empty list, or more than the API takes', () => {
    const blank = addItem(draftOf(aTemplate()), 'cabin', 'new-1');
    expect(templateToSave(rename(blank, 'new-1', 'zh', '  '))).toEqual({ ok: false, problem: 'nameMissing', keys: ['new-1'] });
    let empty = draftOf(aTemplate());
    for (const item of empty.items) empty = removeItem(empty, item.key);
    expect(templateToSave(empty)).toMatchObject({ ok: false, problem: 'empty' });
    let many = draftOf(aTemplate());
    for (let n = 0; n < 97; n++) many = rename(rename(addItem(many, 'cabin', `k${n}`), `k${n}`, 'zh', '項目'), `k${n}`, 'en', 'Item');
    expect(templateToSave(many)).toMatchObject({ ok: false, problem: 'tooMany' });
  });

  it('makes codes the API takes, unique, whatever the English name', () => {
    expect(itemIdFor('Boot light', new Set())).toBe('boot_light');
    expect(itemIdFor('Boot light', new Set(['boot_light']))).toBe('boot_light_2');
    expect(itemIdFor('Câble (12 V)!', new Set())).toBe('cable_12_v');
    expect(itemIdFor('後車廂', new Set())).toBe('item');
    expect(itemIdFor('x'.repeat(80), new Set())).toMatch(/^[a-z0-9_]{1,40}$/);
  });
});

describe('the inspection thresholds form', () => {
  const current = { tread_yellow_mm: 3, pad_red_mm: 3, pad_yellow_mm: 5, uneven_mm: 1.5, tread_legal_min_mm: 1.6 };

  it('shows each threshold with one decimal and sends only what changed', () => {
    const form = formOf(current);
    expect(form).toEqual({ tread_yellow_mm: '3.0', uneven_mm: '1.5', pad_yellow_mm: '5.0', pad_red_mm: '3.0' });
    expect(thresholdChange({ ...form, tread_yellow_mm: '3,5' }, current)).toEqual({ ok: true, change: { tread_yellow_mm: 3.5 } });
    expect(thresholdChange(form, current)).toEqual({ ok: true, change: {} });
  });

  it('catches what the API would refuse: not a number, out of range, red not under yellow', () => {
    const form = formOf(current);
    expect(thresholdChange({ ...form, uneven_mm: '1.55' }, current)).toMatchObject({ ok: false, problem: 'notNumber', name: 'uneven_mm' });
    expect(thresholdChange({ ...form, tread_yellow_mm: '1.5' }, current)).toMatchObject({ ok: false, problem: 'outOfRange', min: 1.6 });
    expect(thresholdChange({ ...form, pad_red_mm: '5' }, current)).toMatchObject({ ok: false, problem: 'padOrder' });
  });
});
