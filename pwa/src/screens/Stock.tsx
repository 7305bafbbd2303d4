import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf, type MessageKey } from '../i18n';
import { session } from '../data/client';
import { taipeiDate } from '../data/format';
import { belowCsv, belowFileName, changeStock, listStock, receiveStock, type StockItem } from '../data/stock';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import './stock.css';
import { saveFile } from '../ui/saveFile';

type Filter = 'below' | 'all';
type Action = 'receive' | 'count' | 'minimum';
const ACTIONS: [Action, MessageKey][] = [['receive', 'stock.receive'], ['count', 'stock.count'], ['minimum', 'stock.setMinimum']];

/**
 * The parts the shop keeps (庫存): on hand, what authorized orders hold, what is free, and the
 * minimum (安全量), those below it first. The front desk books goods in (進貨), counts the shelf
 * (盤點) and sets minimums; the list below the minimum downloads as a CSV for the supplier.
 */
export function Stock() {
  const [filter, setFilter] = useState<Filter>('all');
  const [items, setItems] = useState<StockItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [open, setOpen] = useState<{ key: string; action: Action } | null>(null);
  const [downloading, setDownloading] = useState(false);
  const role = session.value?.staff.role;
  const writer = role === 'owner' || role === 'manager' || role === 'advisor';

  const refresh = useCallback(() => {
    listStock().then((answer) => { setItems(answer.items); setError(null); },
      (failure: unknown) => setError(errorText(failure)));
  }, []);
  useEffect(refresh, [refresh]);

  async function submit(item: StockItem, action: Action, value: number) {
    setError(null);
    setNote(null);
    try {
      const outcome = action === 'receive' ? await receiveStock(item.part_key, value)
        : await changeStock(item.part_key, action === 'count' ? { on_hand: value } : { minimum: value }, item.version);
      setOpen(null);
      if (outcome.sent) {
        setItems((now) => now && now.map((row) => (row.part_key === item.part_key ? outcome.body : row)));
        setNote(tf('stock.saved', { name: item.name }));
      } else {
        setNote(t('stock.queued'));
      }
    } catch (failure) {
      setError(errorText(failure));
      refresh(); // a stale count: show the stock as it is now
    }
  }

  async function download() {
    setDownloading(true);
    setError(null);
    try {
      saveFile(await belowCsv(), belowFileName(taipeiDate()));
    } catch (failure) {
      setError(errorText(failure));
    }
    setDownloading(false);
  }

  const belowCount = items?.filter((item) => item.below).length ?? 0;
  const shown = items && (filter === 'below' ? items.filter((item) => item.below) : items);

  return (
    <section class="screen stock" aria-labelledby="stock-title">
      <div class="screen-head">
        <h1 id="stock-title">{t('stock.title')}</h1>
        <button type="button" class="button-secondary stock-csv" disabled={downloading} onClick={() => void download()}>
          {downloading ? t('stock.preparing') : t('stock.csv')}
        </button>
      </div>
      <div class="choice stock-filter" role="group" aria-label={t('stock.filter')}>
        <button type="button" class="choice-option" aria-pressed={filter === 'below'} onClick={() => setFilter('below')}>
          {tf('stock.filterBelow', { n: belowCount })}
        </button>
        <button type="button" class="choice-option" aria-pressed={filter === 'all'} onClick={() => setFilter('all')}>
          {t('stock.filterAll')}
        </button>
      </div>
      {error && <Notice>{error}</Notice>}
      {note && <p class="stock-note" role="status">{note}</p>}
      {!items && !error && <p class="muted">{t('common.loading')}</p>}
      {shown && shown.length === 0 && <p class="muted">{filter === 'below' ? t('stock.noneBelow') : t('stock.empty')}</p>}
      {shown && shown.length > 0 && (
        <ul class="stock-list">
          {shown.map((item) => (
            <li key={item.part_key} class={item.below ? 'stock-item stock-item-below' : 'stock-item'} data-part={item.part_key}>
              <div class="stock-item-head">
                <span class="stock-name">{item.name}</span>
                <span class="part-code">{item.part_number}</span>
                {item.below && <span class="tag stock-below-tag">{t('stock.below')}</span>}
              </div>
              <dl class="stock-numbers">
                <div><dt>{t('stock.onHand')}</dt><dd class={item.on_hand < 0 ? 'stock-negative' : undefined}>{item.on_hand}</dd></div>
                <div><dt>{t('stock.reserved')}</dt><dd>{item.reserved}</dd></div>
                <div><dt>{t('stock.available')}</dt><dd class="stock-available">{item.available}</dd></div>
                <div><dt>{t('stock.minimum')}</dt><dd>{item.minimum ?? '—'}</dd></div>
              </dl>
              {item.on_hand < 0 && <p class="stock-warning">{t('stock.negative')}</p>}
              {writer && (
                <div class="stock-actions">
                  {ACTIONS.map(([action, label]) => (
                    <button key={action} type="button" class="button-secondary"
                      aria-expanded={open?.key === item.part_key && open.action === action}
                      onClick={() => setOpen(open?.key === item.part_key && open.action === action ? null : { key: item.part_key, action })}>
                      {t(label)}
                    </button>
                  ))}
                </div>
              )}
              {open?.key === item.part_key && (
                <QuantityForm key={open.action} item={item} action={open.action} onCancel={() => setOpen(null)}
                  onSubmit={(value) => submit(item, open.action, value)} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const FORM_LABELS: Record<Action, MessageKey> = { receive: 'stock.receiveQuantity', count: 'stock.countQuantity', minimum: 'stock.minimumQuantity' };

/** One number, large: goods received (more than 0), a count or a minimum (0 or more). */
function QuantityForm({ item, action, onSubmit, onCancel }: {
  item: StockItem; action: Action; onSubmit: (value: number) => Promise<void>; onCancel: () => void;
}) {
  const start = action === 'count' ? String(item.on_hand) : action === 'minimum' ? String(item.minimum ?? '') : '';
  const [text, setText] = useState(start);
  const [busy, setBusy] = useState(false);
  const value = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(value) && (action === 'receive' ? value > 0 : value >= 0);
  const id = `stock-${action}-${item.part_key}`;
  return (
    <form class="stock-form" onSubmit={(event) => {
      event.preventDefault();
      if (!valid || busy) return;
      setBusy(true);
      void onSubmit(value).finally(() => setBusy(false));
    }}>
      <label class="field-label" for={id}>{t(FORM_LABELS[action])}</label>
      <input id={id} class="stock-input" type="number" inputMode="decimal" min={action === 'receive' ? 1 : 0} step="any"
        value={text} onInput={(event) => setText((event.target as HTMLInputElement).value)} autoFocus />
      <div class="stock-form-buttons">
        <button type="submit" class="button-primary" disabled={!valid || busy}>{t('stock.confirm')}</button>
        <button type="button" class="button-secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
