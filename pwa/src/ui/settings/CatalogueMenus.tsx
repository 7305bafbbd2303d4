// 保養套餐: a service menu at a mileage or months, for every car or one make (and model), its
// items chosen from the operations and parts, and a fixed price or the items' prices added up.
// A make's menus are also its maintenance schedule: the next service reminder names the next one.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { deleteMenu, itemsTotal, saveMenu, type Menu, type MenuItem } from '../../data/catalogueAdmin';
import { formatMoney, newId } from '../../data/format';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import type { CatalogueProps } from './Catalogue';

type Form = {
  menu_id: string; existing: boolean; name: string; name_en: string; mileage_km: string; months: string;
  make: string; model: string; items: MenuItem[]; fixed: boolean; price: string;
};

const blank = (): Form => ({
  menu_id: `menu-${newId().slice(0, 12)}`, existing: false, name: '', name_en: '', mileage_km: '', months: '',
  make: '', model: '', items: [], fixed: true, price: '',
});
const formOf = (menu: Menu): Form => ({
  menu_id: menu.menu_id, existing: true, name: menu.name, name_en: menu.name_en ?? '',
  mileage_km: menu.mileage_km ? String(menu.mileage_km) : '', months: menu.months ? String(menu.months) : '',
  make: menu.make ?? '', model: menu.model ?? '', items: menu.items, fixed: menu.price != null,
  price: menu.price != null ? String(menu.price) : '',
});

export function CatalogueMenus({ catalogue, act }: CatalogueProps) {
  const [form, setForm] = useState<Form>(blank());
  const [operation, setOperation] = useState('');
  const [part, setPart] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [error, setError] = useState<string | null>(null);
  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  const car = { make: form.make.trim().toUpperCase() || null, model: form.model.trim().toUpperCase() || null };
  const total = itemsTotal({ items: form.items, ...car }, catalogue);

  const itemName = (item: MenuItem) => {
    if (item.kind === 'labour') {
      const op = catalogue.operations.find((o) => o.code === item.code);
      return tf('catalogue.itemLabour', { code: item.code, name: op?.name ?? '' });
    }
    const found = catalogue.parts.find((p) => p.part_key === item.part_key);
    return tf('catalogue.itemPart', { number: found?.part_number ?? item.part_key, name: found?.name ?? '', quantity: item.quantity });
  };

  async function submit(event: Event) {
    event.preventDefault();
    const mileage = wholeNumber(form.mileage_km);
    const months = wholeNumber(form.months);
    const price = wholeNumber(form.price);
    if (!form.name.trim() || form.items.length === 0) return setError(t('catalogue.menuIncomplete'));
    if (Number.isNaN(mileage) || Number.isNaN(months)) return setError(t('catalogue.menuNumbers'));
    if (form.fixed && (price === undefined || Number.isNaN(price))) return setError(t('catalogue.menuPrice'));
    if (car.model && !car.make) return setError(t('catalogue.modelNeedsMake'));
    setError(null);
    const menu: Menu = {
      menu_id: form.menu_id, name: form.name.trim(), name_en: form.name_en.trim() || null,
      mileage_km: mileage ?? null, months: months ?? null, ...car, items: form.items,
      price: form.fixed ? price ?? null : null,
    };
    if (await act(() => saveMenu(menu), tf('catalogue.menuSaved', { name: menu.name }))) setForm(blank());
  }

  const menus = [...catalogue.menus].sort((a, b) =>
    (a.make ?? '~').localeCompare(b.make ?? '~') || (a.mileage_km ?? 0) - (b.mileage_km ?? 0));

  return (
    <form class="catalogue-part-of" onSubmit={submit} noValidate aria-labelledby="catalogue-menus-title">
      <h3 id="catalogue-menus-title">{t('catalogue.menus')}</h3>
      <p class="muted">{t('catalogue.menusLead')}</p>
      {menus.length === 0 && <p class="muted">{t('catalogue.noMenus')}</p>}
      <ul class="admin-list">
        {menus.map((menu) => (
          <li key={menu.menu_id} class="admin-row" data-menu={menu.menu_id}>
            <div class="admin-who">
              <strong>{menu.name}{menu.make ? `（${[menu.make, menu.model].filter(Boolean).join(' ')}）` : `（${t('catalogue.everyCar')}）`}</strong>
              <span class="muted">
                {[menu.mileage_km ? tf('catalogue.atKm', { km: menu.mileage_km.toLocaleString('en-US') }) : null,
                  menu.months ? tf('catalogue.atMonths', { months: menu.months }) : null,
                  tf('catalogue.itemCount', { n: menu.items.length }),
                  menu.price != null ? tf('catalogue.fixedPriceIs', { price: formatMoney(menu.price) })
                    : tf('catalogue.addsUpTo', { price: formatMoney(itemsTotal(menu, catalogue)) })].filter(Boolean).join('・')}
              </span>
            </div>
            <div class="catalogue-row-buttons">
              <button type="button" class="button-secondary" onClick={() => { setForm(formOf(menu)); setError(null); }}>{t('catalogue.edit')}</button>
              <button type="button" class="button-secondary" aria-label={tf('catalogue.removeNamed', { name: menu.name })}
                onClick={() => window.confirm(tf('catalogue.confirmRemove', { name: menu.name })) && void act(() => deleteMenu(menu.menu_id), tf('catalogue.removed', { name: menu.name }))}>{t('catalogue.remove')}</button>
            </div>
          </li>
        ))}
      </ul>
      <fieldset class="admin-add catalogue-form" data-form="menu">
        <legend>{form.existing ? tf('catalogue.editing', { name: form.name }) : t('catalogue.newMenu')}</legend>
        <div class="admin-inline">
          <Field id="menu-name" label={t('catalogue.menuName')} value={form.name} onValue={(name) => set({ name })} autoComplete="off" />
          <Field id="menu-name-en" label={t('catalogue.nameEn')} value={form.name_en} onValue={(name_en) => set({ name_en })} autoComplete="off" />
        </div>
        <div class="admin-inline">
          <Field id="menu-km" label={t('catalogue.mileageKm')} value={form.mileage_km} onValue={(mileage_km) => set({ mileage_km })}
            inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          <Field id="menu-months" label={t('catalogue.months')} value={form.months} onValue={(months) => set({ months })}
            inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          <Field id="menu-make" label={t('catalogue.makeOptional')} value={form.make} onValue={(make) => set({ make })} autoCapitalize="characters" autoComplete="off" />
          <Field id="menu-model" label={t('catalogue.modelOptional')} value={form.model} onValue={(model) => set({ model })} autoCapitalize="characters" autoComplete="off" />
        </div>
        <p class="field-label">{t('catalogue.items')}</p>
        {form.items.length === 0 && <p class="muted">{t('catalogue.noItems')}</p>}
        <ol class="catalogue-items">
          {form.items.map((item, i) => (
            <li key={i}>
              <span>{itemName(item)}</span>
              <button type="button" class="button-secondary" onClick={() => set({ items: form.items.filter((_, j) => j !== i) })}>{t('catalogue.remove')}</button>
            </li>
          ))}
        </ol>
        <div class="admin-inline catalogue-pick">
          <div class="field">
            <label class="field-label" for="menu-add-operation">{t('catalogue.addOperation')}</label>
            <select id="menu-add-operation" value={operation} onChange={(e) => setOperation(e.currentTarget.value)}>
              <option value="">{t('catalogue.choose')}</option>
              {catalogue.operations.map((op) => <option key={op.code} value={op.code}>{`${op.code} ${op.name}`}</option>)}
            </select>
          </div>
          <button type="button" class="button-secondary" disabled={!operation}
            onClick={() => { set({ items: [...form.items, { kind: 'labour', code: operation }] }); setOperation(''); }}>{t('catalogue.add')}</button>
        </div>
        <div class="admin-inline catalogue-pick">
          <div class="field">
            <label class="field-label" for="menu-add-part">{t('catalogue.addPart')}</label>
            <select id="menu-add-part" value={part} onChange={(e) => setPart(e.currentTarget.value)}>
              <option value="">{t('catalogue.choose')}</option>
              {catalogue.parts.map((p) => (
                <option key={p.part_key} value={p.part_key}>
                  {`${p.part_number} ${p.name}（${t(`catalogue.grade.${p.grade}`)}${p.brand ? ` ${p.brand}` : ''}）`}
                </option>
              ))}
            </select>
          </div>
          <Field id="menu-add-quantity" label={t('catalogue.quantity')} value={quantity} onValue={setQuantity} inputMode="decimal" autoComplete="off" />
          <button type="button" class="button-secondary" disabled={!part}
            onClick={() => {
              const amount = Number(quantity) > 0 ? Number(quantity) : 1;
              set({ items: [...form.items, { kind: 'part', part_key: part, quantity: amount }] });
              setPart('');
              setQuantity('1');
            }}>{t('catalogue.add')}</button>
        </div>
        <fieldset class="catalogue-price">
          <legend>{t('catalogue.price')}</legend>
          <label class="check">
            <input type="radio" name="menu-price" checked={form.fixed} onChange={() => set({ fixed: true })} />
            <span>{t('catalogue.fixedPrice')}</span>
          </label>
          {form.fixed && (
            <Field id="menu-price" label={t('catalogue.fixedPriceNt')} value={form.price} onValue={(price) => set({ price })}
              inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          )}
          <label class="check">
            <input type="radio" name="menu-price" checked={!form.fixed} onChange={() => set({ fixed: false })} />
            <span>{tf('catalogue.computedPrice', { price: formatMoney(total) })}</span>
          </label>
        </fieldset>
        {error && <Notice>{error}</Notice>}
        <div class="catalogue-buttons">
          {form.existing && <button type="button" class="button-secondary" onClick={() => setForm(blank())}>{t('catalogue.cancelEdit')}</button>}
          <button type="submit" class="button-primary">{t('catalogue.saveMenu')}</button>
        </div>
      </fieldset>
    </form>
  );
}
