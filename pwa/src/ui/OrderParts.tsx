import { useCallback, useEffect, useState } from 'preact/hooks';
import { locale, t, tf } from '../i18n';
import { createTag, orderParts, tagLabel, tagLabels } from '../data/api';
import { session } from '../data/client';
import { formatQuantity, parseQuantity } from '../data/parts';
import {
  type DisposalCategory, OLD_PARTS, type FileLink, type Line, type OldParts, type Order, type OrderPartsList, type PartState, type PartUnit, type TagSummary,
} from '../data/types';
import { Choice } from './Choice';
import { errorText } from './errors';
import { Field } from './Field';
import { Notice } from './Notice';
import { tagPath } from './router';

const CLOSED_ORDER: readonly Order['state'][] = ['delivered', 'followed_up', 'cancelled'];

/**
 * Open a file the API makes on request (a label, the report's CSV) in a new tab. The tab is
 * opened at the tap, before the answer, so a phone's pop-up blocker lets it through; it is
 * closed again when the file cannot be had. Resolves with the error to show, or null.
 */
export async function openMadeFile(make: () => Promise<FileLink>): Promise<string | null> {
  const tab = window.open('', '_blank');
  if (tab) tab.opener = null; // the file's page gets no hold on the app
  try {
    const { url } = await make();
    if (tab) tab.location.replace(url);
    else location.assign(url); // no new tab here (an installed app on some phones): open it in place
    return null;
  } catch (failure) {
    tab?.close();
    return errorText(failure);
  }
}

/** A tag's state as a small badge (open states amber, final ones green). */
export function PartStateBadge({ state }: { state: PartState }) {
  const open = state === 'removed' || state === 'held' || state === 'shown_to_customer';
  return <span class={open ? 'tag part-state' : 'tag tag-ok part-state'}>{t(`partState.${state}`)}</span>;
}

/** A quantity with its measure word: a category's own for pieces (輪胎 4 條, 電瓶 2 顆), else the unit's. */
export function quantityText(quantity: number, unit: PartUnit, category?: DisposalCategory) {
  const counted = unit === 'piece' && (category === 'tyre' || category === 'battery');
  return `${formatQuantity(quantity)} ${counted ? t(`part.unit.${category}`) : t(`part.unit.${unit}`)}`;
}

/** The lines a tag is usually made from first: parts, then labour (a part replaced under a labour line). */
const taggable = (lines: readonly Line[]) => [
  ...lines.filter((line) => line.kind === 'part' && line.state !== 'declined'),
  ...lines.filter((line) => line.kind === 'labour' && line.state !== 'declined'),
];

/**
 * The order's old parts (舊品): its tags with their state, why delivery would wait, and a form to
 * tag a part taken off the car, prefilled from a job line. Mount it on the order screen:
 * `<OrderParts order={order} />`.
 */
export function OrderParts({ order }: { order: Order }) {
  const [list, setList] = useState<OrderPartsList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<TagSummary | null>(null);
  const [queued, setQueued] = useState(false);
  const [printing, setPrinting] = useState<string | null>(null);

  const load = useCallback(() => {
    orderParts(order.order_id).then((answer) => { setList(answer); setError(null); }, (failure: unknown) => setError(errorText(failure)));
  }, [order.order_id]);
  useEffect(load, [load, order.updated_at]);

  async function print(key: string, make: () => Promise<FileLink>) {
    setPrinting(key);
    setError(await openMadeFile(make));
    setPrinting(null);
  }

  const tags = list?.tags ?? [];
  const canAdd = !CLOSED_ORDER.includes(order.state);
  const undecided = list?.undecided ? (locale.value === 'en' ? list.undecided.en : list.undecided.zh) : null;

  return (
    <section class="panel order-parts" aria-labelledby="order-parts-title">
      <div class="panel-head">
        <h2 id="order-parts-title">{t('orderParts.title')}</h2>
        {tags.length > 1 && (
          <button type="button" class="button-secondary" disabled={printing !== null}
            onClick={() => void print('all', () => tagLabels(tags.map((tag) => tag.code), 'a4'))}>
            {printing === 'all' ? t('part.preparing') : t('orderParts.printAll')}
          </button>
        )}
      </div>
      {error && <Notice>{error}</Notice>}
      {list && tags.length === 0 && <p class="muted">{t('orderParts.empty')}</p>}
      {tags.length > 0 && (
        <ul class="part-list">
          {tags.map((tag) => (
            <li key={tag.code} class="part-row">
              <a class="part-row-text" href={`#${tagPath(tag.code)}`}>
                <span class="part-row-name">{tag.part_name}</span>
                <span class="muted">
                  <span class="part-code">{tag.display_code}</span> · {quantityText(tag.quantity, tag.unit)} · {t(`oldParts.${tag.wish}`)}
                </span>
              </a>
              <PartStateBadge state={tag.state} />
              <button type="button" class="button-secondary" disabled={printing !== null}
                aria-label={`${t('part.print')} ${tag.display_code}`}
                onClick={() => void print(tag.code, () => tagLabel(tag.code, 'pdf'))}>
                {printing === tag.code ? t('part.preparing') : t('part.print')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {undecided && <Notice tone="info">{undecided}</Notice>}
      {created && (
        <Notice tone="ok">{tf('orderParts.created', { code: created.display_code })}</Notice>
      )}
      {queued && <Notice tone="info">{t('common.queued')}</Notice>}
      {canAdd && !adding && (
        <button type="button" class="button-secondary button-block" onClick={() => { setAdding(true); setCreated(null); setQueued(false); }}>
          ＋ {t('orderParts.add')}
        </button>
      )}
      {canAdd && adding && (
        <NewTagForm order={order} onCancel={() => setAdding(false)} onCreated={(tag) => {
          setAdding(false);
          if (tag) { setCreated(tag); load(); } else setQueued(true);
        }} />
      )}
    </section>
  );
}

/** The form for a new tag: pick the job line (its name, part number and quantity fill in), the reason and the wish. */
function NewTagForm({ order, onCancel, onCreated }: {
  order: Order;
  onCancel: () => void;
  /** The tag made, or null when it waits in the queue (no network). */
  onCreated: (tag: TagSummary | null) => void;
}) {
  const lines = taggable(order.lines);
  const [lineId, setLineId] = useState<string>(lines[0]?.line_id ?? '');
  const line = lines.find((l) => l.line_id === lineId);
  const [name, setName] = useState(line?.description ?? '');
  const [partNumber, setPartNumber] = useState(line?.part_number ?? '');
  const [quantity, setQuantity] = useState(line?.kind === 'part' && line.quantity ? String(line.quantity) : '1');
  const [unit, setUnit] = useState<PartUnit>('piece');
  const [reason, setReason] = useState('');
  const [wish, setWish] = useState<OldParts>(order.old_parts ?? 'decide_at_delivery');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The customer's wish is the front desk's to record; a technician's tag takes the order's.
  const mayDecide = session.value?.staff.role !== 'technician';

  function pick(id: string) {
    setLineId(id);
    const picked = lines.find((l) => l.line_id === id);
    setName(picked?.description ?? '');
    setPartNumber(picked?.part_number ?? '');
    setQuantity(picked?.kind === 'part' && picked.quantity ? String(picked.quantity) : '1');
  }

  async function submit(event: Event) {
    event.preventDefault();
    const amount = parseQuantity(quantity);
    if (!name.trim()) return setProblem(t('orderParts.nameMissing'));
    if (amount === null) return setProblem(t('orderParts.quantityInvalid'));
    setProblem(null);
    setBusy(true);
    try {
      const outcome = await createTag({
        order_id: order.order_id, ...(line ? { line_id: line.line_id } : {}),
        part_name: name.trim(), ...(partNumber.trim() ? { part_number: partNumber.trim() } : {}),
        quantity: amount, unit, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(mayDecide ? { wish } : {}),
      });
      onCreated(outcome.sent ? outcome.body : null);
    } catch (failure) {
      setProblem(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="new-tag" onSubmit={(event) => void submit(event)} noValidate>
      <h3 class="new-tag-title">{t('orderParts.add')}</h3>
      {lines.length > 0 && (
        <div class="field" role="group" aria-label={t('orderParts.fromLine')}>
          <span class="field-label" aria-hidden="true">{t('orderParts.fromLine')}</span>
          <div class="choice choice-stack">
            {lines.map((l) => (
              <button type="button" key={l.line_id} class="choice-option" aria-pressed={l.line_id === lineId} onClick={() => pick(l.line_id)}>
                {l.description}
              </button>
            ))}
            <button type="button" class="choice-option" aria-pressed={lineId === ''} onClick={() => pick('')}>{t('orderParts.otherPart')}</button>
          </div>
        </div>
      )}
      <Field id="new-tag-name" label={t('orderParts.partName')} value={name} onValue={setName} maxLength={80} />
      <div class="field-row">
        <Field id="new-tag-number" label={t('orderParts.partNumber')} value={partNumber} onValue={setPartNumber} autoCapitalize="characters" maxLength={60} />
        <Field id="new-tag-quantity" label={t('orderParts.quantity')} value={quantity} onValue={setQuantity} inputMode="decimal" maxLength={10} />
      </div>
      <Choice label={t('orderParts.unit')} value={unit} onChange={setUnit}
        options={(['piece', 'litre'] as const).map((u) => ({ value: u, label: t(`part.unit.${u}`) }))} />
      <Field id="new-tag-reason" label={t('orderParts.reason')} value={reason} onValue={setReason} maxLength={200} />
      {mayDecide && (
        <Choice label={t('part.wish')} value={wish} onChange={setWish}
          options={OLD_PARTS.map((w) => ({ value: w, label: t(`oldParts.${w}`) }))} />
      )}
      {problem && <Notice>{problem}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('orderParts.create')}</button>
        <button type="button" class="button-secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
