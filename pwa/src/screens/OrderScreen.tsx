import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import {
  addLine, deleteLine, dispatch, getOrder, listStaff, setLineState, transition, type NewLine,
} from '../data/api';
import { session } from '../data/client';
import { formatDateTime, formatMoney, formatPhone, formatTime } from '../data/format';
import type { WriteOutcome } from '../data/queue';
import type { Line, LineKind, LineState, Order, Staff } from '../data/types';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { decimalNumber, Field, wholeNumber } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { walkaroundPath } from '../ui/router';

/** One repair order: who and what, the job lines and money as the API sums them, the next steps. */
export function OrderScreen({ orderId }: { orderId: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canEdit = session.value?.staff.role !== 'technician';

  useEffect(() => {
    setOrder(null);
    setLoadError(null);
    getOrder(orderId).then(setOrder, (failure: unknown) => setLoadError(errorText(failure)));
  }, [orderId]);

  /** Every change goes through the write queue; the answer is the whole order again. */
  async function change(write: () => Promise<WriteOutcome<Order>>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const outcome = await write();
      if (outcome.sent) setOrder(outcome.body);
      else setNote(t('common.queued'));
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (loadError) return <section class="screen"><Notice>{tf('order.loadFailed', { reason: loadError })}</Notice></section>;
  if (!order) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

  const forward = order.next_states.filter((state) => state !== 'cancelled');
  const canCancel = order.next_states.includes('cancelled');

  return (
    <section class="screen screen-order" aria-labelledby="order-title">
      <header class="order-head">
        <div>
          <p class="order-number">{tf('order.number', { number: order.number })}</p>
          <h1 id="order-title" class="plate plate-big">{order.vehicle.plate}</h1>
          <p class="order-vehicle">{order.vehicle.make} {order.vehicle.model}</p>
        </div>
        <span class={`state-badge state-${order.state}`} data-testid="order-state">{t(`state.${order.state}`)}</span>
      </header>

      <div class="order-grid">
        <div class="order-side">
          <a class={order.state === 'checked_in' || order.state === 'booked' ? 'button-primary button-step button-walk' : 'button-secondary button-walk'}
            href={`#${walkaroundPath(order.order_id)}`}>
            <span>{t('walk.open')}</span>
            <span class="button-walk-lead">{t('walk.openLead')}</span>
          </a>
          <section class="panel" aria-labelledby="steps-title">
            <h2 id="steps-title">{t('order.nextSteps')}</h2>
            {forward.length === 0 && !canCancel && <p class="muted">{t('order.noNextSteps')}</p>}
            <div class="steps">
              {forward.map((state) => (
                <button type="button" key={state} class="button-primary button-step" disabled={busy}
                  onClick={() => void change(() => transition(order.order_id, state))}>
                  {t(`action.${state}`)}
                </button>
              ))}
              {canCancel && (
                <button type="button" class="button-danger" disabled={busy}
                  onClick={() => void change(() => transition(order.order_id, 'cancelled'))}>
                  {t('action.cancelled')}
                </button>
              )}
            </div>
            {error && <Notice>{error}</Notice>}
            {note && <Notice tone="info">{note}</Notice>}
          </section>

          <section class="panel facts" aria-label={t('order.customer')}>
            <dl>
              <dt>{t('order.customer')}</dt>
              <dd>{order.customer.name}<br /><span class="muted">{formatPhone(order.customer.mobile)}</span></dd>
              {order.promised_at && (<><dt>{t('order.promised')}</dt><dd>{formatTime(order.promised_at)}</dd></>)}
              <dt>{t('newOrder.waiting')}</dt>
              <dd>{order.waits_in_shop ? t('order.waits') : t('order.leaves')}</dd>
              {order.mileage_km !== undefined && (<><dt>{t('order.mileage')}</dt><dd>{order.mileage_km.toLocaleString('en-US')} km</dd></>)}
            </dl>
          </section>

          <section class="panel" aria-labelledby="concerns-title">
            <h2 id="concerns-title">{t('order.concerns')}</h2>
            {order.concerns.length === 0 ? <p class="muted">{t('order.noConcerns')}</p> : (
              <ul class="concerns">{order.concerns.map((concern, i) => <li key={i}>{concern}</li>)}</ul>
            )}
          </section>
        </div>

        <div class="order-main">
          <section class="panel" aria-labelledby="lines-title">
            <h2 id="lines-title">{t('order.lines')}</h2>
            {order.lines.length === 0 && <p class="muted">{t('order.noLines')}</p>}
            <ul class="lines">
              {order.lines.map((line) => (
                <LineRow key={line.line_id} line={line} canEdit={canEdit} busy={busy}
                  onState={(state) => void change(() => setLineState(order.order_id, line.line_id, state))}
                  onDelete={() => void change(() => deleteLine(order.order_id, line.line_id))} />
              ))}
            </ul>
            <dl class="totals" aria-label={t('order.total')}>
              <dt>{t('order.subtotal')}</dt><dd data-testid="subtotal">{formatMoney(order.totals.subtotal)}</dd>
              <dt>{t('order.tax')}</dt><dd data-testid="tax">{formatMoney(order.totals.tax)}</dd>
              <dt class="totals-total">{t('order.total')}</dt><dd class="totals-total" data-testid="total">{formatMoney(order.totals.total)}</dd>
            </dl>
            {canEdit && <AddLine busy={busy} onAdd={(line) => change(() => addLine(order.order_id, line))} />}
          </section>

          {canEdit && <Dispatch busy={busy} onDispatch={(id) => void change(() => dispatch(order.order_id, id))} />}

          <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">{t('order.history')}</h2>
            <ol class="history">
              {order.events.map((event, i) => (
                <li key={i}>
                  <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                  <span class="history-who">{event.by.name}</span>
                  <span class="history-move">
                    {event.from ? `${t(`state.${event.from}`)} → ` : ''}{t(`state.${event.to}`)}
                  </span>
                  {event.note && <span class="muted">{event.note}</span>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </section>
  );
}

function LineRow({ line, canEdit, busy, onState, onDelete }: {
  line: Line; canEdit: boolean; busy: boolean; onState: (state: LineState) => void; onDelete: () => void;
}) {
  const detail = line.kind === 'labour' && line.hours !== undefined && line.rate !== undefined
    ? tf('line.detailLabour', { hours: line.hours, rate: formatMoney(line.rate) })
    : line.kind === 'part' && line.quantity !== undefined && line.unit_price !== undefined
      ? tf('line.detailPart', { quantity: line.quantity, price: formatMoney(line.unit_price) })
      : '';
  return (
    <li class={`line line-${line.state}`}>
      <div class="line-text">
        <span class="line-kind">{t(`line.${line.kind}`)}{line.origin === 'additional' ? ` · ${t('line.additional')}` : ''}</span>
        <span class="line-description">{line.description}</span>
        <span class="muted">
          {line.part_number ? `${line.part_number} · ` : ''}{detail}
          {line.technician_name ? ` · ${tf('line.technician', { name: line.technician_name })}` : ''}
        </span>
      </div>
      <span class="line-amount">{formatMoney(line.amount)}</span>
      <span class={`line-state line-state-${line.state}`}>{t(`line.${line.state}`)}</span>
      {canEdit && line.state === 'proposed' && (
        <div class="line-actions">
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('approved')}>{t('line.approve')}</button>
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('declined')}>{t('line.decline')}</button>
          <button type="button" class="button-secondary" disabled={busy} onClick={onDelete}>{t('line.delete')}</button>
        </div>
      )}
      {line.state === 'approved' && (
        <div class="line-actions">
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('done')}>{t('line.markDone')}</button>
        </div>
      )}
    </li>
  );
}

function AddLine({ busy, onAdd }: { busy: boolean; onAdd: (line: NewLine) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<LineKind>('labour');
  const [description, setDescription] = useState('');
  const [hours, setHours] = useState('');
  const [rate, setRate] = useState('');
  const [partNumber, setPartNumber] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [unitPrice, setUnitPrice] = useState('');
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<string | null>(null);

  if (!open) {
    return <button type="button" class="button-secondary button-block" onClick={() => setOpen(true)}>{t('line.add')}</button>;
  }

  async function submit(event: Event) {
    event.preventDefault();
    const missing: string[] = [];
    const need = (ok: boolean, label: string) => ok || missing.push(label);
    need(description.trim() !== '', t('line.description'));
    let line: NewLine = { kind, description: description.trim() };
    if (kind === 'labour') {
      const h = decimalNumber(hours), r = wholeNumber(rate);
      need(h !== undefined && !Number.isNaN(h), t('line.hours'));
      need(r !== undefined && !Number.isNaN(r), t('line.rate'));
      line = { ...line, hours: h, rate: r };
    } else if (kind === 'part') {
      const qty = wholeNumber(quantity), price = wholeNumber(unitPrice);
      need(qty !== undefined && !Number.isNaN(qty), t('line.quantity'));
      need(price !== undefined && !Number.isNaN(price), t('line.unitPrice'));
      line = { ...line, quantity: qty, unit_price: price, ...(partNumber.trim() ? { part_number: partNumber.trim() } : {}) };
    } else {
      const a = wholeNumber(amount);
      need(a !== undefined && !Number.isNaN(a), t('line.discountAmount'));
      line = { ...line, amount: a }; // positive: the API makes a discount line's amount negative
    }
    if (missing.length) {
      setError(tf('newOrder.required', { fields: missing.join('、') }));
      return;
    }
    setError(null);
    if (await onAdd(line)) {
      setDescription(''); setHours(''); setRate(''); setPartNumber(''); setQuantity('1'); setUnitPrice(''); setAmount('');
    }
  }

  const numeric = { inputMode: 'numeric' as const, pattern: '[0-9]*', autoComplete: 'off' };
  return (
    <form class="form add-line" onSubmit={submit} noValidate aria-label={t('line.add')}>
      <Choice label={t('line.kind')} value={kind} onChange={setKind}
        options={(['labour', 'part', 'discount'] as const).map((value) => ({ value, label: t(`line.${value}`) }))} />
      <Field id="line-description" label={t('line.description')} value={description} onValue={setDescription} autoComplete="off" />
      {kind === 'labour' && (
        <div class="field-row">
          <Field id="line-hours" label={t('line.hours')} value={hours} onValue={setHours} inputMode="decimal" autoComplete="off" />
          <Field id="line-rate" label={t('line.rate')} value={rate} onValue={setRate} {...numeric} />
        </div>
      )}
      {kind === 'part' && (
        <>
          <Field id="line-part-number" label={t('line.partNumber')} value={partNumber} onValue={setPartNumber} autoComplete="off" autoCapitalize="characters" />
          <div class="field-row">
            <Field id="line-quantity" label={t('line.quantity')} value={quantity} onValue={setQuantity} {...numeric} />
            <Field id="line-unit-price" label={t('line.unitPrice')} value={unitPrice} onValue={setUnitPrice} {...numeric} />
          </div>
        </>
      )}
      {kind === 'discount' && (
        <Field id="line-amount" label={t('line.discountAmount')} value={amount} onValue={setAmount} {...numeric} />
      )}
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('line.submit')}</button>
        <button type="button" class="button-secondary" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}

function Dispatch({ busy, onDispatch }: { busy: boolean; onDispatch: (technicianId: string) => void }) {
  const [technicians, setTechnicians] = useState<Staff[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    listStaff().then(
      (answer) => setTechnicians(answer.staff.filter((s) => s.role === 'technician' && s.active !== false)),
      (failure: unknown) => setError(errorText(failure)),
    );
  }, []);
  return (
    <section class="panel" aria-labelledby="dispatch-title">
      <h2 id="dispatch-title">{t('order.dispatch')}</h2>
      {error && <Notice>{error}</Notice>}
      {technicians && technicians.length === 0 && <p class="muted">{t('order.noTechnicians')}</p>}
      {technicians && technicians.length > 0 && (
        <>
          <p class="muted">{t('order.dispatchLead')}</p>
          <div class="button-row">
            {technicians.map((tech) => (
              <button type="button" key={tech.staff_id} class="button-secondary" disabled={busy}
                onClick={() => onDispatch(tech.staff_id)}>
                {tech.name}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
