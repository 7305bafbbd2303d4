import { tf, t } from '../i18n';
import { queue } from '../data/client';
import { uploadFailedText } from './errors';

/** "n 筆待上傳" while the queue holds writes, and refusals met while replaying them. */
export function PendingWrites() {
  const n = queue.pending.value;
  const failures = queue.failures.value;
  return (
    <div class="pending" aria-live="polite">
      {n > 0 && <span class="pending-count">{tf('queue.waiting', { n })}</span>}
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
