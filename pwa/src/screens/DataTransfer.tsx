import { useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { importCsv, IMPORT_MAX_BYTES, type ImportReport } from '../data/portability';
import { ExportStatus, useExport } from '../ui/ExportJob';
import { useAction } from '../ui/useAction';
import { Notice } from '../ui/Notice';

/** Settings' 資料匯出/匯入: the whole shop as CSV and JSON; customers and vehicles from a CSV. */
export function DataTransfer() {
  const exporting = useExport('shop');
  const [report, setReport] = useState<ImportReport | null>(null);
  const { busy, error, setError, run } = useAction();

  async function chosen(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > IMPORT_MAX_BYTES) {
      setReport(null);
      setError(t('transfer.tooBig'));
      return;
    }
    const text = await file.text();
    await run(() => importCsv(text), setReport);
  }

  return (
    <section class="panel data-transfer" aria-labelledby="transfer-title">
      <h2 id="transfer-title">{t('transfer.title')}</h2>
      <p class="muted">{t('transfer.exportLead')}</p>
      <button type="button" class="button-secondary" disabled={exporting.running} onClick={() => void exporting.start()}>{t('transfer.export')}</button>
      <ExportStatus job={exporting.job} error={exporting.error} done={(job) => tf('transfer.exported', {
        customers: String(job.counts.customers), vehicles: String(job.counts.vehicles),
        orders: String(job.counts.orders),
      })} />
      <h3>{t('transfer.import')}</h3>
      <p class="muted">{t('transfer.importLead')}</p>
      <label class="button-secondary import-file">
        {t('transfer.choose')}
        <input type="file" accept=".csv,text/csv" class="file-input" disabled={busy} onChange={(event) => void chosen(event)} />
      </label>
      {busy && <p class="muted">{t('common.loading')}</p>}
      {error && <Notice>{error}</Notice>}
      {report && (
        <div class="import-report" aria-live="polite">
          <Notice tone={report.errors.length ? 'info' : 'ok'}>{tf('transfer.imported', {
            rows: String(report.rows), customers: String(report.customers_created),
            vehicles: String(report.vehicles_created),
            existing: String(report.customers_existing + report.vehicles_existing),
            bad: String(report.errors.length),
          })}</Notice>
          {report.errors.length > 0 && (
            <table class="import-errors">
              <caption>{t('transfer.badRows')}</caption>
              <thead><tr><th scope="col">{t('transfer.line')}</th><th scope="col">{t('transfer.reason')}</th></tr></thead>
              <tbody>
                {report.errors.map((row) => <tr key={row.line}><td>{row.line}</td><td>{row.message}</td></tr>)}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
