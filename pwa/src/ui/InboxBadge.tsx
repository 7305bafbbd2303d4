import { useEffect } from 'preact/hooks';
import { t, tf } from '../i18n';
import { inboxUnread, watchInbox } from '../data/line';
import './conversation.css';

/** The header's LINE badge: unread messages from customers, looked at every 20 s; to the inbox. */
export function InboxBadge() {
  useEffect(() => watchInbox(), []);
  const count = inboxUnread.value;
  return (
    <a class="header-button inbox-badge" href="#/inbox" data-testid="inbox-badge"
      aria-label={count > 0 ? tf('inbox.badgeLabel', { n: count }) : t('inbox.title')}>
      <span>{t('inbox.short')}</span>
      {count > 0 && <span class="inbox-count" data-testid="inbox-count">{count > 99 ? '99+' : count}</span>}
    </a>
  );
}
