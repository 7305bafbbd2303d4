import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { locale, t, tf } from '../i18n';
import {
  addLine, chooseOption, deleteLine, setSupply, dispatch, getDocument, getOrder, listStaff, orderPhotos, reviseDocument, setLineState, setOldParts,
  setBuyer, signedPdf, signedPdfBytes, transition, type NewLine,
} from '../data/api';
import { queue, session } from '../data/client';
import { formatDateTime, formatMoney, formatPhone, formatTime } from '../data/format';
import type { WriteOutcome } from '../data/queue';
import {
  CLOSED_STATES, DOCUMENT_KINDS, OLD_PARTS, type Bilingual, type Buyer, type DocumentKind, type Line, type LineKind, type LineState, type OldParts,
  type Order, type OrderEvent, type Signature, type SignableDocument, type Staff,
} from '../data/types';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { decimalNumber, Field, wholeNumber } from '../ui/Field';
import { validTaxId } from '../data/format';
import { lineDetail } from '../ui/lineDetail';
import { CancelOrder, cancelHolds } from '../ui/CancelOrder';
import { CustomerLink } from '../ui/CustomerLink';
import { Notice } from '../ui/Notice';
import { OrderMessages } from '../ui/OrderMessages';
import { Conversation } from '../ui/Conversation';
import { OrderParts } from '../ui/OrderParts';
import { photoSubjectName as photoName } from '../ui/photoSubject';
import { printPdf, PrintRefused, printsInPage } from '../ui/printPdf';
import { PaperButtons } from '../ui/PaperButtons';
import { draftPdf, inspectionPdf } from '../data/paper';
import type { Photo } from '../data/inspection';
import { customerPath, signPath, vehicleHistoryPath, walkaroundPath } from '../ui/router';
import { AtWorkList, HelpBanner, PriceLine, PromiseEditor, QualityPanel } from '../ui/Workshop';
import { HandoverPanel } from '../ui/Handover';
import { CatalogueAdd, GradeChip } from '../ui/CatalogueAdd';
import { catalogue } from '../data/catalogue';
import { LineOptions, SupplyChip, SupplyEditor } from '../ui/LineCatalogue';
import { CheckoutPanel, showsCheckout, UnpaidRelease } from '../ui/checkout/CheckoutPanel';
import { balanceOf, invoiceView } from '../data/checkout';

/** How often, and how many times, an order whose invoice is being issued is read again. */
const ISSUING_READ_MS = 1500;
const ISSUING_READS = 40;

/** One repair order: who and what, the job lines and money as the API sums them, the next steps. */
export function OrderScreen({ orderId }: { orderId: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The delivery was refused for what is still to pay: a manager may let the car go (未收款放行).
  const [unpaidRefused, setUnpaidRefused] = useState(false);
  const canEdit = session.value?.staff.role !== 'technician';
  const drafts = useDrafts(canEdit ? order : null);

  useEffect(() => {
    setOrder(null);
    setLoadError(null);
    getOrder(orderId).then(setOrder, (failure: unknown) => setLoadError(errorText(failure)));
    // The catalogue as the shop has it now (an edit on another device): downloaded only when it moved.
    if (canEdit) void catalogue.refresh();
  }, [orderId]);

  // Writes kept while the network was down go out once it is back: when the last has gone, the
  // order is read again, so the screen shows what they did (a payment taken offline, its balance).
  const waiting = queue.pending.value;
  const hadWaiting = useRef(false);
  useEffect(() => {
    if (waiting > 0) {
      hadWaiting.current = true;
    } else if (hadWaiting.current) {
      hadWaiting.current = false;
      getOrder(orderId).then(setOrder, () => undefined);
    }
  }, [waiting, orderId]);

  // An invoice just queued is sent to the value-added centre by the server a moment later: the
  // order is read again until it is issued, refused or waits for the centre (then 「重新傳送」).
  const issuing = order ? invoiceView(order).kind === 'queued' : false;
  const issuingReads = useRef(0);
  useEffect(() => {
    if (!issuing) issuingReads.current = 0;
    if (!issuing || issuingReads.current >= ISSUING_READS) return;
    const timer = setTimeout(() => {
      issuingReads.current += 1;
      getOrder(orderId).then(setOrder, () => undefined);
    }, ISSUING_READ_MS);
    return () => clearTimeout(timer);
  }, [issuing, order]);

  /**
   * Every change goes through the write queue; the answer is the whole order again. A refusal is
   * shown under the steps, or by `report` beside the part of the screen that asked, and the order
   * is read again: it was refused because it moved (another tablet), so show it as it is now.
   */
  async function change(write: () => Promise<WriteOutcome<Order>>, report?: (message: string) => void): Promise<boolean> {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const outcome = await write();
      if (outcome.sent) setOrder(outcome.body);
      else setNote(t('common.queued'));
      return true;
    } catch (failure) {
      (report ?? setError)(errorText(failure));
      getOrder(orderId).then(setOrder, () => undefined);
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (loadError) return <section class="screen"><Notice>{tf('order.loadFailed', { reason: loadError })}</Notice></section>;
  if (!order) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

  // A closed order (delivered, followed up, cancelled) keeps its lines, buyer and times as they
  // were: the API refuses changes (order_closed), so the screen offers none. Money still moves.
  const stillOpen = !CLOSED_STATES.includes(order.state);
  const changeable = canEdit && stillOpen;
  // `ready` is offered once the final check passed (the panel above records it).
  const forward = order.next_states.filter((state) => state !== 'cancelled'
    && !(state === 'ready' && order.state === 'quality_check' && !order.quality?.passed));
  const canCancel = order.next_states.includes('cancelled');
  // A confirmed cancel that can still be undone: no step meanwhile, or it would go first.
  const cancelHeld = Boolean(cancelHolds.holds.value[order.order_id]);
  // The documents the customer can sign now, as the server says: the advisor's next step.
  const toSign = DOCUMENT_KINDS.filter((kind) => drafts[kind]?.signable);

  return (
    <section class="screen screen-order" aria-labelledby="order-title">
      <header class="order-head">
        <div>
          <p class="order-number">{tf('order.number', { number: order.number })}</p>
          <h1 id="order-title" class="plate plate-big">{order.vehicle.plate}</h1>
          <p class="order-vehicle">{order.vehicle.make} {order.vehicle.model}
            {' · '}<a class="tap-link" href={`#${vehicleHistoryPath(order.vehicle.vehicle_id)}`} data-testid="history-link">{t('history.open')}</a></p>
        </div>
        <span class={`state-badge state-${order.state}`} data-testid="order-state">{t(`state.${order.state}`)}</span>
      </header>
      <IntegrityAlert order={order} />
      <HelpBanner order={order} canEdit={canEdit} busy={busy} change={change} />

      <div class="order-grid">
        <div class="order-side">
          <a class={order.state === 'checked_in' || order.state === 'booked' ? 'button-primary button-step button-walk' : 'button-secondary button-walk'}
            href={`#${walkaroundPath(order.order_id)}`}>
            <span>{t('walk.open')}</span>
            <span class="button-walk-lead">{t('walk.openLead')}</span>
          </a>
          <section class="panel" aria-labelledby="steps-title">
            <h2 id="steps-title">{t('order.nextSteps')}</h2>
            {forward.length === 0 && toSign.length === 0 && <p class="muted">{t('order.noNextSteps')}</p>}
            <div class="steps">
              {toSign.map((kind) => (
                <a key={kind} class="button-primary button-step button-sign" href={`#${signPath(order.order_id, kind)}`}>
                  {t(`doc.sign.${kind}`)}
                </a>
              ))}
              {forward.map((state) => (
                <button type="button" key={state} class="button-primary button-step" disabled={busy || cancelHeld}
                  onClick={() => {
                    setUnpaidRefused(false);
                    void change(() => transition(order.order_id, state), (message) => {
                      setError(message);
                      setUnpaidRefused(state === 'delivered' && balanceOf(order) > 0);
                    });
                  }}>
                  {t(`action.${state}`)}
                </button>
              ))}
            </div>
            {error && <Notice>{error}</Notice>}
            {unpaidRefused && <UnpaidRelease order={order} busy={busy} change={change} />}
            {note && <Notice tone="info">{note}</Notice>}
          </section>

          <Documents order={order} drafts={drafts} canEdit={canEdit} busy={busy} change={change} />
          {canEdit && <CustomerLink order={order} />}
          <OrderMessages orderId={order.order_id} messages={order.messages ?? []} canResend={canEdit}
            onResent={() => void getOrder(order.order_id).then(setOrder, () => undefined)} />
          {canEdit && <Conversation customerId={order.customer.customer_id} canReply={canEdit} />}

          <section class="panel facts" aria-label={t('order.customer')}>
            <dl>
              <dt>{t('order.customer')}</dt>
              <dd><a class="tap-link" href={`#${customerPath(order.customer.customer_id)}`}>{order.customer.name}</a><br /><span class="muted">{order.customer.mobile ? formatPhone(order.customer.mobile) : ''}</span></dd>
              {(order.promise?.at ?? order.promised_at) && (<><dt>{t('order.promised')}</dt><dd data-testid="promised">{formatTime(order.promise?.at ?? order.promised_at!)}</dd></>)}
              <dt>{t('newOrder.waiting')}</dt>
              <dd>{order.waits_in_shop ? t('order.waits') : t('order.leaves')}</dd>
              {order.mileage_km !== undefined && (<><dt>{t('order.mileage')}</dt><dd>{order.mileage_km.toLocaleString('en-US')} km</dd></>)}
            </dl>
            {changeable && <PromiseEditor order={order} busy={busy} change={change} />}
          </section>

          <BuyerPanel order={order} canEdit={changeable} busy={busy}
            onSave={(buyer) => change(() => setBuyer(order.order_id, buyer))} />

          <section class="panel" aria-labelledby="concerns-title">
            <h2 id="concerns-title">{t('order.concerns')}</h2>
            {order.concerns.length === 0 ? <p class="muted">{t('order.noConcerns')}</p> : (
              <ul class="concerns">{order.concerns.map((concern, i) => <li key={i}>{concern}</li>)}</ul>
            )}
          </section>
        </div>

        <div class="order-main">
          {canEdit && showsCheckout(order) && <CheckoutPanel order={order} busy={busy} change={change} />}
          <QualityPanel order={order} busy={busy} change={change} />
          {canEdit && <HandoverPanel order={order} busy={busy} change={change} />}
          <section class="panel" aria-labelledby="lines-title">
            <h2 id="lines-title">{t('order.lines')}</h2>
            {order.lines.length === 0 && <p class="muted">{t('order.noLines')}</p>}
            <ul class="lines">
              {order.lines.map((line) => (
                <LineRow key={line.line_id} line={line} canEdit={changeable} open={stillOpen} busy={busy}
                  onState={(state) => void change(() => setLineState(order.order_id, line.line_id, state))}
                  onDelete={() => void change(() => deleteLine(order.order_id, line.line_id))}>
                  {changeable && line.unpriced && <PriceLine orderId={order.order_id} line={line} busy={busy} change={change} />}
                  <LineOptions line={line} canChoose={changeable && !isFrozen(line)} busy={busy}
                    onChoose={(option) => void change(() => chooseOption(order.order_id, line.line_id, option))} />
                  {changeable && line.kind === 'part' && line.part_key && line.state !== 'declined' && (
                    <div class="line-actions">
                      <SupplyEditor line={line} busy={busy} onSave={(supply) => change(() => setSupply(order.order_id, line.line_id, supply))} />
                    </div>
                  )}
                </LineRow>
              ))}
            </ul>
            <dl class="totals" aria-label={t('order.total')}>
              {order.buyer && (<>
                <dt>{t('order.sales')}</dt><dd data-testid="sales">{formatMoney(order.totals.sales)}</dd>
                <dt>{t('order.tax')}</dt><dd data-testid="tax">{formatMoney(order.totals.tax)}</dd>
              </>)}
              <dt class="totals-total">{t('order.total')}</dt><dd class="totals-total" data-testid="total">{formatMoney(order.totals.total)}</dd>
              {!order.buyer && <dd class="totals-note" data-testid="tax-included">{tf('order.taxIncluded', { amount: formatMoney(order.totals.tax) })}</dd>}
            </dl>
            {changeable && <CatalogueAdd order={order} busy={busy} onAdd={(line, lineId) => change(() => addLine(order.order_id, line, lineId))} />}
            {changeable && <AddLine orderId={order.order_id} busy={busy} onAdd={(line) => change(() => addLine(order.order_id, line))} />}
          </section>

          <AtWorkList order={order} />
          {changeable && <Dispatch key={order.lines.map((line) => `${line.line_id}:${line.technician_id ?? ''}`).join()} order={order} busy={busy}
            onDispatch={(id, lineIds) => void change(() => dispatch(order.order_id, id, lineIds))} />}

          <OrderParts order={order} />

          <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">{t('order.history')}</h2>
            <ol class="history">
              {order.events.map((event, i) => (
                <li key={i}>
                  <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                  <span class="history-who">{event.by.name}</span>
                  <span class="history-move">{eventText(event, order)}</span>
                  {event.note && <span class="muted">{event.note}</span>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
      <CancelOrder order={order} canCancel={canCancel} busy={busy} change={change} />
    </section>
  );
}

/** What an event of the order's history says: a step, a signature, a job's tap, a check, a new time. */
function eventText(event: OrderEvent, order: Order): string {
  if (event.document) {
    return tf(event.document.superseded ? 'doc.eventSuperseded' : 'doc.eventSigned', {
      title: t(`doc.kind.${event.document.kind}`), version: event.document.version });
  }
  if (event.job) {
    const what = order.lines.find((line) => line.line_id === event.job?.line_id)?.description ?? '';
    const reason = event.job.reason ? `（${t(`jobs.reason.${event.job.reason}`)}）` : '';
    return `${t(`history.job.${event.job.action}`)}${what ? `：${what}` : ''}${reason}`;
  }
  if (event.quality?.passed) return t('history.qualityPassed');
  if (event.promise) return tf('history.promise', { time: formatDateTime(event.promise.at) });
  if (event.dispatched_to) return tf('history.dispatch', { name: event.dispatched_to.name });
  return `${event.from ? `${t(`state.${event.from}`)} → ` : ''}${t(`state.${event.to}`)}`;
}

/** A signed document covers the line (docs/api.md: one signature id; the server sends a list). */
const isFrozen = (line: Line) => (Array.isArray(line.frozen_by) ? line.frozen_by.length > 0 : Boolean(line.frozen_by));

function LineRow({ line, canEdit, open, busy, onState, onDelete, children }: {
  line: Line; canEdit: boolean; open: boolean; busy: boolean; onState: (state: LineState) => void; onDelete: () => void;
  children?: ComponentChildren;
}) {
  const detail = lineDetail(line);
  return (
    <li class={`line line-${line.state}`}>
      <div class="line-text">
        <span class="line-kind">
          {t(`line.${line.kind}`)}{line.origin === 'additional' ? ` · ${t('line.additional')}` : ''}
          {line.customer_supplied && <span class="tag line-tag">{t('line.customerSupplied')}</span>}
          {isFrozen(line) && <span class="tag tag-ok line-tag">{t('line.frozen')}</span>}
          {line.unpriced && <span class="tag tag-late line-tag">{t('line.unpriced')}</span>}
          {line.grade && <> <GradeChip grade={line.grade} /></>}
          {line.menu && <span class="tag line-tag">{line.menu.name}</span>}
          {line.supply && <SupplyChip supply={line.supply} />}
        </span>
        <span class="line-description">{line.description}</span>
        {line.reason && <span class="line-reason">{line.reason}{line.area ? ` · ${tf('line.area', { area: line.area })}` : ''}</span>}
        {line.unpriced && line.created_by && <span class="muted">{tf('line.foundBy', { name: line.created_by.name })}</span>}
        <span class="muted">
          {line.part_number ? `${line.part_number} · ` : ''}{detail}
          {line.technician_name ? ` · ${tf('line.technician', { name: line.technician_name })}` : ''}
        </span>
      </div>
      <span class="line-amount">{formatMoney(line.amount)}</span>
      <span class={`line-state line-state-${line.state}`}>{t(`line.${line.state}`)}</span>
      {children}
      {canEdit && line.state === 'proposed' && !line.unpriced && (
        <div class="line-actions">
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('approved')}>{t('line.approve')}</button>
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('declined')}>{t('line.decline')}</button>
          <button type="button" class="button-secondary" disabled={busy} onClick={onDelete}>{t('line.delete')}</button>
        </div>
      )}
      {open && line.state === 'approved' && (
        <div class="line-actions">
          <button type="button" class="button-secondary" disabled={busy} onClick={() => onState('done')}>{t('line.markDone')}</button>
        </div>
      )}
    </li>
  );
}

function AddLine({ orderId, busy, onAdd }: { orderId: string; busy: boolean; onAdd: (line: NewLine) => Promise<boolean> }) {
  const [open, setOpen] = useState(false);
  const [photoId, setPhotoId] = useState('');
  const [kind, setKind] = useState<LineKind>('labour');
  const [description, setDescription] = useState('');
  const [hours, setHours] = useState('');
  const [rate, setRate] = useState('');
  const [partNumber, setPartNumber] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [unitPrice, setUnitPrice] = useState('');
  const [amount, setAmount] = useState('');
  const [customerSupplied, setCustomerSupplied] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  if (!open) {
    return <button type="button" class="button-secondary button-block" onClick={() => setOpen(true)}>{t('line.add')}</button>;
  }

  async function submit(event: Event) {
    event.preventDefault();
    const missing: string[] = [];
    const need = (ok: boolean, label: string) => ok || missing.push(label);
    need(description.trim() !== '', t('line.description'));
    let line: NewLine = {
      kind, description: description.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(photoId && kind !== 'discount' ? { photo_id: photoId } : {}),
    };
    if (kind === 'labour') {
      const h = decimalNumber(hours), r = wholeNumber(rate);
      need(h !== undefined && !Number.isNaN(h), t('line.hours'));
      need(r !== undefined && !Number.isNaN(r), t('line.rate'));
      line = { ...line, hours: h, rate: r };
    } else if (kind === 'part') {
      // A part the customer brought costs nothing unless a price is typed.
      const qty = wholeNumber(quantity), price = wholeNumber(unitPrice) ?? (customerSupplied ? 0 : undefined);
      need(qty !== undefined && !Number.isNaN(qty), t('line.quantity'));
      need(price !== undefined && !Number.isNaN(price), t('line.unitPrice'));
      line = {
        ...line, quantity: qty, unit_price: price, ...(partNumber.trim() ? { part_number: partNumber.trim() } : {}),
        ...(customerSupplied ? { customer_supplied: true } : {}),
      };
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
      setCustomerSupplied(false); setReason(''); setPhotoId('');
    }
  }

  const numeric = { inputMode: 'numeric' as const, pattern: '[0-9]*', autoComplete: 'off' };
  return (
    <form class="form add-line" onSubmit={submit} noValidate aria-label={t('line.add')}>
      <Choice label={t('line.kind')} value={kind} onChange={setKind}
        options={(['labour', 'part', 'discount'] as const).map((value) => ({ value, label: t(`line.${value}`) }))} />
      <Field id="line-description" label={t('line.description')} value={description} onValue={setDescription} autoComplete="off" />
      {kind !== 'discount' && (
        <Field id="line-reason" label={t('line.reason')} value={reason} onValue={setReason} autoComplete="off" maxLength={300} />
      )}
      {kind !== 'discount' && <PhotoPick orderId={orderId} value={photoId} onChange={setPhotoId} />}
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
          <label class="check">
            <input type="checkbox" checked={customerSupplied} onChange={(event) => setCustomerSupplied(event.currentTarget.checked)} />
            <span>{t('line.customerSuppliedHint')}</span>
          </label>
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

/** 公司報帳: the business buyer's 統一編號 and title, checked as typed by the Ministry of Finance's
 * rule (the server checks it again); the total stays, split into 銷售額 and 稅額. */
function BuyerPanel({ order, canEdit, busy, onSave }: {
  order: Order; canEdit: boolean; busy: boolean; onSave: (buyer: Buyer | null) => Promise<boolean>;
}) {
  const [open, setOpen] = useState(false);
  const [taxId, setTaxId] = useState(order.buyer?.tax_id ?? '');
  const [title, setTitle] = useState(order.buyer?.title ?? '');
  const typedBad = taxId.length === 8 && !validTaxId(taxId);
  if (!canEdit && !order.buyer) return null;

  async function save(event: Event) {
    event.preventDefault();
    if (!validTaxId(taxId) || !title.trim()) return;
    if (await onSave({ tax_id: taxId, title: title.trim() })) setOpen(false);
  }

  return (
    <section class="panel buyer" aria-labelledby="buyer-title">
      <h2 id="buyer-title">{t('buyer.title')}</h2>
      {order.buyer
        ? <p data-testid="buyer">{order.buyer.title}<br /><span class="muted">{t('buyer.taxId')} {order.buyer.tax_id}</span></p>
        : <p class="muted">{t('buyer.none')}</p>}
      {canEdit && !open && (
        <button type="button" class="button-secondary" disabled={busy} onClick={() => setOpen(true)}>
          {order.buyer ? t('buyer.change') : t('buyer.add')}
        </button>
      )}
      {canEdit && open && (
        <form class="form" noValidate onSubmit={(event) => void save(event)}>
          <p class="muted">{t('buyer.lead')}</p>
          <Field id="buyer-tax-id" label={t('buyer.taxId')} value={taxId} inputMode="numeric" maxLength={8}
            autoComplete="off" onValue={(value) => setTaxId(value.replace(/\D/g, '').slice(0, 8))}
            aria-invalid={typedBad} hint={typedBad ? t('buyer.badTaxId') : undefined} />
          <Field id="buyer-name" label={t('buyer.name')} value={title} onValue={setTitle} autoComplete="organization" />
          <div class="button-row">
            <button type="submit" disabled={busy || !validTaxId(taxId) || !title.trim()}>{t('buyer.save')}</button>
            {order.buyer && (
              <button type="button" class="button-secondary" disabled={busy}
                onClick={() => void onSave(null).then((saved) => saved && setOpen(false))}>{t('buyer.remove')}</button>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

/** Work a technician does: never a discount or a part the customer brought. */
const isJob = (line: Line) => line.kind === 'labour' || (line.kind === 'part' && !line.customer_supplied);

/** 派工: the chosen jobs (by default those nobody has yet) to a technician; another tap re-dispatches. */
function Dispatch({ order, busy, onDispatch }: { order: Order; busy: boolean; onDispatch: (technicianId: string, lineIds: string[]) => void }) {
  const [technicians, setTechnicians] = useState<Staff[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = order.lines.filter((line) => isJob(line) && line.state !== 'declined' && line.state !== 'done');
  const [chosen, setChosen] = useState<string[]>(() => open.filter((line) => !line.technician_id).map((line) => line.line_id));
  useEffect(() => {
    listStaff().then(
      (answer) => setTechnicians(answer.staff.filter((s) => s.role === 'technician' && s.active !== false)),
      (failure: unknown) => setError(errorText(failure)),
    );
  }, []);
  if (open.length === 0) return null;
  const toggle = (lineId: string) =>
    setChosen((current) => (current.includes(lineId) ? current.filter((id) => id !== lineId) : [...current, lineId]));
  return (
    <section class="panel" aria-labelledby="dispatch-title">
      <h2 id="dispatch-title">{t('order.dispatch')}</h2>
      {error && <Notice>{error}</Notice>}
      {technicians && technicians.length === 0 && <p class="muted">{t('order.noTechnicians')}</p>}
      {technicians && technicians.length > 0 && (
        <>
          <p class="muted">{t('order.dispatchLead')}</p>
          <ul class="dispatch-lines">
            {open.map((line) => (
              <li key={line.line_id}>
                <label class="check">
                  <input type="checkbox" checked={chosen.includes(line.line_id)} onChange={() => toggle(line.line_id)} />
                  <span>{line.description}<span class="muted">{line.technician_name ? ` · ${line.technician_name}` : ` · ${t('board.noTechnician')}`}</span></span>
                </label>
              </li>
            ))}
          </ul>
          <div class="button-row">
            {technicians.map((tech) => (
              <button type="button" key={tech.staff_id} class="button-secondary" disabled={busy || chosen.length === 0}
                onClick={() => onDispatch(tech.staff_id, chosen)}>
                {tech.name}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

type Drafts = Partial<Record<DocumentKind, SignableDocument>>;

/** What the server says of the order's signed documents (docs/api.md, Order: integrity, sign_again). */
type Reason = Bilingual & { code: string };
type Checked = Order & {
  integrity?: { ok: boolean; problems?: (Reason & { signature_id: string; kind: DocumentKind; version: number })[] };
  sign_again?: Partial<Record<DocumentKind, Reason>>;
};

/** The signed documents no longer match the order as stored (changed outside the app): the owner must look. */
function IntegrityAlert({ order }: { order: Checked }) {
  const problems = order.integrity?.ok === false ? order.integrity.problems ?? [] : [];
  if (problems.length === 0) return null;
  return (
    <div class="notice notice-error integrity-alert" role="alert" data-testid="integrity-alert">
      <strong>{t('doc.integrityTitle')}</strong>
      <ul>
        {problems.map((problem, i) => (
          <li key={i}>{t(`doc.kind.${problem.kind}`)} · {tf('doc.version', { version: problem.version })}：{pick(problem)}</li>
        ))}
      </ul>
      <span>{t('doc.integrityLead')}</span>
    </div>
  );
}

/**
 * Each document's draft as the server would have it signed now (signable, or why not), read
 * again whenever the order changes. A kind that cannot be read (no network) is left out.
 */
function useDrafts(order: Order | null): Drafts {
  const [drafts, setDrafts] = useState<Drafts>({});
  const orderId = order?.order_id, version = order?.updated_at;
  useEffect(() => {
    if (!orderId) return;
    let current = true;
    void Promise.all(DOCUMENT_KINDS.map((kind) => getDocument(orderId, kind).then((draft) => [kind, draft] as const, () => null)))
      .then((answers) => {
        if (current) setDrafts(Object.fromEntries(answers.filter((answer) => answer !== null)));
      });
    return () => { current = false; };
  }, [orderId, version]);
  return drafts;
}

/** The language of the screen, for the API's `{zh, en}` texts. */
const pick = (text: { zh: string; en: string }) => (locale.value === 'en' ? text.en : text.zh);

/**
 * The signed documents (委修確認單, 追加估價單, 結帳清單): who signed which version when, the
 * PDF to download or print, and what the documents need from the advisor first: the customer's
 * wish for the old parts (before authorization) and the road test (before checkout).
 */
function Documents({ order, drafts, canEdit, busy, change }: {
  order: Checked; drafts: Drafts; canEdit: boolean; busy: boolean;
  change: (write: () => Promise<WriteOutcome<Order>>, report?: (message: string) => void) => Promise<boolean>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [printHint, setPrintHint] = useState<string | null>(null);

  const signatures = order.signatures ?? [];
  const closed = ['delivered', 'followed_up', 'cancelled'].includes(order.state);
  // What a signed document covers cannot change (the server refuses with 409 document_signed).
  const oldPartsFixed = Boolean(order.signed?.authorization || order.signed?.checkout);

  async function withPdf(signatureId: string, use: (url: string) => void, failed: () => void = () => undefined) {
    setWorking(true);
    setError(null);
    try {
      use((await signedPdf(order.order_id, signatureId)).url);
    } catch (failure) {
      failed();
      setError(errorText(failure));
    } finally {
      setWorking(false);
    }
  }

  function download(signatureId: string) {
    setLink(null);
    // Opened within the tap, or Safari blocks it; pointed at the PDF once the link is known.
    const win = window.open('', '_blank');
    if (win) win.opener = null;
    void withPdf(signatureId, (url) => {
      if (win) win.location.href = url;
      else setLink(url); // blocked anyway: a link to tap
    }, () => win?.close());
  }

  function print(signatureId: string) {
    setPrintHint(null);
    if (!printsInPage()) {
      download(signatureId); // within the tap: the system's PDF viewer prints it
      setPrintHint(t('doc.printInViewer'));
      return;
    }
    setWorking(true);
    setError(null);
    setLink(null);
    void signedPdfBytes(order.order_id, signatureId).then(printPdf)
      .catch((failure: unknown) => {
        if (!(failure instanceof PrintRefused)) return setError(errorText(failure));
        // The browser would not print the frame: a link to open the PDF and print it from its viewer.
        setPrintHint(t('doc.printFailed'));
        return withPdf(signatureId, setLink);
      })
      .finally(() => setWorking(false));
  }

  function revise(kind: DocumentKind) {
    if (!confirm(tf('doc.reviseConfirm', { title: t(`doc.kind.${kind}`) }))) return;
    void write(() => reviseDocument(order.order_id, kind));
  }

  /** A change from this panel: a refusal is shown here. */
  const write = (w: () => Promise<WriteOutcome<Order>>) => {
    setError(null);
    return change(w, setError);
  };

  const revisable = (kind: DocumentKind) => canEdit &&
    ((kind === 'authorization' && order.state === 'checked_in') || (kind === 'checkout' && order.state === 'ready'));

  return (
    <section class="panel documents" aria-labelledby="documents-title">
      <h2 id="documents-title">{t('doc.title')}</h2>
      <div class="document-fields">
        {canEdit && !closed && !oldPartsFixed ? (
          <Choice label={t('oldParts.label')} value={order.old_parts ?? 'decide_at_delivery'}
            onChange={(value: OldParts) => void write(() => setOldParts(order.order_id, value))}
            options={OLD_PARTS.map((value) => ({ value, label: t(`oldParts.${value}`) }))} />
        ) : (
          <p class="document-fact" data-testid="old-parts">
            <span class="document-fact-label">{t('oldParts.label')}</span>
            <span>{t(`oldParts.${order.old_parts ?? 'decide_at_delivery'}`)}</span>
          </p>
        )}
        {order.road_test && (
          <p class="document-fact">
            <span class="document-fact-label">{t('sign.roadTest')}</span>
            <span>{order.road_test.done ? t('roadTest.done') : t('sign.roadTestNotDone')}{order.road_test.note ? `（${order.road_test.note}）` : ''}</span>
          </p>
        )}
      </div>
      <ul class="document-list">
        <li class="document" data-kind="inspection">
          <div class="document-head">
            <span class="document-title">{t('paper.inspection')}</span>
          </div>
          <PaperButtons label={t('doc.pdf')} make={() => inspectionPdf(order.order_id)} testId="paper-inspection" />
        </li>
        {DOCUMENT_KINDS.map((kind) => {
          const signed = signatures.filter((signature) => signature.kind === kind).reverse();
          const draft = drafts[kind];
          const current = signed.find((signature) => !signature.superseded_at);
          const again = closed ? undefined : order.sign_again?.[kind];
          return (
            <li key={kind} class="document" data-kind={kind}>
              <div class="document-head">
                <span class="document-title">{t(`doc.kind.${kind}`)}</span>
                <span class={current && !again ? 'tag tag-ok' : 'tag'}>
                  {again ? t('doc.signAgain') : current ? t('doc.signed') : draft?.signable ? t('doc.ready') : t('doc.notSigned')}
                </span>
              </div>
              {again && <Notice>{pick(again)}</Notice>}
              {!current && draft && !draft.signable && draft.reason && <p class="muted">{pick(draft.reason)}</p>}
              {signed.map((signature) => (
                <SignedRow key={signature.signature_id} signature={signature} busy={working}
                  onPdf={() => download(signature.signature_id)} onPrint={() => print(signature.signature_id)} />
              ))}
              {!current && draft && !closed && (
                <PaperButtons label={t('paper.draft')} make={() => draftPdf(order.order_id, kind)} testId={`draft-${kind}`} />
              )}
              {current && revisable(kind) && (
                <button type="button" class="button-link" disabled={busy} onClick={() => revise(kind)}>{t('doc.revise')}</button>
              )}
            </li>
          );
        })}
      </ul>
      {printHint && <Notice tone="info">{printHint}</Notice>}
      {link && <p><a href={link} target="_blank" rel="noopener">{t('doc.openPdf')}</a></p>}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}

function SignedRow({ signature, busy, onPdf, onPrint }: {
  signature: Signature; busy: boolean; onPdf: () => void; onPrint: () => void;
}) {
  const superseded = Boolean(signature.superseded_at);
  return (
    <div class={superseded ? 'signed signed-superseded' : 'signed'} data-testid={`signature-${signature.kind}`}>
      <p class="signed-text">
        <span class="nowrap">{tf('doc.signedBy', { name: signature.signer_name })}</span>{' · '}
        <span class="nowrap">{formatDateTime(signature.signed_at)}</span>{' · '}
        <span class="nowrap">{tf('doc.version', { version: signature.version })}</span>
        <span class="muted nowrap"> · {signature.witness ? tf('doc.witness', { name: signature.witness.name }) : t('doc.remote')}</span>
        {superseded && <span class="signed-superseded-note"> · {tf('doc.superseded', { time: formatDateTime(signature.superseded_at!) })}</span>}
      </p>
      <div class="button-row">
        <button type="button" class="button-secondary" disabled={busy} onClick={onPdf}>{t('doc.pdf')}</button>
        <button type="button" class="button-secondary" disabled={busy} onClick={onPrint}>{t('doc.print')}</button>
      </div>
    </div>
  );
}

/** One of the order's photos for a line, so the customer sees why (a worn pad, a cracked belt). */
function PhotoPick({ orderId, value, onChange }: { orderId: string; value: string; onChange: (photoId: string) => void }) {
  const [photos, setPhotos] = useState<Photo[] | null>(null);
  useEffect(() => {
    orderPhotos(orderId).then((answer) => setPhotos(answer.photos), () => setPhotos([]));
  }, [orderId]);
  if (!photos?.length) return null; // none taken yet, or offline: the line goes without
  return (
    <fieldset class="photo-pick">
      <legend class="field-label">{t('line.photo')}</legend>
      <label class={value === '' ? 'photo-picked' : ''}>
        <input type="radio" name="line-photo" checked={value === ''} onChange={() => onChange('')} />
        <span class="photo-none">{t('line.noPhoto')}</span>
      </label>
      {photos.map((photo) => (
        <label key={photo.photo_id} class={value === photo.photo_id ? 'photo-picked' : ''}>
          <input type="radio" name="line-photo" checked={value === photo.photo_id} onChange={() => onChange(photo.photo_id)} />
          <img src={photo.thumb_url} alt={photoName(photo.subject)} width={96} height={72} loading="lazy" />
        </label>
      ))}
    </fieldset>
  );
}
