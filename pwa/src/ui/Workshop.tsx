import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { orderPhotos, priceLine, qualityTemplate, recordQualityCheck, revisePromise, takeHelp } from '../data/api';
import { formatDateTime, formatTime, isoToTaipeiLocal, taipeiLocalToIso } from '../data/format';
import type { Photo } from '../data/inspection';
import type { WriteOutcome } from '../data/queue';
import type { Line, Order, QualityAnswer, QualityItem } from '../data/types';
import { CLOSED_STATES } from '../data/types';
import { errorText } from './errors';
import { decimalNumber, Field, wholeNumber } from './Field';
import { Notice } from './Notice';

type Change = (write: () => Promise<WriteOutcome<Order>>, report?: (message: string) => void) => Promise<boolean>;

/** A technician's call for support on the order, until someone takes it. */
export function HelpBanner({ order, canEdit, busy, change }: { order: Order; canEdit: boolean; busy: boolean; change: Change }) {
  if (!order.help) return null;
  return (
    <div class="notice notice-help" role="alert">
      <span>{tf('order.helpAsked', { name: order.help.by.name, note: order.help.note || order.help.description || '' })}</span>
      {canEdit && (
        <button type="button" class="button-primary" disabled={busy}
          onClick={() => void change(() => takeHelp(order.order_id))}>{t('order.helpTake')}</button>
      )}
    </div>
  );
}

/** Who works on which line now, and who paused and why. */
export function AtWorkList({ order }: { order: Order }) {
  const working = order.at_work ?? [];
  if (working.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="at-work-title">
      <h2 id="at-work-title">{t('order.atWork')}</h2>
      <ul class="at-work">
        {working.map((w) => (
          <li key={w.line_id}>
            {w.state === 'paused'
              ? tf('board.pausedWork', { name: w.name, reason: t(`jobs.reason.${w.reason ?? 'other'}`) })
              : tf('board.atWork', { name: w.name, what: w.description })}
            <span class="muted"> · {formatTime(w.since)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A new promised time with why, after the authorization (which keeps the one it was signed with). */
export function PromiseEditor({ order, busy, change }: { order: Order; busy: boolean; change: Change }) {
  const current = order.promise?.at ?? order.promised_at;
  const [open, setOpen] = useState(false);
  const [when, setWhen] = useState(current ? isoToTaipeiLocal(current) : '');
  const [why, setWhy] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (CLOSED_STATES.includes(order.state)) return null;
  async function save() {
    const at = taipeiLocalToIso(when);
    if (!at || !why.trim()) {
      setError(t('order.promiseNeeds'));
      return;
    }
    if (await change(() => revisePromise(order.order_id, at, why.trim()), setError)) {
      setOpen(false);
      setWhy('');
    }
  }
  return (
    <div class="promise">
      {order.promise?.previous && <p class="muted">{tf('order.promiseWas', { time: formatDateTime(order.promise.previous) })} · {order.promise.reason}</p>}
      {!open ? (
        <button type="button" class="button-secondary" onClick={() => setOpen(true)}>{t('order.promiseRevise')}</button>
      ) : (
        <div class="promise-form">
          <Field id="promise-at" label={t('order.promiseNew')} type="datetime-local" value={when} onValue={setWhen} />
          <Field id="promise-why" label={t('order.promiseReason')} value={why} onValue={setWhy} maxLength={200} autoComplete="off" />
          <button type="button" class="button-primary" disabled={busy} onClick={() => void save()}>{t('order.promiseSave')}</button>
          <button type="button" class="button-secondary" onClick={() => setOpen(false)}>{t('jobs.cancel')}</button>
        </div>
      )}
      {error && <Notice>{error}</Notice>}
    </div>
  );
}

/** A technician's finding: its photos, and the advisor's price (hours × rate, or quantity × unit price). */
export function PriceLine({ orderId, line, busy, change }: { orderId: string; line: Line; busy: boolean; change: Change }) {
  const [hours, setHours] = useState('');
  const [rate, setRate] = useState('');
  const [quantity, setQuantity] = useState(line.quantity ? String(line.quantity) : '1');
  const [unitPrice, setUnitPrice] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function save() {
    const price: Record<string, number | undefined> = line.kind === 'labour'
      ? { hours: decimalNumber(hours), rate: wholeNumber(rate) }
      : { quantity: decimalNumber(quantity), unit_price: wholeNumber(unitPrice) };
    const numbers = Object.entries(price).filter((entry): entry is [string, number] =>
      entry[1] !== undefined && !Number.isNaN(entry[1]));
    if (numbers.length !== 2) {
      setError(t('order.lineNeedsPrice'));
      return;
    }
    await change(() => priceLine(orderId, line.line_id, Object.fromEntries(numbers)), setError);
  }
  const id = `price-${line.line_id}`;
  return (
    <div class="line-price" role="group" aria-label={t('order.found')}>
      <LinePhotos orderId={orderId} lineId={line.line_id} alt={line.description} />
      {line.kind === 'labour' ? (<>
        <Field id={`${id}-hours`} label={t('line.hours')} inputMode="decimal" value={hours} onValue={setHours} />
        <Field id={`${id}-rate`} label={t('line.rate')} inputMode="numeric" value={rate} onValue={setRate} />
      </>) : (<>
        <Field id={`${id}-quantity`} label={t('line.quantity')} inputMode="decimal" value={quantity} onValue={setQuantity} />
        <Field id={`${id}-unit`} label={t('line.unitPrice')} inputMode="numeric" value={unitPrice} onValue={setUnitPrice} />
      </>)}
      <button type="button" class="button-primary" disabled={busy} onClick={() => void save()}>{t('order.priceSave')}</button>
      {error && <Notice>{error}</Notice>}
    </div>
  );
}

/** The photos a technician took of what they found (subject `line.<id>`). */
export function LinePhotos({ orderId, lineId, alt }: { orderId: string; lineId: string; alt: string }) {
  const [photos, setPhotos] = useState<Photo[]>([]);
  useEffect(() => {
    orderPhotos(orderId).then((answer) => setPhotos(answer.photos.filter((p) => p.subject === `line.${lineId}`)), () => undefined);
  }, [orderId, lineId]);
  if (photos.length === 0) return null;
  return (
    <div class="finding-shots">
      {photos.map((photo) => (
        <a key={photo.photo_id} href={photo.display_url} target="_blank" rel="noopener">
          <img src={photo.thumb_url} alt={alt} width={96} height={72} loading="lazy" />
        </a>
      ))}
    </div>
  );
}

/** The final check (品檢): each item passed or failed with a note; the last result. */
export function QualityPanel({ order, busy, change }: { order: Order; busy: boolean; change: Change }) {
  const [items, setItems] = useState<QualityItem[] | null>(null);
  const [answers, setAnswers] = useState<Record<string, QualityAnswer>>({});
  const [error, setError] = useState<string | null>(null);
  const checking = order.state === 'quality_check' && !order.quality?.passed;
  useEffect(() => {
    if (checking) qualityTemplate().then((answer) => setItems(answer.items), (failure: unknown) => setError(errorText(failure)));
  }, [checking]);
  if (!checking && !order.quality) return null;
  const set = (id: string, answer: Partial<QualityAnswer>) =>
    setAnswers((current) => ({ ...current, [id]: { ...current[id], ...answer } as QualityAnswer }));

  async function save() {
    if (!items) return;
    const missing = items.filter((item) => answers[item.item_id]?.ok === undefined);
    if (missing.length) return setError(tf('qc.missing', { n: missing.length }));
    const given = (id: string): QualityAnswer => answers[id] ?? { ok: false };
    if (items.some((item) => !given(item.item_id).ok && !given(item.item_id).note?.trim())) return setError(t('qc.needNote'));
    const road = items.find((item) => item.kind === 'road_test');
    if (road && given(road.item_id).ok && given(road.item_id).km === undefined) return setError(t('qc.needKm'));
    setError(null);
    const sent = Object.fromEntries(items.map((item) => {
      const answer = given(item.item_id);
      return [item.item_id, { ok: answer.ok, ...(answer.note?.trim() ? { note: answer.note.trim() } : {}),
        ...(answer.km !== undefined && !Number.isNaN(answer.km) ? { km: answer.km } : {}) }];
    }));
    if (await change(() => recordQualityCheck(order.order_id, sent), setError)) setAnswers({});
  }

  const last = order.quality;
  return (
    <section class="panel quality" aria-labelledby="qc-title">
      <h2 id="qc-title">{t('qc.title')}</h2>
      {last && (
        <Notice tone={last.passed ? 'info' : undefined}>
          {last.passed ? tf('qc.passed', { name: last.by.name, time: formatDateTime(last.at) }) : tf('qc.failed', { name: last.by.name })}
          {!last.passed && `：${last.items.filter((i) => !i.ok).map((i) => i.note).join('；')}`}
        </Notice>
      )}
      {checking && items && (<>
        <p class="muted">{t('qc.lead')}</p>
        <ul class="qc-items">
          {items.map((item) => {
            const answer = answers[item.item_id];
            return (
              <li key={item.item_id} class="qc-item">
                <span class="qc-name">{item.zh}<span class="muted"> {item.en}</span></span>
                <div class="choice" role="group" aria-label={item.zh}>
                  <button type="button" class="choice-option" aria-pressed={answer?.ok === true} onClick={() => set(item.item_id, { ok: true })}>{t('qc.pass')}</button>
                  <button type="button" class="choice-option choice-bad" aria-pressed={answer?.ok === false} onClick={() => set(item.item_id, { ok: false })}>{t('qc.fail')}</button>
                </div>
                {item.kind === 'road_test' && answer?.ok && (
                  <Field id={`qc-km-${item.item_id}`} label={t('qc.km')} inputMode="decimal" value={answer.km === undefined ? '' : String(answer.km)}
                    onValue={(text) => set(item.item_id, { km: decimalNumber(text) })} />
                )}
                {answer?.ok === false && (
                  <Field id={`qc-note-${item.item_id}`} label={t('qc.note')} value={answer.note ?? ''}
                    onValue={(text) => set(item.item_id, { note: text })} maxLength={300} autoComplete="off" />
                )}
              </li>
            );
          })}
        </ul>
        <button type="button" class="button-primary button-step" disabled={busy} onClick={() => void save()}>{t('qc.save')}</button>
      </>)}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
