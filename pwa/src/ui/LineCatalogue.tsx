// What a line taken from the catalogue shows on the order: its grade, the options the customer
// may choose between (正廠 or 副廠…) with the advisor's control to record the choice, and where
// its part is (有庫存 / 待訂 / 已訂 from whom, expected when / 已到), which the advisor updates.
import { useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { formatMoney } from '../data/format';
import type { Line, Supply, SupplyStatus } from '../data/types';
import { Choice } from './Choice';
import { Field } from './Field';
import { GradeChip } from './CatalogueAdd';

export const SUPPLY_STATUSES: readonly SupplyStatus[] = ['in_stock', 'to_order', 'ordered', 'arrived'];

/** The option the line stands for now: its own part among its alternatives. */
export const chosenOption = (line: Line) =>
  (line.alternatives ?? []).findIndex((option) => option.part_key === line.part_key && option.unit_price === line.unit_price);

export function LineOptions({ line, canChoose, busy, onChoose }: {
  line: Line; canChoose: boolean; busy: boolean; onChoose: (option: number) => void;
}) {
  const options = line.alternatives ?? [];
  if (options.length < 2) return null;
  const chosen = chosenOption(line);
  return (
    <div class="line-options" role="group" aria-label={t('choice.label')} data-testid={`options-${line.line_id}`}>
      <span class="field-label">{t('choice.label')}</span>
      <div class="choice">
        {options.map((option, i) => (
          <button type="button" key={i} class="choice-option line-option" aria-pressed={i === chosen}
            disabled={!canChoose || busy || i === chosen} onClick={() => onChoose(i)}>
            <GradeChip grade={option.grade} />
            <span>{option.brand ?? option.part_number}</span>
            <span class="line-option-price">{formatMoney(option.unit_price)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

/** The supply chip's words: 已訂 · 供應商 · 預計 12/20. */
export function supplyText(supply: Supply): string {
  const parts = [t(`supply.${supply.status}`)];
  if (supply.status === 'ordered' || supply.status === 'to_order') {
    if (supply.supplier) parts.push(supply.supplier);
    if (supply.expected_on) parts.push(tf('supply.expectedShort', { date: supply.expected_on.slice(5).replace('-', '/') }));
  }
  return parts.join(' · ');
}

export function SupplyChip({ supply }: { supply: Supply }) {
  const tone = supply.status === 'in_stock' || supply.status === 'arrived' ? 'tag-ok' : supply.status === 'to_order' ? 'tag-late' : '';
  return <span class={`tag line-tag supply supply-${supply.status} ${tone}`} data-testid="supply">{supplyText(supply)}</span>;
}

export function SupplyEditor({ line, busy, onSave }: { line: Line; busy: boolean; onSave: (supply: Supply) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<SupplyStatus>(line.supply?.status ?? 'to_order');
  const [supplier, setSupplier] = useState(line.supply?.supplier ?? '');
  const [expected, setExpected] = useState(line.supply?.expected_on ?? '');
  if (!open) {
    return <button type="button" class="button-secondary" disabled={busy} onClick={() => setOpen(true)}>{t('supply.edit')}</button>;
  }
  async function save(event: Event) {
    event.preventDefault();
    const ordered = status === 'ordered';
    const supply: Supply = {
      status, ...(ordered && supplier.trim() ? { supplier: supplier.trim() } : {}),
      ...(ordered && expected ? { expected_on: expected } : {}),
    };
    if (await onSave(supply)) setOpen(false);
  }
  return (
    <form class="form supply-form" noValidate onSubmit={(event) => void save(event)} aria-label={t('supply.edit')}>
      <Choice label={t('supply.status')} value={status} onChange={setStatus}
        options={SUPPLY_STATUSES.map((value) => ({ value, label: t(`supply.${value}`) }))} />
      {status === 'ordered' && (
        <div class="field-row">
          <Field id={`supplier-${line.line_id}`} label={t('supply.supplier')} value={supplier} onValue={setSupplier} autoComplete="off" />
          <div class="field">
            <label class="field-label" for={`expected-${line.line_id}`}>{t('supply.expected')}</label>
            <input id={`expected-${line.line_id}`} type="date" value={expected} onInput={(event) => setExpected(event.currentTarget.value)} />
          </div>
        </div>
      )}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('supply.save')}</button>
        <button type="button" class="button-secondary" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
