// 工時項目: a labour operation's code, name, standard hours, its rate, and the shop's own hours
// for a make or model (an Altis's oil change takes less than the standard).
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { deleteOperation, saveOperation, type Operation } from '../../data/catalogueAdmin';
import { decimalNumber, Field } from '../Field';
import { Notice } from '../Notice';
import type { CatalogueProps } from './Catalogue';

type CarRow = { make: string; model: string; hours: string };
type Form = { code: string; name: string; name_en: string; hours: string; rate_id: string; cars: CarRow[]; existing: boolean };

const blank = (rateId: string): Form => ({ code: '', name: '', name_en: '', hours: '', rate_id: rateId, cars: [], existing: false });
const formOf = (op: Operation): Form => ({
  code: op.code, name: op.name, name_en: op.name_en ?? '', hours: String(op.hours), rate_id: op.rate_id, existing: true,
  cars: Object.entries(op.by_model ?? {}).map(([car, hours]) => {
    const [make, model] = car.split('|');
    return { make: make ?? '', model: model ?? '', hours: String(hours) };
  }),
});

export function CatalogueOperations({ catalogue, act }: CatalogueProps) {
  const firstRate = catalogue.rates[0]?.rate_id ?? 'general';
  const [form, setForm] = useState<Form>(blank(firstRate));
  const [error, setError] = useState<string | null>(null);
  const set = (change: Partial<Form>) => setForm({ ...form, ...change });
  const setCar = (index: number, change: Partial<CarRow>) => set({ cars: form.cars.map((row, i) => (i === index ? { ...row, ...change } : row)) });

  async function submit(event: Event) {
    event.preventDefault();
    const hours = decimalNumber(form.hours);
    const code = form.code.trim().toUpperCase();
    if (!/^[A-Z0-9_-]{1,20}$/.test(code)) return setError(t('catalogue.codeInvalid'));
    if (!form.name.trim() || hours === undefined || Number.isNaN(hours)) return setError(t('catalogue.operationIncomplete'));
    const byModel: Record<string, number> = {};
    for (const row of form.cars) {
      const carHours = decimalNumber(row.hours);
      if (!row.make.trim() || carHours === undefined || Number.isNaN(carHours)) return setError(t('catalogue.carIncomplete'));
      byModel[`${row.make.trim().toUpperCase()}|${row.model.trim().toUpperCase()}`] = carHours;
    }
    setError(null);
    const saved = await act(() => saveOperation({
      code, name: form.name.trim(), name_en: form.name_en.trim() || null, hours, rate_id: form.rate_id,
      by_model: Object.keys(byModel).length ? byModel : null,
    }), tf('catalogue.operationSaved', { code }));
    if (saved) setForm(blank(firstRate));
  }

  return (
    <form class="catalogue-part-of" onSubmit={submit} noValidate aria-labelledby="catalogue-operations-title">
      <h3 id="catalogue-operations-title">{t('catalogue.operations')}</h3>
      {catalogue.operations.length === 0 && <p class="muted">{t('catalogue.noOperations')}</p>}
      <ul class="admin-list">
        {catalogue.operations.map((op) => (
          <li key={op.code} class="admin-row" data-operation={op.code}>
            <div class="admin-who">
              <strong>{op.code}　{op.name}</strong>
              <span class="muted">
                {tf('catalogue.operationLine', { hours: op.hours, rate: catalogue.rates.find((r) => r.rate_id === op.rate_id)?.name ?? op.rate_id })}
                {Object.keys(op.by_model ?? {}).length > 0 && `　${tf('catalogue.byModelCount', { n: Object.keys(op.by_model ?? {}).length })}`}
              </span>
            </div>
            <div class="catalogue-row-buttons">
              <button type="button" class="button-secondary" onClick={() => { setForm(formOf(op)); setError(null); }}>{t('catalogue.edit')}</button>
              <button type="button" class="button-secondary" aria-label={tf('catalogue.removeNamed', { name: op.name })}
                onClick={() => window.confirm(tf('catalogue.confirmRemove', { name: op.name })) && void act(() => deleteOperation(op.code), tf('catalogue.removed', { name: op.name }))}>{t('catalogue.remove')}</button>
            </div>
          </li>
        ))}
      </ul>
      <fieldset class="admin-add catalogue-form" data-form="operation">
        <legend>{form.existing ? tf('catalogue.editing', { name: form.code }) : t('catalogue.newOperation')}</legend>
        <div class="admin-inline">
          <Field id="op-code" label={t('catalogue.code')} hint={t('catalogue.codeHint')} value={form.code} onValue={(code) => set({ code })}
            autoCapitalize="characters" autoComplete="off" maxLength={20} />
          <Field id="op-name" label={t('catalogue.operationName')} value={form.name} onValue={(name) => set({ name })} autoComplete="off" />
          <Field id="op-name-en" label={t('catalogue.nameEn')} value={form.name_en} onValue={(name_en) => set({ name_en })} autoComplete="off" />
        </div>
        <div class="admin-inline">
          <Field id="op-hours" label={t('catalogue.hours')} value={form.hours} onValue={(hours) => set({ hours })} inputMode="decimal" autoComplete="off" />
          <div class="field">
            <label class="field-label" for="op-rate">{t('catalogue.rate')}</label>
            <select id="op-rate" value={form.rate_id} onChange={(e) => set({ rate_id: e.currentTarget.value })}>
              {catalogue.rates.map((r) => <option key={r.rate_id} value={r.rate_id}>{tf('catalogue.rateOption', { name: r.name, rate: r.rate })}</option>)}
            </select>
          </div>
        </div>
        <p class="field-label">{t('catalogue.byModel')}</p>
        {form.cars.map((row, i) => (
          <div key={i} class="admin-inline catalogue-car">
            <Field id={`op-car-make-${i}`} label={t('catalogue.make')} value={row.make} onValue={(make) => setCar(i, { make })} autoCapitalize="characters" autoComplete="off" />
            <Field id={`op-car-model-${i}`} label={t('catalogue.modelOptional')} value={row.model} onValue={(model) => setCar(i, { model })} autoCapitalize="characters" autoComplete="off" />
            <Field id={`op-car-hours-${i}`} label={t('catalogue.hours')} value={row.hours} onValue={(hours) => setCar(i, { hours })} inputMode="decimal" autoComplete="off" />
            <button type="button" class="button-secondary" onClick={() => set({ cars: form.cars.filter((_, j) => j !== i) })}>{t('catalogue.remove')}</button>
          </div>
        ))}
        {error && <Notice>{error}</Notice>}
        <div class="catalogue-buttons">
          <button type="button" class="button-secondary" onClick={() => set({ cars: [...form.cars, { make: '', model: '', hours: '' }] })}>{t('catalogue.addCar')}</button>
          {form.existing && <button type="button" class="button-secondary" onClick={() => setForm(blank(firstRate))}>{t('catalogue.cancelEdit')}</button>}
          <button type="submit" class="button-primary" disabled={catalogue.rates.length === 0}>{t('catalogue.saveOperation')}</button>
        </div>
        {catalogue.rates.length === 0 && <p class="muted">{t('catalogue.ratesFirst')}</p>}
      </fieldset>
    </form>
  );
}
