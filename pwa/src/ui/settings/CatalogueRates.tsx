// 工資費率: the shop's labour rates (一般、電系、鈑噴…), NT$ an hour, saved all at once.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { saveRates, type Rate } from '../../data/catalogueAdmin';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import type { CatalogueProps } from './Catalogue';

type Row = { rate_id: string; name: string; name_en: string; rate: string };

export function CatalogueRates({ catalogue, act }: CatalogueProps) {
  const first: Row[] = catalogue.rates.length
    ? catalogue.rates.map((r) => ({ rate_id: r.rate_id, name: r.name, name_en: r.name_en ?? '', rate: String(r.rate) }))
    : [{ rate_id: 'general', name: t('catalogue.rateGeneral'), name_en: 'General', rate: '' }];
  const [rows, setRows] = useState<Row[]>(first);
  const [error, setError] = useState<string | null>(null);
  const setRow = (index: number, change: Partial<Row>) => setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  async function submit(event: Event) {
    event.preventDefault();
    const rates: Rate[] = [];
    for (const row of rows) {
      const rate = wholeNumber(row.rate);
      if (!row.name.trim() || rate === undefined || Number.isNaN(rate)) return setError(t('catalogue.rateIncomplete'));
      rates.push({ rate_id: row.rate_id, name: row.name.trim(), name_en: row.name_en.trim() || null, rate });
    }
    setError(null);
    await act(() => saveRates(rates), t('catalogue.ratesSaved'));
  }

  const nextId = () => {
    let n = rows.length + 1;
    while (rows.some((row) => row.rate_id === `rate_${n}`)) n += 1;
    return `rate_${n}`;
  };

  return (
    <form class="catalogue-part-of" onSubmit={submit} noValidate aria-labelledby="catalogue-rates-title">
      <h3 id="catalogue-rates-title">{t('catalogue.rates')}</h3>
      <ul class="admin-list">
        {rows.map((row, i) => (
          <li key={row.rate_id} class="admin-row catalogue-rate" data-rate={row.rate_id}>
            <div class="admin-inline">
              <Field id={`rate-name-${i}`} label={t('catalogue.rateName')} value={row.name} onValue={(name) => setRow(i, { name })} autoComplete="off" />
              <Field id={`rate-en-${i}`} label={t('catalogue.nameEn')} value={row.name_en} onValue={(name_en) => setRow(i, { name_en })} autoComplete="off" />
              <Field id={`rate-rate-${i}`} label={t('catalogue.ratePerHour')} value={row.rate} onValue={(rate) => setRow(i, { rate })}
                inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
              {rows.length > 1 && (
                <button type="button" class="button-secondary" aria-label={tf('catalogue.removeNamed', { name: row.name })}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}>{t('catalogue.remove')}</button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {error && <Notice>{error}</Notice>}
      <div class="catalogue-buttons">
        {rows.length < 10 && (
          <button type="button" class="button-secondary" onClick={() => setRows([...rows, { rate_id: nextId(), name: '', name_en: '', rate: '' }])}>
            {t('catalogue.addRate')}
          </button>
        )}
        <button type="submit" class="button-primary">{t('catalogue.saveRates')}</button>
      </div>
    </form>
  );
}
