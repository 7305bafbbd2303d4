// The order's checkout (結帳) on its screen: what is due, what was taken and how, a sheet per
// payment method, refunds for a manager, and the 電子發票 (InvoiceSection.tsx).
import { useRef, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { session } from '../../data/client';
import {
  balanceOf, CHECKOUT_STATES, changeDue, cashSuggestions, DEPOSIT_STATES, PAY_METHODS, refundPayment, releaseUnpaid,
  takePayment, type PayMethod, type Payment,
} from '../../data/checkout';
import { formatDateTime, formatMoney, newId } from '../../data/format';
import type { WriteOutcome } from '../../data/queue';
import type { Order } from '../../data/types';
import { Choice } from '../Choice';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import { InvoiceSection } from './InvoiceSection';
import './checkout.css';

export type Change = (write: () => Promise<WriteOutcome<Order>>, report?: (message: string) => void) => Promise<boolean>;

export const isManager = () => ['owner', 'manager'].includes(session.value?.staff.role ?? '');

/** Whether the order screen shows the checkout: from `ready` on, a deposit at authorization, or
 * whenever money was taken. */
export function showsCheckout(order: Order): boolean {
  return CHECKOUT_STATES.includes(order.state) || DEPOSIT_STATES.includes(order.state) || (order.payments?.length ?? 0) > 0;
}

type Sheet = { method: PayMethod; kind: 'payment' | 'deposit'; opening: number };

export function CheckoutPanel({ order, busy, change }: { order: Order; busy: boolean; change: Change }) {
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [choosingDeposit, setChoosingDeposit] = useState(false);
  const [refunding, setRefunding] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const openings = useRef(0);
  const due = balanceOf(order);
  const atCounter = CHECKOUT_STATES.includes(order.state);
  const depositTime = DEPOSIT_STATES.includes(order.state);
  const payments = order.payments ?? [];
  const manager = isManager();
  const refundable = PAY_METHODS.filter((method) => (order.paid?.methods[method] ?? 0) > 0);

  function open(method: PayMethod, kind: Sheet['kind']) {
    openings.current += 1;
    setNote(null);
    setChoosingDeposit(false);
    setSheet({ method, kind, opening: openings.current }); // a new client id with each opening
  }

  return (
    <section class="panel checkout" aria-labelledby="checkout-title" data-testid="checkout">
      <h2 id="checkout-title">{atCounter || !depositTime ? t('pay.title') : t('pay.depositTitle')}</h2>
      <dl class="checkout-sums">
        <div><dt>{t('pay.total')}</dt><dd data-testid="pay-total">{formatMoney(order.totals.total)}</dd></div>
        <div><dt>{t('pay.paid')}</dt><dd data-testid="pay-paid">{formatMoney(order.paid?.paid ?? 0)}</dd></div>
        <div class={due > 0 ? 'checkout-due' : 'checkout-due checkout-due-none'}>
          <dt>{t('pay.balance')}</dt>
          <dd data-testid="pay-balance">{formatMoney(Math.max(due, 0))}</dd>
        </div>
      </dl>
      {due <= 0 && payments.length > 0 && (
        <p class="tag tag-ok checkout-settled" data-testid="pay-settled">{due < 0 ? tf('pay.over', { amount: formatMoney(-due) }) : t('pay.settled')}</p>
      )}
      {(order.paid?.deposit ?? 0) > 0 && <p class="muted">{tf('pay.depositHeld', { amount: formatMoney(order.paid!.deposit) })}</p>}
      {order.unpaid_release && (
        <Notice tone="info">{tf('pay.released', { reason: order.unpaid_release.reason, name: order.unpaid_release.by.name })}</Notice>
      )}

      <PaymentList payments={payments} />

      {sheet ? (
        <PaySheet key={sheet.opening} order={order} method={sheet.method} kind={sheet.kind} change={change}
          onDone={(amount, queued) => { setSheet(null); setNote(queued ? t('pay.queued') : tf('pay.taken', { amount: formatMoney(amount) })); }}
          onCancel={() => setSheet(null)} />
      ) : (
        <>
          {atCounter && due > 0 && (
            <div class="pay-methods" role="group" aria-label={t('pay.takeWith')}>
              {PAY_METHODS.map((method) => (
                <button key={method} type="button" class={`button-secondary pay-method pay-method-${method}`} disabled={busy}
                  onClick={() => open(method, 'payment')}>{t(`pay.method.${method}`)}</button>
              ))}
            </div>
          )}
          {depositTime && due > 0 && !choosingDeposit && (
            <button type="button" class="button-primary" disabled={busy} onClick={() => setChoosingDeposit(true)}>{t('pay.deposit')}</button>
          )}
          {depositTime && choosingDeposit && (
            <div class="pay-methods" role="group" aria-label={t('pay.deposit')}>
              {PAY_METHODS.filter((method) => method !== 'monthly').map((method) => (
                <button key={method} type="button" class="button-secondary pay-method" disabled={busy}
                  onClick={() => open(method, 'deposit')}>{t(`pay.method.${method}`)}</button>
              ))}
              <button type="button" class="button-link" onClick={() => setChoosingDeposit(false)}>{t('pay.cancel')}</button>
            </div>
          )}
        </>
      )}
      {note && <Notice tone="ok">{note}</Notice>}

      {manager && refundable.length > 0 && !sheet && (
        refunding
          ? <RefundForm order={order} methods={refundable} busy={busy} change={change} onClose={() => setRefunding(false)} />
          : <button type="button" class="button-danger checkout-refund" disabled={busy} onClick={() => setRefunding(true)}>{t('pay.refund')}</button>
      )}

      {atCounter && <InvoiceSection order={order} busy={busy} change={change} manager={manager} />}
    </section>
  );
}

function PaymentList({ payments }: { payments: Payment[] }) {
  if (payments.length === 0) return <p class="muted">{t('pay.none')}</p>;
  return (
    <ul class="payments" aria-label={t('pay.list')}>
      {payments.map((payment) => (
        <li key={payment.payment_id} class={`payment payment-${payment.kind}`} data-testid="payment">
          <span class="payment-method">
            {t(`pay.method.${payment.method}`)}
            {payment.kind !== 'payment' && <span class="tag payment-kind">{t(`pay.kind.${payment.kind}`)}</span>}
          </span>
          <span class="payment-amount">{formatMoney(payment.amount)}</span>
          <span class="payment-meta muted">
            {formatDateTime(payment.at)} · {tf('pay.by', { name: payment.by.name })}
            {payment.received !== undefined && ` · ${t('pay.received')} ${formatMoney(payment.received)} · ${t('pay.change')} ${formatMoney(payment.change ?? 0)}`}
            {payment.reference && ` · ${payment.reference}`}
            {payment.reason && ` · ${payment.reason}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The reference a non-cash payment may carry, by method (none for 月結). */
function referenceLabel(method: PayMethod): string | null {
  if (method === 'card') return t('pay.reference.card');
  if (method === 'transfer') return t('pay.reference.transfer');
  if (method === 'line_pay' || method === 'jko') return t('pay.reference.wallet');
  return null;
}

/**
 * One payment: the amount (the balance, editable); for cash what was handed over, with quick
 * buttons and the change shown big; for the others a reference. Its client id is made when the
 * sheet opens: a second tap, or the queue's replay, is the same payment.
 */
function PaySheet({ order, method, kind, change, onDone, onCancel }: {
  order: Order; method: PayMethod; kind: 'payment' | 'deposit'; change: Change;
  onDone: (amount: number, queued: boolean) => void; onCancel: () => void;
}) {
  const [clientId] = useState(newId);
  const due = balanceOf(order);
  const [amountText, setAmountText] = useState(due > 0 ? String(due) : '');
  const [receivedText, setReceivedText] = useState('');
  const [reference, setReference] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const inFlight = useRef(false);

  const amount = wholeNumber(amountText);
  const amountOk = amount !== undefined && Number.isInteger(amount) && amount > 0;
  const over = amountOk && amount > due;
  const received = method === 'cash' ? wholeNumber(receivedText) : undefined;
  const receivedOk = received === undefined || (Number.isInteger(received) && amountOk && received >= amount);
  const changeBack = amountOk && received !== undefined ? changeDue(amount, received) : null;
  const label = referenceLabel(method);
  const title = tf(kind === 'deposit' ? 'pay.depositSheetTitle' : 'pay.sheetTitle', { method: t(`pay.method.${method}`) });

  async function submit(event: Event) {
    event.preventDefault();
    if (inFlight.current || !amountOk || over || !receivedOk) return; // one send per tap, however fast
    inFlight.current = true;
    setSending(true);
    setError(null);
    let queued = false;
    const ok = await change(async () => {
      const outcome = await takePayment(order.order_id, clientId, {
        kind, method, amount,
        ...(received !== undefined ? { received } : {}),
        ...(label && reference.trim() ? { reference: reference.trim() } : {}),
      });
      queued = !outcome.sent;
      return outcome;
    }, setError);
    inFlight.current = false;
    setSending(false);
    if (ok) onDone(amount, queued);
  }

  return (
    <form class={`form pay-sheet pay-sheet-${method}`} noValidate onSubmit={(event) => void submit(event)} aria-label={title} data-testid="pay-sheet">
      <h3 class="pay-sheet-title">{title}</h3>
      <Field id="pay-amount" label={t('pay.amount')} value={amountText} inputMode="numeric" autoComplete="off"
        onValue={(value) => setAmountText(value.replace(/[^\d]/g, ''))}
        hint={amountText && !amountOk ? t('pay.amountBad') : over ? tf('pay.amountOver', { amount: formatMoney(due) }) : undefined} />
      {method === 'cash' && (
        <>
          <Field id="pay-received" label={t('pay.received')} value={receivedText} inputMode="numeric" autoComplete="off"
            onValue={(value) => setReceivedText(value.replace(/[^\d]/g, ''))} />
          {amountOk && (
            <div class="choice pay-quick" role="group" aria-label={t('pay.received')}>
              {cashSuggestions(amount).map((value, i) => (
                <button key={value} type="button" class="choice-option" aria-pressed={received === value}
                  onClick={() => setReceivedText(String(value))}>
                  {i === 0 ? t('pay.exact') : formatMoney(value)}
                </button>
              ))}
            </div>
          )}
          {changeBack !== null && (
            <p class="pay-change" data-testid="pay-change" aria-live="polite">
              <span>{t('pay.change')}</span><strong>{formatMoney(changeBack)}</strong>
            </p>
          )}
          {amountOk && received !== undefined && changeBack === null && (
            <Notice tone="info">{tf('pay.short', { amount: formatMoney(amount - received) })}</Notice>
          )}
        </>
      )}
      {label && (
        <Field id="pay-reference" label={label} hint={t('pay.referenceHint')} value={reference} autoComplete="off"
          inputMode={method === 'card' || method === 'transfer' ? 'numeric' : 'text'} maxLength={40} onValue={setReference} />
      )}
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary pay-confirm" disabled={sending || !amountOk || over || !receivedOk}>
          {tf('pay.confirm', { amount: amountOk ? formatMoney(amount) : '' })}
        </button>
        <button type="button" class="button-secondary" disabled={sending} onClick={onCancel}>{t('pay.cancel')}</button>
      </div>
    </form>
  );
}

/** Money given back (owner, manager): by a method money was taken with, with the reason. */
function RefundForm({ order, methods, busy, change, onClose }: {
  order: Order; methods: PayMethod[]; busy: boolean; change: Change; onClose: () => void;
}) {
  const [clientId] = useState(newId);
  const [method, setMethod] = useState<PayMethod>(methods[0]!);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const amount = wholeNumber(amountText);
  const ready = amount !== undefined && Number.isInteger(amount) && amount > 0 && reason.trim() !== '';

  async function submit(event: Event) {
    event.preventDefault();
    if (!ready || !confirm(tf('pay.refundAsk', { method: t(`pay.method.${method}`), amount: formatMoney(amount) }))) return;
    setError(null);
    if (await change(() => refundPayment(order.order_id, clientId, { method, amount, reason: reason.trim() }), setError)) onClose();
  }

  return (
    <form class="form pay-sheet" noValidate onSubmit={(event) => void submit(event)} aria-label={t('pay.refundTitle')}>
      <h3 class="pay-sheet-title">{t('pay.refundTitle')}</h3>
      <Choice label={t('pay.refundMethod')} value={method} onChange={setMethod}
        options={methods.map((value) => ({ value, label: `${t(`pay.method.${value}`)} ${formatMoney(order.paid?.methods[value] ?? 0)}` }))} />
      <Field id="refund-amount" label={t('pay.refundAmount')} value={amountText} inputMode="numeric" autoComplete="off"
        onValue={(value) => setAmountText(value.replace(/[^\d]/g, ''))} />
      <Field id="refund-reason" label={t('pay.reason')} value={reason} onValue={setReason} maxLength={200} autoComplete="off" />
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-danger" disabled={busy || !ready}>{tf('pay.refundConfirm', { amount: ready ? formatMoney(amount) : '' })}</button>
        <button type="button" class="button-secondary" onClick={onClose}>{t('pay.cancel')}</button>
      </div>
    </form>
  );
}

/**
 * 未收款放行: a manager lets the car leave before it is paid, with the reason kept on the order;
 * offered once the delivery was refused for the balance.
 */
export function UnpaidRelease({ order, busy, change }: { order: Order; busy: boolean; change: Change }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (!isManager() || order.unpaid_release || balanceOf(order) <= 0) return null;
  if (!open) {
    return <button type="button" class="button-danger" disabled={busy} onClick={() => setOpen(true)}>{t('pay.release')}</button>;
  }
  async function submit(event: Event) {
    event.preventDefault();
    if (!reason.trim()) return setError(t('pay.releaseNeedsReason'));
    setError(null);
    if (await change(() => releaseUnpaid(order.order_id, reason.trim()), setError)) setOpen(false);
  }
  return (
    <form class="form pay-sheet" noValidate onSubmit={(event) => void submit(event)} aria-label={t('pay.release')}>
      <p class="muted">{t('pay.releaseLead')}</p>
      <Field id="release-reason" label={t('pay.reason')} value={reason} onValue={setReason} maxLength={200} autoComplete="off" />
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-danger" disabled={busy}>{t('pay.releaseConfirm')}</button>
        <button type="button" class="button-secondary" onClick={() => setOpen(false)}>{t('pay.cancel')}</button>
      </div>
    </form>
  );
}
