// The order's 電子發票 in its checkout: who it goes to (a person's carrier, a donation, paper, or
// a company's 統一編號), when it is issued (when paid, or now), what the value-added centre did
// with it, and a manager's void (作廢) and allowance (折讓).
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  allowInvoice, balanceOf, choiceFrom, chooseInvoice, formatInvoiceNumber, invoiceBody, invoiceProof, invoiceView,
  normaliseCarrier, refusedField, resendInvoice, voidInvoice, type ChoiceField, type Invoice, type InvoiceChoice,
  type InvoiceTo, type PersonWay,
} from '../../data/checkout';
import { formatDateTime, formatMoney, newId } from '../../data/format';
import { ApiError } from '../../data/http';
import type { Order } from '../../data/types';
import { Choice } from '../Choice';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import { PaperButtons } from '../PaperButtons';
import type { Change } from './CheckoutPanel';

const WAYS: readonly PersonWay[] = ['mobile', 'certificate', 'donation', 'paper'];

/** Who the kept choice sends the invoice to, in words. */
function toText(to: InvoiceTo): string {
  if (to.tax_id) return tf('invoice.to.company', { title: to.title ?? '', taxId: to.tax_id });
  if (to.carrier_type) return tf(`invoice.to.${to.carrier_type}`, { number: to.carrier_number ?? '' });
  if (to.donation_code) return tf('invoice.to.donation', { code: to.donation_code });
  return t('invoice.to.paper');
}

/** An answer of a call that goes straight to the API (the centre answers now), as the screen's change takes it. */
const now = (call: () => Promise<Order>) => () => call().then((body) => ({ sent: true as const, body }));

export function InvoiceSection({ order, busy, change, manager }: { order: Order; busy: boolean; change: Change; manager: boolean }) {
  const view = invoiceView(order);
  const [editing, setEditing] = useState(0); // the form's opening (0: closed)
  const [error, setError] = useState<string | null>(null);
  const live = view.kind === 'queued' || view.kind === 'waiting' || view.kind === 'issued';
  // Chosen before it is paid: issued when paid (after a void or a refusal, the form again).
  const planned = view.kind === 'none' && Boolean(order.invoice_to);
  const openForm = () => setEditing((n) => n + 1);

  function issueNow() {
    setError(null);
    const { client_id: _kept, ...to } = order.invoice_to!;
    void change(() => chooseInvoice(order.order_id, newId(), { ...to, when: 'now' }), setError);
  }

  return (
    <div class="invoice" data-testid="invoice" data-state={view.kind}>
      <h3 class="invoice-title">{t('invoice.title')}
        {view.kind !== 'none' && <span class={`tag invoice-state invoice-state-${view.kind}`} data-testid="invoice-state">{t(`invoice.state.${view.kind}`)}</span>}
      </h3>

      {view.kind === 'waiting' && (
        <>
          <Notice tone="info">{t('invoice.waitingLead')}</Notice>
          <button type="button" class="button-primary" disabled={busy}
            onClick={() => { setError(null); void change(now(() => resendInvoice(order.order_id)), setError); }}>{t('invoice.resend')}</button>
        </>
      )}
      {live && <InvoiceFacts invoice={view.invoice} />}
      {live && order.invoice_to && <p class="muted">{toText(order.invoice_to)}</p>}
      {/* A carrier's or a donated invoice has no paper proof (the API: 409 not_printed). */}
      {view.kind === 'issued' && !view.invoice.carrier && !view.invoice.donation_code && <PaperButtons label={t('invoice.proof')} make={() => invoiceProof(order.order_id)} testId="invoice-proof" />}
      {view.kind === 'issued' && manager && <ManagerActions order={order} invoice={view.invoice} busy={busy} change={change} />}
      {view.kind === 'refused' && (
        <Notice>{tf('invoice.refusedLead', { message: view.invoice.last_error?.message ?? '' })} {t('invoice.refusedAgain')}</Notice>
      )}
      {view.kind === 'voided' && view.invoice.voided && (
        <p class="muted" data-testid="invoice-voided">{tf('invoice.voidedAt', {
          number: formatInvoiceNumber(view.invoice.number ?? ''), time: formatDateTime(view.invoice.voided.at), reason: view.invoice.voided.reason })}</p>
      )}

      {!live && (planned && !editing ? (
        <div class="invoice-planned">
          <p data-testid="invoice-planned">{tf('invoice.planned', { to: toText(order.invoice_to!) })}</p>
          <div class="button-row">
            <button type="button" class="button-secondary" disabled={busy} onClick={openForm}>{t('invoice.change')}</button>
            <button type="button" class="button-secondary" disabled={busy} onClick={issueNow}>{t('invoice.issueNow')}</button>
          </div>
        </div>
      ) : (
        <InvoiceForm key={editing} order={order} busy={busy} change={change}
          onSaved={() => setEditing(0)} onCancel={planned ? () => setEditing(0) : undefined} />
      ))}
      {error && <Notice>{error}</Notice>}
      <Changes order={order} />
    </div>
  );
}

function InvoiceFacts({ invoice }: { invoice: Invoice }) {
  return (
    <dl class="invoice-facts">
      {invoice.number && (<><dt>{t('invoice.number')}</dt><dd class="invoice-number" data-testid="invoice-number">{formatInvoiceNumber(invoice.number)}</dd></>)}
      {invoice.random_code && (<><dt>{t('invoice.random')}</dt><dd data-testid="invoice-random">{invoice.random_code}</dd></>)}
      {invoice.issued_at && (<><dt>{t('invoice.date')}</dt><dd>{formatDateTime(invoice.issued_at)}</dd></>)}
      <dt>{t('invoice.amount')}</dt><dd>{formatMoney(invoice.total)}</dd>
      {(invoice.allowed ?? 0) > 0 && (<><dt>{t('invoice.allowed')}</dt><dd data-testid="invoice-allowed">{formatMoney(invoice.allowed!)}</dd></>)}
    </dl>
  );
}

/**
 * What the invoice is to be: 個人 (手機條碼, 自然人憑證, 捐贈, 紙本) or 公司 (統一編號 and 抬頭),
 * filled from the last choice or the order's buyer. The format of a carrier or code is checked
 * here; the 統一編號's check digit by the API, whose 422 is shown by its field.
 */
function InvoiceForm({ order, busy, change, onSaved, onCancel }: {
  order: Order; busy: boolean; change: Change; onSaved: () => void; onCancel?: () => void;
}) {
  const [clientId] = useState(newId);
  const [choice, setChoice] = useState<InvoiceChoice>(() => choiceFrom(order));
  const [problem, setProblem] = useState<{ field: ChoiceField; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const paid = balanceOf(order) <= 0;
  const set = (patch: Partial<InvoiceChoice>) => { setChoice((now) => ({ ...now, ...patch })); setProblem(null); };
  const hint = (field: ChoiceField, fallback?: string) => (problem?.field === field ? problem.message : fallback);

  async function submit(when: 'paid' | 'now') {
    setError(null);
    const checked = invoiceBody(choice, when);
    if ('problem' in checked) return setProblem({ field: checked.field, message: t(`invoice.problem.${checked.problem}`) });
    let refused: unknown = null;
    const saved = await change(async () => {
      try {
        return await chooseInvoice(order.order_id, clientId, checked.body);
      } catch (failure) {
        refused = failure;
        throw failure;
      }
    }, (message) => {
      if (refused instanceof ApiError && refused.status === 422) setProblem({ field: refusedField(choice, message), message });
      else setError(message);
    });
    if (saved) onSaved();
  }

  const company = choice.buyer === 'company';
  return (
    <form class="form invoice-form" noValidate aria-label={t('invoice.title')} onSubmit={(event) => { event.preventDefault(); void submit(paid ? 'now' : 'paid'); }}>
      <Choice label={t('invoice.buyer')} value={choice.buyer} onChange={(buyer) => set({ buyer })}
        options={[{ value: 'person', label: t('invoice.person') }, { value: 'company', label: t('invoice.company') }]} />
      {company ? (
        <div class="field-row">
          <InvoiceField id="invoice-tax-id" label={t('invoice.taxId')} value={choice.taxId} inputMode="numeric" maxLength={8}
            onValue={(value) => set({ taxId: value.replace(/\D/g, '').slice(0, 8) })} problem={hint('taxId')} />
          <InvoiceField id="invoice-company" label={t('invoice.titleField')} value={choice.title} maxLength={60}
            autoComplete="organization" onValue={(title) => set({ title })} problem={hint('title')} />
        </div>
      ) : (
        <>
          <Choice label={t('invoice.way')} value={choice.way} onChange={(way) => set({ way })}
            options={WAYS.map((value) => ({ value, label: t(`invoice.way.${value}`) }))} />
          {(choice.way === 'mobile' || choice.way === 'certificate') && (
            <InvoiceField id="invoice-carrier" label={t(choice.way === 'mobile' ? 'invoice.carrier' : 'invoice.certificate')}
              value={choice.carrier} autoCapitalize="characters" maxLength={choice.way === 'mobile' ? 8 : 16}
              onValue={(value) => set({ carrier: normaliseCarrier(value) })}
              problem={hint('carrier')} hint={t(choice.way === 'mobile' ? 'invoice.carrierHint' : 'invoice.certificateHint')} />
          )}
          {choice.way === 'donation' && (
            <InvoiceField id="invoice-donation" label={t('invoice.donation')} value={choice.donation} inputMode="numeric" maxLength={7}
              onValue={(value) => set({ donation: value.replace(/\D/g, '') })} problem={hint('donation')} hint={t('invoice.donationHint')} />
          )}
        </>
      )}
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        {paid ? (
          <button type="submit" class="button-primary" disabled={busy}>{t('invoice.issue')}</button>
        ) : (
          <>
            <button type="submit" class="button-primary" disabled={busy}>{t('invoice.saveWhenPaid')}</button>
            <button type="button" class="button-secondary" disabled={busy} onClick={() => void submit('now')}>{t('invoice.issueNow')}</button>
          </>
        )}
        {onCancel && <button type="button" class="button-link" onClick={onCancel}>{t('invoice.keep')}</button>}
      </div>
    </form>
  );
}

/** A field with its format hint, or what is wrong with it (ours or the API's) in its place. */
function InvoiceField({ problem, hint, ...field }: Parameters<typeof Field>[0] & { problem?: string }) {
  return (
    <div class={problem ? 'invoice-field invoice-field-bad' : 'invoice-field'}>
      <Field {...field} hint={problem ?? hint} aria-invalid={problem ? 'true' : undefined} />
    </div>
  );
}

/** 作廢 and 折讓 (owner, manager): each with its reason; the void asked once more. */
function ManagerActions({ order, invoice, busy, change }: { order: Order; invoice: Invoice; busy: boolean; change: Change }) {
  const [open, setOpen] = useState<'void' | 'allowance' | null>(null);
  const [opening, setOpening] = useState(0);
  const start = (what: 'void' | 'allowance') => { setOpen(what); setOpening((n) => n + 1); };
  if (!open) {
    return (
      <div class="button-row invoice-manager">
        <button type="button" class="button-danger" disabled={busy} onClick={() => start('void')}>{t('invoice.void')}</button>
        <button type="button" class="button-secondary" disabled={busy} onClick={() => start('allowance')}>{t('invoice.allowance')}</button>
      </div>
    );
  }
  return <InvoiceChangeForm key={opening} kind={open} order={order} invoice={invoice} busy={busy} change={change} onClose={() => setOpen(null)} />;
}

function InvoiceChangeForm({ kind, order, invoice, busy, change, onClose }: {
  kind: 'void' | 'allowance'; order: Order; invoice: Invoice; busy: boolean; change: Change; onClose: () => void;
}) {
  const [clientId] = useState(newId);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const amount = wholeNumber(amountText);
  const amountOk = kind === 'void' || (amount !== undefined && Number.isInteger(amount) && amount > 0);

  async function submit(event: Event) {
    event.preventDefault();
    if (!reason.trim()) return setError(t('invoice.needsReason'));
    if (!amountOk) return setError(t('pay.amountBad'));
    if (kind === 'void' && !confirm(tf('invoice.voidAsk', { number: formatInvoiceNumber(invoice.number ?? '') }))) return;
    setError(null);
    const write = kind === 'void'
      ? now(() => voidInvoice(order.order_id, clientId, reason.trim()))
      : now(() => allowInvoice(order.order_id, clientId, amount!, reason.trim()));
    if (await change(write, setError)) onClose();
  }

  const title = t(kind === 'void' ? 'invoice.voidTitle' : 'invoice.allowanceTitle');
  return (
    <form class="form pay-sheet" noValidate onSubmit={(event) => void submit(event)} aria-label={title}>
      <h3 class="pay-sheet-title">{title}</h3>
      {kind === 'allowance' && (
        <Field id="allowance-amount" label={t('invoice.allowanceAmount')} value={amountText} inputMode="numeric" autoComplete="off"
          onValue={(value) => setAmountText(value.replace(/\D/g, ''))} />
      )}
      {/* The centre keeps a void's reason to 20 characters. */}
      <Field id={`${kind}-reason`} label={t(kind === 'void' ? 'invoice.voidReason' : 'invoice.allowanceReason')} value={reason}
        onValue={setReason} maxLength={kind === 'void' ? 20 : 100} autoComplete="off"
        hint={kind === 'void' ? t('invoice.voidReasonHint') : undefined} />
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class={kind === 'void' ? 'button-danger' : 'button-primary'} disabled={busy}>
          {kind === 'void' ? t('invoice.voidConfirm') : tf('invoice.allowanceConfirm', { amount: amountOk && amount ? formatMoney(amount) : '' })}
        </button>
        <button type="button" class="button-secondary" onClick={onClose}>{t('pay.cancel')}</button>
      </div>
    </form>
  );
}

function Changes({ order }: { order: Order }) {
  const changes = order.invoice_changes ?? [];
  if (changes.length === 0) return null;
  return (
    <div class="invoice-changes">
      <h4>{t('invoice.changes')}</h4>
      <ul>
        {changes.map((item) => (
          <li key={item.change_id} data-testid={`invoice-change-${item.kind}`}>
            <span class="invoice-change-kind">{tf(`invoice.change.${item.kind}`, { amount: formatMoney(item.amount) })}</span>
            {item.invoice_number && <span> · {formatInvoiceNumber(item.invoice_number)}</span>}
            <span class="muted"> · {formatDateTime(item.at)} · {item.reason}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
