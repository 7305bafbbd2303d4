import { useEffect, useState } from 'preact/hooks';
import { t, tf, type MessageKey } from '../../i18n';
import {
  checkPriceList, formatOf, GRADES, priceListStatus, PRICE_LIST_MAX_BYTES, startPriceList,
  type Grade, type PriceListJob,
} from '../../data/priceLists';
import { catalogue } from '../../data/catalogue';
import { JobProgress } from '../ExportJob';
import { useJob } from '../useJob';
import { Field } from '../Field';
import { Notice } from '../Notice';
import './price-list.css';

const waiting = (id: string): PriceListJob => ({
  import_id: id, format: 'csv', state: 'queued', percent: 0, dry_run: true, encoding: null,
  rows: 0, created: 0, updated: 0, unchanged: 0, bad: 0, errors: [], errors_kept: 0,
});

/**
 * Settings' 匯入價目表: a supplier's price list (.csv in UTF-8 or Big5, or .xlsx) checked first —
 * what it would add and change, and its bad rows by line — then imported for real.
 */
export function PriceListImport() {
  const followed = useJob<PriceListJob>('priceList', priceListStatus, (job) => job.import_id, waiting);
  const [file, setFile] = useState<File | null>(null);
  const [grade, setGrade] = useState<Grade | ''>('');
  const [supplier, setSupplier] = useState('');
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const job = followed.job;
  const options = { grade: grade || undefined, supplier: supplier.trim() || undefined };
  const imported = job?.state === 'done' && job.dry_run === false;
  // The device's copy takes the new prices at once, not at the next start.
  useEffect(() => { if (imported) void catalogue.refresh(); }, [imported, job?.import_id]);

  function chosen(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const picked = input.files?.[0] ?? null;
    input.value = '';
    setProblem(!picked ? null : !formatOf(picked) ? 'priceList.notAList'
      : picked.size > PRICE_LIST_MAX_BYTES ? 'priceList.tooBig' : null);
    setFile(picked && formatOf(picked) && picked.size <= PRICE_LIST_MAX_BYTES ? picked : null);
  }

  function check() {
    const format = file && formatOf(file);
    if (!file || !format) return;
    void followed.begin(() => checkPriceList(file, format, options));
  }

  function importForReal() {
    if (!job) return;
    void followed.begin(() => startPriceList(job.import_id, job.format, false, options));
  }

  return (
    <section class="panel price-list-import" aria-labelledby="price-list-title">
      <h2 id="price-list-title">{t('priceList.title')}</h2>
      <p class="muted">{t('priceList.lead')}</p>
      <div class="field-row">
        <div class="field">
          <span class="field-label">{t('priceList.file')}</span>
          <label class="button-secondary import-file">
            {file ? file.name : t('priceList.choose')}
            <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              class="file-input" disabled={followed.running} onChange={chosen} />
          </label>
        </div>
        <div class="field">
          <label class="field-label" for="price-list-grade">{t('priceList.grade')}</label>
          <select id="price-list-grade" value={grade} onChange={(event) => setGrade(event.currentTarget.value as Grade | '')}>
            <option value="">{t('priceList.gradeFromFile')}</option>
            {GRADES.map((each) => <option key={each} value={each}>{t(`priceList.grade.${each}`)}</option>)}
          </select>
        </div>
        <Field id="price-list-supplier" label={t('priceList.supplier')}
          value={supplier} onValue={setSupplier} maxLength={80} autoComplete="off" />
      </div>
      {problem && <Notice>{t(problem)}</Notice>}
      <div class="button-row">
        <button type="button" class="button-secondary" disabled={!file || followed.running} onClick={check}>
          {t('priceList.check')}
        </button>
      </div>
      <JobProgress job={job} running={job?.dry_run === false ? 'priceList.importing' : 'priceList.checking'} />
      {followed.error && <Notice>{followed.error}</Notice>}
      {job?.state === 'failed' && <Notice>{job.refusal?.message ?? t('priceList.failed')}</Notice>}
      {job?.state === 'done' && <Report job={job} onImport={importForReal} busy={followed.running} />}
    </section>
  );
}

function Report({ job, onImport, busy }: { job: PriceListJob; onImport: () => void; busy: boolean }) {
  const counts = {
    rows: String(job.rows), created: String(job.created), updated: String(job.updated),
    unchanged: String(job.unchanged), bad: String(job.bad),
    encoding: t(`priceList.encoding.${job.encoding ?? 'utf-8'}`),
  };
  return (
    <div class="import-report" aria-live="polite" data-report={job.dry_run ? 'preview' : 'imported'}>
      <Notice tone={job.bad ? 'info' : 'ok'}>
        {tf(job.dry_run ? 'priceList.preview' : 'priceList.imported', counts)}
      </Notice>
      {job.errors.length > 0 && (
        <table class="import-errors">
          <caption>{job.bad > job.errors.length
            ? tf('priceList.badRowsFirst', { shown: String(job.errors.length), bad: String(job.bad) })
            : t('priceList.badRows')}</caption>
          <thead><tr>
            <th scope="col">{t('transfer.line')}</th><th scope="col">{t('priceList.column')}</th>
            <th scope="col">{t('transfer.reason')}</th>
          </tr></thead>
          <tbody>
            {job.errors.map((row) => (
              <tr key={row.line}>
                <td>{row.line}</td><td>{t(`priceList.field.${row.field}` as MessageKey)}</td><td>{row.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {job.dry_run && job.created + job.updated > 0 && (
        <div class="button-row">
          <button type="button" class="button-primary" disabled={busy} onClick={onImport}>
            {tf('priceList.import', { n: String(job.created + job.updated) })}
          </button>
        </div>
      )}
    </div>
  );
}
