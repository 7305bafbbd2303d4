// The customer signs on the tablet (委修確認單, 追加估價單, 結帳清單): the document exactly as
// the server drew it up and as the PDF will show it, in large type, then the signer's name, the
// consent, an estimate's answers line by line, and the signature. The hash of what was shown goes
// back with the signature: if the order changed meanwhile the server says so (409) and the new
// version is shown to be read again. A chunk of its own (App.tsx) with signature_pad.
import { useEffect, useRef, useState } from 'preact/hooks';
import { locale, t, tf } from '../i18n';
import { getDocument, signDocument } from '../data/api';
import { allDecided, decisionsFor, estimateTotals, type Decisions } from '../data/documents';
import { formatDateTime, formatMoney, formatPhone, formatTime, newId } from '../data/format';
import { beginHandover } from '../data/handover';
import { session } from '../data/client';
import { ApiError } from '../data/http';
import type { Bilingual, DocLine, DocumentContent, DocumentKind, NewSignature, Signature, SignableDocument } from '../data/types';
import { errorText } from '../ui/errors';
import { Field } from '../ui/Field';
import { lineDetail } from '../ui/lineDetail';
import { Notice } from '../ui/Notice';
import { HandBack } from '../ui/HandBack';
import { SignaturePad, type PadValue } from '../ui/SignaturePad';
import './sign.css';

/** A text the server gives in both languages: Chinese first, English beside it. */
function Both({ text, as: Tag = 'p' }: { text: Bilingual; as?: 'p' | 'span' | 'li' }) {
  return (
    <Tag class="both">
      <span lang="zh-Hant-TW">{text.zh}</span>
      {text.en && text.en !== text.zh && <span class="both-en" lang="en">{text.en}</span>}
    </Tag>
  );
}

function LineDetail({ line }: { line: DocLine }) {
  const detail = lineDetail(line);
  return (
    <span class="doc-line-detail">
      {t(`line.${line.kind}`)}
      {line.part_number ? ` · ${line.part_number}` : ''}
      {detail ? ` · ${detail}` : ''}
      {line.customer_supplied && <span class="tag doc-tag">{t('line.customerSupplied')}</span>}
    </span>
  );
}

function Lines({ lines, decisions, onDecide }: {
  lines: DocLine[]; decisions?: Decisions; onDecide?: (lineId: string, decision: 'approved' | 'declined') => void;
}) {
  if (lines.length === 0) return <p class="muted">{t('sign.noLines')}</p>;
  return (
    <ul class="doc-lines">
      {lines.map((line) => {
        const decision = decisions?.[line.line_id] ?? line.decision;
        return (
          <li key={line.line_id} class={`doc-line${decision === 'declined' ? ' doc-line-declined' : ''}`} data-line={line.line_id}>
            <div class="doc-line-text">
              <span class="doc-line-description">{line.description}</span>
              {line.reason && <span class="doc-line-reason">{line.reason}</span>}
              <LineDetail line={line} />
            </div>
            <span class="doc-line-amount">{formatMoney(line.amount)}</span>
            {onDecide && (
              <div class="doc-decision" role="group" aria-label={line.description}>
                <button type="button" class="decision decision-approve" aria-pressed={decision === 'approved'}
                  onClick={() => onDecide(line.line_id, 'approved')}>{t('sign.approve')}</button>
                <button type="button" class="decision decision-decline" aria-pressed={decision === 'declined'}
                  onClick={() => onDecide(line.line_id, 'declined')}>{t('sign.decline')}</button>
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Sums({ rows }: { rows: [string, string, string?][] }) {
  return (
    <dl class="doc-sums">
      {rows.map(([label, value, testId], i) => (
        <div key={i} class={i === rows.length - 1 ? 'doc-sum doc-sum-last' : 'doc-sum'}>
          <dt>{label}</dt><dd data-testid={testId}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The document as the customer gets it. */
function Document({ content, decisions, onDecide }: {
  content: DocumentContent; decisions: Decisions; onDecide: (lineId: string, decision: 'approved' | 'declined') => void;
}) {
  const { order, customer, vehicle, shop } = content;
  const estimate = content.kind === 'estimate';
  const consentedBefore = content.consented_total ?? 0;
  const agreed = estimate ? estimateTotals(content.lines, decisions, consentedBefore, content.consented_amount) : null;
  const inspection = content.inspection;
  const nothingFound = inspection && !inspection.lights.length && !inspection.items.length && !inspection.damage.length;

  return (
    <article class="doc" aria-labelledby="doc-title">
      <header class="doc-header">
        <div>
          <h1 id="doc-title" class="doc-title"><Both text={content.title} as="span" /></h1>
          <p class="doc-shop">{shop.name}</p>
          {(shop.phone || shop.address) && <p class="muted">{[shop.phone, shop.address].filter(Boolean).join('　')}</p>}
        </div>
        <dl class="doc-meta">
          <dt>{t('sign.number')}</dt><dd>{order.number}</dd>
          <dt>{t('sign.createdAt')}</dt><dd>{formatDateTime(order.created_at)}</dd>
          <dt class="visually-hidden">{t('sign.version')}</dt><dd>{tf('sign.version', { version: content.version })}</dd>
        </dl>
      </header>

      <section class="doc-parties">
        <div class="doc-box">
          <h2>{t('sign.customer')}</h2>
          <p class="doc-strong" data-testid="doc-customer">{customer.name}</p>
          <p>{formatPhone(customer.mobile)}</p>
          {order.buyer && <p class="doc-small" data-testid="doc-buyer">{order.buyer.title} · {t('buyer.taxId')} {order.buyer.tax_id}</p>}
        </div>
        <div class="doc-box">
          <h2>{t('sign.vehicle')}</h2>
          <p class="doc-strong plate">{vehicle.plate}</p>
          <p>{vehicle.make} {vehicle.model}{vehicle.year ? ` · ${vehicle.year}` : ''}</p>
          {vehicle.vin && <p class="doc-small">{t('sign.vin')} {vehicle.vin}</p>}
          {(order.mileage_km !== undefined || vehicle.fuel_eighths !== undefined) && (
            <p class="doc-small">
              {order.mileage_km !== undefined && `${t('sign.mileage')} ${tf('sign.mileageValue', { km: order.mileage_km.toLocaleString('en-US') })}`}
              {order.mileage_km !== undefined && vehicle.fuel_eighths !== undefined && ' · '}
              {vehicle.fuel_eighths !== undefined && `${t('sign.fuel')} ${tf('walk.fuelValue', { n: vehicle.fuel_eighths })}`}
            </p>
          )}
        </div>
        <div class="doc-box">
          <h2>{t('sign.promised')}</h2>
          <p class="doc-strong">{order.promised_at ? formatTime(order.promised_at) : t('common.none')}</p>
          <p>{order.waits_in_shop ? t('order.waits') : t('order.leaves')}</p>
        </div>
      </section>

      {order.concerns.length > 0 && (
        <section class="doc-section">
          <h2>{t('sign.concerns')}</h2>
          <ul class="doc-list">{order.concerns.map((concern, i) => <li key={i}>{concern}</li>)}</ul>
        </section>
      )}

      {inspection && (
        <section class="doc-section">
          <h2>{t('sign.inspection')}</h2>
          {nothingFound && <p>{t('sign.inspectionClear')}</p>}
          {inspection.lights.length > 0 && (
            <div class="doc-finding">
              <h3>{t('sign.lights')}</h3>
              <ul class="doc-chips">
                {inspection.lights.map((light) => (
                  <li key={light.code} class={`doc-chip doc-chip-${light.colour}`}>{light.zh}<span class="both-en" lang="en">{light.en}</span></li>
                ))}
              </ul>
            </div>
          )}
          {inspection.items.length > 0 && (
            <div class="doc-finding">
              <h3>{t('sign.items')}</h3>
              <ul class="doc-list">
                {inspection.items.map((item, i) => (
                  <li key={i}>
                    <span class={`doc-dot doc-dot-${item.colour}`}>{t(`walk.status.${item.colour}`)}</span>
                    {item.zh} <span class="both-en" lang="en">{item.en}</span>
                    {item.note && <span class="doc-note">{item.note}</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {inspection.damage.length > 0 && (
            <div class="doc-finding">
              <h3>{t('sign.damage')}</h3>
              <ul class="doc-list">
                {inspection.damage.map((mark, i) => (
                  <li key={i}>{mark.zh} <span class="both-en" lang="en">{mark.en}</span>{mark.note && <span class="doc-note">{mark.note}</span>}</li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}

      <section class="doc-section">
        <h2>{estimate ? t('sign.newLines') : t('sign.lines')}</h2>
        <Lines lines={content.lines} decisions={estimate ? decisions : undefined} onDecide={estimate ? onDecide : undefined} />
        {agreed ? (
          <Sums rows={[
            [t('sign.estimateAll'), formatMoney(content.totals.total)],
            [t('sign.consentedBefore'), formatMoney(consentedBefore), 'doc-consented-before'],
            [t('sign.approvedNow'), formatMoney(agreed.total), 'doc-approved-now'],
            [t('sign.consentedAfter'), formatMoney(agreed.consented), 'doc-total'],
          ]} />
        ) : (
          <>
            <Sums rows={[
              ...(order.buyer ? [
                [t('order.sales'), formatMoney(content.totals.sales), 'doc-sales'],
                [t('order.tax'), formatMoney(content.totals.tax), 'doc-tax'],
              ] as [string, string, string][] : []),
              [t('order.total'), formatMoney(content.totals.total), 'doc-total'],
            ]} />
            {!order.buyer && <p class="doc-small doc-tax-note">{tf('order.taxIncluded', { amount: formatMoney(content.totals.tax) })}</p>}
          </>
        )}
        {content.kind === 'checkout' && content.consented_total !== undefined && (
          <p class="doc-small">{t('sign.consentedTotal')}：{formatMoney(content.consented_total)}</p>
        )}
      </section>

      {content.declined && content.declined.length > 0 && (
        <section class="doc-section">
          <h2>{t('sign.declined')}</h2>
          <Lines lines={content.declined} />
        </section>
      )}

      <section class="doc-section doc-facts">
        <dl>
          <dt>{t('sign.oldParts')}</dt><dd data-testid="doc-old-parts">{t(`oldParts.${order.old_parts}`)}</dd>
          {content.road_test && (<><dt>{t('sign.roadTest')}</dt><dd>
            {content.road_test.done ? t('sign.roadTestDone') : t('sign.roadTestNotDone')}
            {content.road_test.note ? `（${content.road_test.note}）` : ''}
          </dd></>)}
          {content.warranty && (<><dt>{t('sign.warranty')}</dt><dd>
            {tf('sign.warrantyValue', { months: content.warranty.months, km: content.warranty.km.toLocaleString('en-US') })}
          </dd></>)}
        </dl>
      </section>

      {content.terms.length > 0 && (
        <section class="doc-section">
          <h2>{t('sign.terms')}</h2>
          <ol class="doc-terms">{content.terms.map((term, i) => <Both key={i} text={term} as="li" />)}</ol>
        </section>
      )}

      {content.privacy && (
        <section class="doc-section doc-privacy">
          <h2>{tf('sign.privacy', { version: content.privacy.version })}</h2>
          <Both text={content.privacy} />
        </section>
      )}
    </article>
  );
}

type Done = { signature: Signature | null; name: string };

export function SignDocument({ orderId, kind }: { orderId: string; kind: DocumentKind }) {
  const [doc, setDoc] = useState<SignableDocument | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [consent, setConsent] = useState(false);
  const [decisions, setDecisions] = useState<Decisions>({});
  const [pad, setPad] = useState<PadValue>({ strokes: [], width: 0, height: 0, ink: 'empty' });
  const [resetKey, setResetKey] = useState(0);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const top = useRef<HTMLElement>(null);

  async function load(): Promise<SignableDocument | null> {
    try {
      const draft = await getDocument(orderId, kind);
      setDoc(draft);
      setName((typed) => typed || draft.content.customer.name);
      return draft;
    } catch (failure) {
      setLoadError(errorText(failure));
      return null;
    }
  }

  useEffect(() => { void load(); }, [orderId, kind]);

  // The tablet is in the customer's hands from here: only this document until staff take it back.
  useEffect(() => {
    const staffId = session.value?.staff.staff_id;
    if (staffId) beginHandover({ orderId, kind, staffId });
  }, [orderId, kind]);

  const toTop = () => {
    const scroller = top.current?.closest('.main');
    if (scroller) scroller.scrollTop = 0;
  };

  if (loadError && !doc) {
    return <section class="screen"><Notice>{tf('sign.loadFailed', { reason: loadError })}</Notice>
      <HandBack orderId={orderId} /></section>;
  }
  if (!doc) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

  if (done) {
    const signature = done.signature;
    return (
      <section class="screen screen-sign sign-done" aria-live="polite">
        <div class="panel sign-thanks">
          <h1>{t('sign.thanks')}</h1>
          <p>{signature
            ? tf('sign.thanksLead', {
              name: signature.signer_name, time: formatDateTime(signature.signed_at),
              title: t(`doc.kind.${kind}`), version: signature.version,
            })
            : t('sign.queued')}</p>
          <HandBack orderId={orderId} primary />
        </div>
      </section>
    );
  }

  const content = doc.content;
  const estimateLines = content.kind === 'estimate' ? content.lines : [];
  const undecided = estimateLines.filter((line) => !decisions[line.line_id]).length;
  const missing: string[] = [];
  if (content.kind === 'estimate' && !allDecided(estimateLines, decisions)) missing.push(tf('sign.undecided', { n: undecided }));
  if (!name.trim()) missing.push(t('sign.needName'));
  if (!consent) missing.push(t('sign.needConsent'));
  if (pad.ink === 'too_much') missing.push(t('sign.tooMuch'));
  else if (pad.ink !== 'enough') missing.push(t('sign.needInk'));
  const ready = doc.signable && missing.length === 0;

  async function submit(event: Event) {
    event.preventDefault();
    if (!doc || !ready || sending) return;
    setSending(true);
    setError(null);
    const signature: NewSignature = {
      signature_id: newId(), kind, content_hash: doc.content_hash, signer_name: name.trim(), consent: true,
      strokes: pad.strokes, width: pad.width, height: pad.height,
      ...(kind === 'estimate' ? { decisions: decisionsFor(doc.content.lines, decisions) } : {}),
    };
    try {
      const outcome = await signDocument(orderId, signature);
      setDone({ signature: outcome.sent ? outcome.body : null, name: signature.signer_name });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'document_changed') {
        // Someone changed the order while the customer read it: show the new one, to read again.
        setChanged(true);
        setConsent(false);
        setResetKey((key) => key + 1);
        await load();
        toTop();
      } else {
        setError(errorText(failure));
      }
    } finally {
      setSending(false);
    }
  }

  return (
    <section class="screen screen-sign" ref={top} aria-label={t(`doc.kind.${kind}`)}>
      <div class="sign-bar">
        <HandBack orderId={orderId} />
        <p class="muted">{t('sign.lead')}</p>
      </div>
      {changed && <Notice tone="info">{t('sign.changed')}</Notice>}
      {!doc.signable && <Notice>{tf('sign.notSignable', { reason: doc.reason ? (locale.value === 'en' ? doc.reason.en : doc.reason.zh) : '' })}</Notice>}

      <Document content={content} decisions={decisions}
        onDecide={(lineId, decision) => setDecisions((all) => ({ ...all, [lineId]: decision }))} />

      {doc.signable && (
        <form class="panel sign-form" onSubmit={submit} noValidate aria-label={t('sign.confirm')}>
          <Field id="signer-name" label={t('sign.signer')} value={name} onValue={setName} autoComplete="name" maxLength={60} />
          <label class="check sign-consent">
            <input type="checkbox" checked={consent} onChange={(event) => setConsent(event.currentTarget.checked)} />
            <span>{t('sign.consent')}</span>
          </label>
          <SignaturePad label={t('sign.pad')} clearLabel={t('sign.clear')} redoLabel={t('sign.redo')} hint={t('sign.padHint')}
            onChange={setPad} resetKey={resetKey} disabled={sending} />
          {missing.length > 0 && <p class="muted sign-missing" data-testid="sign-missing">{missing.join('．')}</p>}
          {error && <Notice>{error}</Notice>}
          <button type="submit" class="button-primary button-step sign-confirm" disabled={!ready || sending}>
            {sending ? t('sign.working') : t('sign.confirm')}
          </button>
        </form>
      )}
    </section>
  );
}
