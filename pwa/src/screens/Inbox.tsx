import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { formatDateTime } from '../data/format';
import { INBOX_POLL_MS, loadInbox, type Inbox as InboxData } from '../data/line';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { customerPath } from '../ui/router';
import '../ui/conversation.css';

/** The customers who wrote on LINE and are not read yet, newest first; each opens the customer. */
export function Inbox() {
  const [inbox, setInbox] = useState<InboxData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => loadInbox().then((answer) => { setInbox(answer); setError(null); },
      (failure: unknown) => setError(errorText(failure)));
    void load();
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void load(); }, INBOX_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <section class="screen" aria-labelledby="inbox-title">
      <div class="screen-head"><h1 id="inbox-title">{t('inbox.title')}</h1></div>
      {error && <Notice>{error}</Notice>}
      {!inbox && !error && <p class="muted">{t('common.loading')}</p>}
      {inbox && inbox.conversations.length === 0 && <p class="muted">{t('inbox.empty')}</p>}
      {inbox && inbox.conversations.length > 0 && (
        <ul class="inbox-list">
          {inbox.conversations.map((entry) => (
            <li key={entry.customer_id}>
              <a class="inbox-item" href={`#${customerPath(entry.customer_id)}`} data-testid="inbox-item">
                <span class="inbox-name">{entry.name}</span>
                <span><span class="inbox-count">{entry.unread}</span> <time class="muted" dateTime={entry.last_at}>{formatDateTime(entry.last_at)}</time></span>
                <span class="inbox-text">{entry.last_text}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {inbox && <p class="muted">{tf('inbox.lead', { n: inbox.unread })}</p>}
    </section>
  );
}
