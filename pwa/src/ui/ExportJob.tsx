// An export, started and followed until its files are ready: a shop's runs for minutes on the
// server, in pieces, so the button starts it and a bar shows how far it is. The job's id is kept
// for the session, so a reload (or the tablet waking up) follows the same job instead of starting
// another; a poll lost to bad Wi-Fi is simply asked again, the server works on meanwhile.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { exportStatus, startExport, type ExportJob } from '../data/portability';
import { errorText } from './errors';
import { Notice } from './Notice';

const POLL_MS = 1500;
const ENDED = new Set(['done', 'failed']);

const remembered = (key: string) => sessionStorage.getItem(key);

/** Start and follow an export of `kind` (a customer's, with their id). */
export function useExport(kind: ExportJob['kind'], customerId?: string) {
  const key = `servicelane.export.${kind}.${customerId ?? ''}`;
  const [job, setJob] = useState<ExportJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);

  function follow(jobId: string) {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(async () => {
      try {
        const now = await exportStatus(jobId);
        if (!alive.current) return;
        setJob(now);
        setError(null);
        if (ENDED.has(now.state)) sessionStorage.removeItem(key);
        else follow(jobId);
      } catch (failure) {
        if (!alive.current) return;
        setError(errorText(failure)); // offline or a hiccup: shown, and asked again
        follow(jobId);
      }
    }, POLL_MS);
  }

  useEffect(() => {
    alive.current = true;
    const saved = remembered(key);
    if (saved) {
      setJob({ job_id: saved, kind, state: 'queued', percent: 0, counts: {} });
      follow(saved);
    }
    return () => { alive.current = false; window.clearTimeout(timer.current); };
  }, [key]);

  async function start() {
    if (starting || (job && !ENDED.has(job.state))) return; // a double tap starts one export
    setStarting(true);
    setError(null);
    try {
      const started = await startExport(kind, customerId);
      sessionStorage.setItem(key, started.job_id);
      setJob(started);
      follow(started.job_id);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setStarting(false);
    }
  }

  const running = starting || (job !== null && !ENDED.has(job.state));
  return { job, error, running, start };
}

/** How far the export is, then its two files (or why it stopped). */
export function ExportStatus({ job, error, done }: {
  job: ExportJob | null; error: string | null; done: (job: ExportJob) => string;
}) {
  return (
    <div class="export-job" aria-live="polite">
      {job && !ENDED.has(job.state) && (
        <div class="export-progress">
          <progress max={100} value={job.percent} aria-label={t('export.progress')} />
          <span>{tf('export.running', { percent: String(job.percent) })}</span>
        </div>
      )}
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
