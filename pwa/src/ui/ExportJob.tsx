// An export, started and followed until its files are ready (useJob): a bar while it runs, then
// the two files, or why it stopped.
import { t, tf, type MessageKey } from '../i18n';
import { exportStatus, startExport, type ExportJob } from '../data/portability';
import { Notice } from './Notice';
import { ended, useJob, type JobState } from './useJob';

/** Start and follow an export of `kind` (a customer's, with their id). */
export function useExport(kind: ExportJob['kind'], customerId?: string) {
  const followed = useJob<ExportJob>(`export.${kind}.${customerId ?? ''}`, exportStatus,
    (job) => job.job_id, (id) => ({ job_id: id, kind, state: 'queued', percent: 0, counts: {} }));
  return { ...followed, start: () => followed.begin(() => startExport(kind, customerId)) };
}

/** A job's bar, for as long as it runs. */
export function JobProgress({ job, running }: { job: JobState | null; running: MessageKey }) {
  if (!job || ended(job)) return null;
  return (
    <div class="job-progress">
      <progress max={100} value={job.percent} aria-label={t('job.progress')} />
      <span>{tf(running, { percent: String(job.percent) })}</span>
    </div>
  );
}

export function ExportStatus({ job, error, done }: {
  job: ExportJob | null; error: string | null; done: (job: ExportJob) => string;
}) {
  return (
    <div class="export-job" aria-live="polite">
      <JobProgress job={job} running="export.running" />
      {error && <Notice tone="info">{error}</Notice>}
      {job?.state === 'failed' && <Notice>{t('export.failed')}</Notice>}
      {job?.state === 'done' && job.files && (
        <>
          <Notice tone="ok">{done(job)}</Notice>
          <div class="button-row download-list">
            <a class="button-secondary" href={job.files.csv.url} download={job.files.csv.filename}>{t('rights.downloadCsv')}</a>
            <a class="button-secondary" href={job.files.json.url} download={job.files.json.filename}>{t('rights.downloadJson')}</a>
          </div>
        </>
      )}
    </div>
  );
}
