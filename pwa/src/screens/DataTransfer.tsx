import { useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { importStatus, IMPORT_MAX_BYTES, startImport, type ImportJob } from '../data/portability';
import { ExportStatus, JobProgress, useExport } from '../ui/ExportJob';
import { useJob } from '../ui/useJob';
import { Notice } from '../ui/Notice';

const waitingImport = (id: string): ImportJob => ({
  import_id: id, state: 'queued', percent: 0, rows: 0, row_limit: 0, customers_created: 0,
  customers_existing: 0, vehicles_created: 0, vehicles_existing: 0, bad_rows: 0, errors: [],
  errors_kept: 0,
});

/** Settings' 資料匯出/匯入: the whole shop as CSV and JSON; customers and vehicles from a CSV. */
export function DataTransfer() {
  const exporting = useExport('shop');
  const importing = useJob<ImportJob>('import', importStatus, (job) => job.import_id, waitingImport);
  const [tooBig, setTooBig] = useState(false);
  const report = importing.job;

  function chosen(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setTooBig(file.size > IMPORT_MAX_BYTES);
    if (file.size > IMPORT_MAX_BYTES) return;
    void importing.begin(() => startImport(file));
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
        <input type="file" accept=".csv,text/csv" class="file-input" disabled={importing.running} onChange={chosen} />
      </label>
      <JobProgress job={report} running="import.running" />
      {tooBig && <Notice>{t('transfer.tooBig')}</Notice>}
      {importing.error && <Notice>{importing.error}</Notice>}
      {report?.state === 'failed' && <Notice>{t('import.failed')}</Notice>}
      {report?.state === 'done' && (
        <div class="import-report" aria-live="polite">
          <Notice tone={report.errors.length ? 'info' : 'ok'}>{tf('transfer.imported', {
            rows: String(report.rows), customers: String(report.customers_created),
            vehicles: String(report.vehicles_created),
            existing: String(report.customers_existing + report.vehicles_existing),
            bad: String(report.bad_rows),
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
