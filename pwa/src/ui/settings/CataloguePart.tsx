// 單一零件: one part found by its number (or a new one), its grade (正廠／副廠／再生／中古),
// brand and price. A price list of thousands comes in through the import instead.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { deletePart, GRADES, partKey, savePart, type Grade, type Part } from '../../data/catalogueAdmin';
import { formatMoney } from '../../data/format';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import type { CatalogueProps } from './Catalogue';

type Form = { part_number: string; brand: string; name: string; name_en: string; grade: Grade; price: string; cost: string; supplier: string };
const blank = (): Form => ({ part_number: '', brand: '', name: '', name_en: '', grade: 'oem', price: '', cost: '', supplier: '' });
const formOf = (part: Part): Form => ({ ...blank(), part_number: part.part_number, brand: part.brand, name: part.name, grade: part.grade, price: String(part.price) });
const clean = (text: string) => text.replace(/[\s\-./_]+/g, '').toUpperCase();

export function CataloguePart({ catalogue, act }: CatalogueProps) {
  const [search, setSearch] = useState('');
  const [form, setForm] = useState<Form>(blank());
  const [error, setError] = useState<string | null>(null);
  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  const wanted = clean(search);
  const found = wanted.length >= 2 ? catalogue.parts.filter((p) => p.part_key.startsWith(wanted)).slice(0, 8) : [];
  const key = form.part_number.trim() ? partKey(form.part_number, form.brand) : '';
  const existing = catalogue.parts.find((p) => p.part_key === key);

  async function submit(event: Event) {
    event.preventDefault();
    const price = wholeNumber(form.price);
    const cost = wholeNumber(form.cost);
    if (!form.part_number.trim() || !form.name.trim() || price === undefined || Number.isNaN(price) || Number.isNaN(cost)) {
      return setError(t('catalogue.partIncomplete'));
    }
    setError(null);
    const saved = await act(() => savePart({
      part_number: form.part_number.trim(), name: form.name.trim(), grade: form.grade, price,
      ...(form.name_en.trim() ? { name_en: form.name_en.trim() } : {}),
      ...(form.brand.trim() ? { brand: form.brand.trim().toUpperCase() } : {}),
      ...(cost !== undefined ? { cost } : {}),
      ...(form.supplier.trim() ? { supplier: form.supplier.trim() } : {}),
    }), tf('catalogue.partSaved', { number: form.part_number.trim() }));
    if (saved) { setForm(blank()); setSearch(''); }
  }

  return (
    <form class="catalogue-part-of" onSubmit={submit} noValidate aria-labelledby="catalogue-part-title">
      <h3 id="catalogue-part-title">{t('catalogue.part')}</h3>
      <p class="muted">{t('catalogue.partLead')}</p>
      <Field id="part-search" label={t('catalogue.findPart')} value={search} onValue={setSearch} autoCapitalize="characters"
        enterKeyHint="search" autoComplete="off" />
      {found.length > 0 && (
        <ul class="admin-list">
          {found.map((part) => (
            <li key={part.part_key} class="admin-row" data-part={part.part_key}>
              <div class="admin-who">
                <strong>{part.part_number}　{part.name}</strong>
                <span class="muted">{`${t(`catalogue.grade.${part.grade}`)}${part.brand ? `・${part.brand}` : ''}・${formatMoney(part.price)}`}</span>
              </div>
              <div class="catalogue-row-buttons">
                <button type="button" class="button-secondary" onClick={() => { setForm(formOf(part)); setError(null); }}>{t('catalogue.edit')}</button>
                <button type="button" class="button-secondary" aria-label={tf('catalogue.removeNamed', { name: part.part_number })}
                  onClick={() => window.confirm(tf('catalogue.confirmRemove', { name: part.part_number })) && void act(() => deletePart(part.part_key), tf('catalogue.removed', { name: part.part_number }))}>{t('catalogue.remove')}</button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {wanted.length >= 2 && found.length === 0 && <p class="muted">{t('catalogue.noPartFound')}</p>}
      <fieldset class="admin-add catalogue-form" data-form="part">
        <legend>{existing ? tf('catalogue.editing', { name: existing.part_number }) : t('catalogue.newPart')}</legend>
        <div class="admin-inline">
          <Field id="part-number" label={t('catalogue.partNumber')} value={form.part_number} onValue={(part_number) => set({ part_number })} autoCapitalize="characters" autoComplete="off" />
          <Field id="part-brand" label={t('catalogue.brand')} value={form.brand} onValue={(brand) => set({ brand })} autoCapitalize="characters" autoComplete="off" />
          <div class="field">
            <label class="field-label" for="part-grade">{t('catalogue.gradeLabel')}</label>
            <select id="part-grade" value={form.grade} onChange={(e) => set({ grade: e.currentTarget.value as Grade })}>
              {GRADES.map((grade) => <option key={grade} value={grade}>{t(`catalogue.grade.${grade}`)}</option>)}
            </select>
          </div>
        </div>
        <div class="admin-inline">
          <Field id="part-name" label={t('catalogue.partName')} value={form.name} onValue={(name) => set({ name })} autoComplete="off" />
          <Field id="part-name-en" label={t('catalogue.nameEn')} value={form.name_en} onValue={(name_en) => set({ name_en })} autoComplete="off" />
        </div>
        <div class="admin-inline">
          <Field id="part-price" label={t('catalogue.partPrice')} value={form.price} onValue={(price) => set({ price })} inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          <Field id="part-cost" label={t('catalogue.partCost')} value={form.cost} onValue={(cost) => set({ cost })} inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          <Field id="part-supplier" label={t('catalogue.supplier')} value={form.supplier} onValue={(supplier) => set({ supplier })} autoComplete="off" />
        </div>
        {existing && <p class="muted">{t('catalogue.costNotShown')}</p>}
        {error && <Notice>{error}</Notice>}
        <div class="catalogue-buttons">
          {form.part_number && <button type="button" class="button-secondary" onClick={() => setForm(blank())}>{t('catalogue.cancelEdit')}</button>}
          <button type="submit" class="button-primary">{t('catalogue.savePart')}</button>
        </div>
      </fieldset>
    </form>
  );
}
