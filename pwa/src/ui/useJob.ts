// Work the server runs as a job (an export, an import): started once, then followed until it
// ends. A shop's export or a long import runs for minutes in pieces, so the screen asks how far
// it is every POLL_MS. The job's id is kept for the session, so a reload (or the tablet waking
// up) follows the same job instead of starting another; a question lost to bad Wi-Fi is shown
// and simply asked again, while the server works on.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './errors';

const POLL_MS = 1500;

export interface JobState { state: 'queued' | 'running' | 'done' | 'failed'; percent: number }
export const ended = (job: JobState | null) => job !== null && (job.state === 'done' || job.state === 'failed');

/** Follow the job kept under `key`; `begin` starts one (none while one runs: a double tap). */
export function useJob<J extends JobState>(key: string, status: (id: string) => Promise<J>,
  idOf: (job: J) => string, waiting: (id: string) => J) {
  const storageKey = `servicelane.job.${key}`;
  const [job, setJob] = useState<J | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  const alive = useRef(true);

  function follow(id: string) {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(async () => {
      try {
        const now = await status(id);
        if (!alive.current) return;
        setJob(now);
        setError(null);
        if (ended(now)) sessionStorage.removeItem(storageKey);
        else follow(id);
      } catch (failure) {
        if (!alive.current) return;
        setError(errorText(failure));
        follow(id);
      }
    }, POLL_MS);
  }

  useEffect(() => {
    alive.current = true;
    const saved = sessionStorage.getItem(storageKey);
    if (saved) {
      setJob(waiting(saved));
      follow(saved);
    }
    return () => { alive.current = false; window.clearTimeout(timer.current); };
  }, [storageKey]);

  async function begin(start: () => Promise<J>) {
    if (starting || (job && !ended(job))) return;
    setStarting(true);
    setError(null);
    setJob(null);
    try {
      const started = await start();
      sessionStorage.setItem(storageKey, idOf(started));
      setJob(started);
      if (!ended(started)) follow(idOf(started));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setStarting(false);
    }
  }

  const running = starting || (job !== null && !ended(job));
  return { job, error, running, begin };
}
