import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import {
  cashUp, cashUpCsv, cashUpFileName, invoicesCsv, invoicesFileName, methodTotals, PAY_METHODS, type CashUp as Day,
} from '../data/checkout';
import { formatMoney, formatTime, taipeiDate } from '../data/format';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { orderPath } from '../ui/router';
import { saveFile } from '../ui/saveFile';
import './cashup.css';

/**
 * The day's cash-up (日結) at closing: what was taken by method and by cashier, the deposits
 * held for cars still in the shop, the invoices issued, voided and allowed, every payment; the
 * day as a CSV and the month's invoices (發票清冊) for the accountant.
 */
export function CashUp() {
  const [day, setDay] = useState(taipeiDate());
  const [data, setData] = useState<Day | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState<'day' | 'month' | null>(null);

  useEffect(() => {
    let current = true;
    setData(null);
    setError(null);
    cashUp(day).then((answer) => { if (current) setData(answer); },
      (failure: unknown) => { if (current) setError(errorText(failure)); });
    return () => { current = false; };
  }, [day]);

  async function download(which: 'day' | 'month') {
    setSaving(which);
    setError(null);
    try {
      const month = day.slice(0, 7);
      if (which === 'day') saveFile(await cashUpCsv(day), cashUpFileName(day));
      else saveFile(await invoicesCsv(month), invoicesFileName(month));
    } catch (failure) {
      setError(errorText(failure));
    }
    setSaving(null);
  }

  const counts = data ? methodTotals(data.payments) : null;
  return (
    <section class="screen cashup" aria-labelledby="cashup-title">
      <div class="screen-head">
        <h1 id="cashup-title">{t('cashup.title')}</h1>
        <label class="cashup-day">
          <span class="visually-hidden">{t('cashup.day')}</span>
          <input type="date" value={day} max={taipeiDate()} onChange={(event) => event.currentTarget.value && setDay(event.currentTarget.value)} />
        </label>
        {day !== taipeiDate() && <button type="button" class="button-link" onClick={() => setDay(taipeiDate())}>{t('cashup.today')}</button>}
      </div>
      <div class="button-row cashup-files">
        <button type="button" class="button-secondary" disabled={saving !== null} onClick={() => void download('day')}>
          {saving === 'day' ? t('cashup.preparing') : t('cashup.csv')}
        </button>
        <button type="button" class="button-secondary" disabled={saving !== null} onClick={() => void download('month')}>
          {saving === 'month' ? t('cashup.preparing') : t('cashup.invoicesCsv')}
        </button>
      </div>
      {error && <Notice>{data ? error : tf('cashup.loadFailed', { reason: error })}</Notice>}
      {!data && !error && <p class="muted">{t('common.loading')}</p>}
      {data && counts && (
        <>
          <div class="cashup-head">
            <div class="panel cashup-total">
              <span class="muted">{t('cashup.total')}</span>
              <strong data-testid="cashup-total">{formatMoney(data.total)}</strong>
              <span class="muted">{tf('cashup.count', { n: data.count })}</span>
            </div>
            <div class="panel cashup-total">
              <span class="muted">{t('cashup.cashInDrawer')}</span>
              <strong data-testid="cashup-cash">{formatMoney(data.methods.cash)}</strong>
            </div>
          </div>

          <div class="cashup-grid">
            <section class="panel" aria-labelledby="cashup-methods">
              <h2 id="cashup-methods">{t('cashup.byMethod')}</h2>
              <table class="sheet-table" data-testid="cashup-methods">
                <thead><tr><th>{t('cashup.method')}</th><th class="n">{t('cashup.countHead')}</th><th class="n">{t('cashup.amount')}</th></tr></thead>
                <tbody>
                  {PAY_METHODS.map((method) => (
                    <tr key={method} data-method={method} class={data.methods[method] ? '' : 'cashup-zero'}>
                      <td>{t(`pay.method.${method}`)}</td>
                      <td class="n">{counts[method].count}</td>
                      <td class="n" data-testid={`cashup-method-${method}`}>{formatMoney(data.methods[method])}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <dl class="cashup-facts">
                <dt>{t('cashup.refunds')}</dt><dd>{formatMoney(data.refunds)}</dd>
                <dt>{t('cashup.depositsTaken')}</dt><dd>{formatMoney(data.deposits_taken)}</dd>
                <dt>{t('cashup.depositsHeld')}</dt><dd data-testid="cashup-deposits-held">{formatMoney(data.deposits_held)}</dd>
              </dl>
            </section>

            <section class="panel" aria-labelledby="cashup-cashiers">
              <h2 id="cashup-cashiers">{t('cashup.byCashier')}</h2>
              {data.cashiers.length === 0 ? <p class="muted">{t('cashup.noPayments')}</p> : (
                <table class="sheet-table">
                  <thead><tr><th>{t('cashup.cashier')}</th><th class="n">{t('cashup.countHead')}</th><th class="n">{t('cashup.amount')}</th></tr></thead>
                  <tbody>
                    {data.cashiers.map((who) => (
                      <tr key={who.staff_id}>
                        <td>{who.name}<br /><span class="muted cashup-cashier-methods">
                          {PAY_METHODS.filter((method) => who.methods[method]).map((method) => `${t(`pay.method.${method}`)} ${formatMoney(who.methods[method])}`).join('、')}
                        </span></td>
                        <td class="n">{who.count}</td>
                        <td class="n">{formatMoney(who.total)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2 class="cashup-invoices-title">{t('cashup.invoices')}</h2>
              <dl class="cashup-facts" data-testid="cashup-invoices">
                <dt>{tf('cashup.issued', { n: data.invoices.issued })}</dt><dd>{formatMoney(data.invoices.issued_total)}</dd>
                <dt>{tf('cashup.voided', { n: data.invoices.voided })}</dt><dd>{formatMoney(data.invoices.voided_total)}</dd>
                <dt>{tf('cashup.allowed', { n: data.invoices.allowed })}</dt><dd>{formatMoney(data.invoices.allowed_total)}</dd>
              </dl>
            </section>
          </div>

          <section class="panel" aria-labelledby="cashup-payments">
            <h2 id="cashup-payments">{t('cashup.payments')}</h2>
            {data.payments.length === 0 ? <p class="muted">{t('cashup.noPayments')}</p> : (
              <div class="sheet-scroll">
                <table class="sheet-table" data-testid="cashup-payments">
                  <thead><tr>
                    <th>{t('cashup.time')}</th><th>{t('cashup.order')}</th><th>{t('cashup.method')}</th>
                    <th class="n">{t('cashup.amount')}</th><th>{t('cashup.cashier')}</th>
                  </tr></thead>
                  <tbody>
                    {data.payments.map((row) => (
                      <tr key={row.payment_id} class={row.kind === 'refund' ? 'cashup-refund' : ''} data-testid="cashup-payment">
                        <td>{formatTime(row.at, data.day)}</td>
                        <td><a class="tap-link" href={`#${orderPath(row.order_id)}`}>{row.order_number}</a></td>
                        <td>{t(`pay.method.${row.method}`)}{row.kind !== 'payment' && <span class="tag payment-kind">{t(`pay.kind.${row.kind}`)}</span>}
                          {row.reference && <span class="muted"> {row.reference}</span>}</td>
                        <td class="n">{formatMoney(row.amount)}</td>
                        <td>{row.by}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </section>
  );
}
