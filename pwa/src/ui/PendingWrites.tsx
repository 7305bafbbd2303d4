import { useEffect, useState } from 'preact/hooks';
import { tf, t } from '../i18n';
import { queue } from '../data/client';
import { uploadFailedText } from './errors';

/** Whole seconds left until `at` (at least 1 while it is ahead), null once it has passed. */
const secondsUntil = (at: number | null, now: number): number | null =>
  at !== null && at > now ? Math.ceil((at - now) / 1000) : null;

/**
 * "n 筆待上傳" while the queue holds writes ("・12 秒後重試" when it has planned its next try),
 * and refusals met while replaying them.
 */
export function PendingWrites() {
  const n = queue.pending.value;
  const failures = queue.failures.value;
  const retryAt = queue.retryAt.value;
  const [now, setNow] = useState(() => Date.now());
  // Once a second, and only while a try is planned: the countdown, nothing finer.
  useEffect(() => {
    setNow(Date.now());
    if (retryAt === null) return undefined;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [retryAt]);
  const seconds = n > 0 ? secondsUntil(retryAt, now) : null;
  return (
    <div class="pending" aria-live="polite">
      {n > 0 && (
        <span class="pending-count">
          {tf('queue.waiting', { n })}
          {/* The countdown is for the eye: a screen reader hears the count, not a change a second. */}
          {seconds !== null && <span aria-hidden="true">{tf('queue.retryIn', { s: seconds })}</span>}
        </span>
      )}
      {failures.map((failure) => (
        <p class="pending-failure" role="alert" key={failure.write.id}>
          {uploadFailedText(failure.error)}
          <button type="button" class="button-secondary" onClick={() => queue.dismiss(failure)}>
            {t('common.dismiss')}
          </button>
        </p>
      ))}
    </div>
  );
}
