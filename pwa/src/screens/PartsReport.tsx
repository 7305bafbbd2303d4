import { useEffect, useState } from 'preact/hooks';
import { locale, t, tf } from '../i18n';
import { partsReport, partsReportCsv } from '../data/api';
import { formatDateTime, taipeiDate } from '../data/format';
import { shiftMonth, taipeiMonth } from '../data/parts';
import type { PartsReport as Report, ReportRow } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { openMadeFile, quantityText } from '../ui/OrderParts';
import { tagPath } from '../ui/router';
import './parts-report.css';

/**
 * The month's old parts for the recycling and warranty paperwork (舊品月報): what went to the
 * recyclers by category (litres of waste oil, batteries, tyres …), what went back to suppliers,
 * and what still waits to go back; the same as a CSV for Excel.
 */
export function PartsReport() {
  const thisMonth = taipeiMonth();
  const [month, setMonth] = useState(thisMonth);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    setReport(null);
    setError(null);
    partsReport(month).then(setReport, (failure: unknown) => setError(errorText(failure)));
  }, [month]);

  async function download() {
    setDownloading(true);
    setError(await openMadeFile(() => partsReportCsv(month)));
    setDownloading(false);
  }

  const name = (names: { zh: string; en: string }) => (locale.value === 'en' ? names.en : names.zh);

  return (
    <section class="screen parts-report" aria-labelledby="report-title">
      <div class="screen-head">
        <h1 id="report-title">{t('report.title')}</h1>
        <button type="button" class="button-secondary" disabled={downloading} onClick={() => void download()}>
          {downloading ? t('part.preparing') : t('report.csv')}
        </button>
      </div>
      <div class="month-switch" role="group" aria-label={t('report.month')}>
        <button type="button" class="button-secondary" onClick={() => setMonth(shiftMonth(month, -1))}>‹ {t('report.previous')}</button>
        <span class="month-now" aria-live="polite">{month}</span>
        <button type="button" class="button-secondary" disabled={month >= thisMonth} onClick={() => setMonth(shiftMonth(month, 1))}>
          {t('report.next')} ›
        </button>
      </div>
      {error && <Notice>{error}</Notice>}
      {!report && !error && <p class="muted">{t('common.loading')}</p>}
      {report && (
        <>
          <section class="panel" aria-labelledby="disposals-title">
            <h2 id="disposals-title">{t('report.disposals')}</h2>
            {report.disposals.totals.length === 0 ? <p class="muted">{t('report.noDisposals')}</p> : (
              <ul class="report-totals">
                {report.disposals.totals.map((total) => (
                  <li key={total.category} class={`report-total report-total-${total.category}`}>
                    <span class="report-total-name">{name(total.name)}</span>
                    <span class="report-total-quantity">{quantityText(total.quantity, total.unit, total.category)}</span>
                    <span class="muted">{tf('report.tags', { n: total.tags })}</span>
                  </li>
                ))}
              </ul>
            )}
            {report.disposals.items.length > 0 && (
              <details class="report-details">
                <summary>{t('report.items')}（{report.disposals.items.length}）</summary>
                <RowList rows={report.disposals.items} />
              </details>
            )}
          </section>

          <section class="panel" aria-labelledby="returns-title">
            <h2 id="returns-title">{t('report.returns')}</h2>
            <h3 class="report-sub">{tf('report.pending', { n: report.supplier_returns.pending.length })}</h3>
            {report.supplier_returns.pending.length === 0
              ? <p class="muted">{t('report.noPending')}</p>
              : <RowList rows={report.supplier_returns.pending} />}
            <h3 class="report-sub">{tf('report.done', { n: report.supplier_returns.done.length })}</h3>
            {report.supplier_returns.done.length === 0
              ? <p class="muted">{t('report.noDone')}</p>
              : <RowList rows={report.supplier_returns.done} />}
          </section>
        </>
      )}
    </section>
  );
}

/** Report rows: the part and its tag, the order, and the paperwork (recycler and manifest, or supplier and RMA). */
function RowList({ rows }: { rows: ReportRow[] }) {
  const today = taipeiDate();
  return (
    <ul class="report-rows">
      {rows.map((row) => {
        const paperwork = [
          row.category && t(`category.${row.category}`),
          row.recycler,
          row.manifest_number && tf('report.manifest', { number: row.manifest_number }),
          row.supplier,
          row.batch,
          row.rma && tf('report.rma', { number: row.rma }),
          row.tracking,
          row.location,
        ].filter(Boolean).join(' · ');
        const when = row.at ? formatDateTime(row.at) : row.since ? tf('report.since', { date: formatDateTime(row.since).slice(0, 10) }) : '';
        return (
          <li key={row.code} class="report-row">
            <a class="report-row-main" href={`#${tagPath(row.code)}`}>
              <span class="report-row-name">{row.part_name}</span>
              <span class="report-row-quantity">{quantityText(row.quantity, row.unit, row.category)}</span>
            </a>
            <span class="muted">{[when.startsWith(today) ? when.slice(11) : when, row.order_number, row.plate].filter(Boolean).join(' · ')}</span>
            {paperwork && <span class="report-row-paperwork">{paperwork}</span>}
          </li>
        );
      })}
    </ul>
  );
}
