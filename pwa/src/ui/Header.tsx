import { t, tf } from '../i18n';
import { signOut } from '../data/api';
import { device, queue, session } from '../data/client';
import { InboxBadge } from './InboxBadge';
import { LanguageSwitch } from './LanguageSwitch';
import { Mark } from './Mark';
import { navigate } from './router';

/**
 * On a shared tablet: sign this person out and go back to the staff buttons. Asks first while
 * writes wait: they stay on the tablet, but need someone signed in to reach the system.
 */
async function leave() {
  const waiting = queue.pending.value;
  if (waiting > 0 && !confirm(tf('queue.unsyncedSignOut', { n: waiting }))) return;
  await signOut();
  navigate('/sign-in');
}

/** `customerHolds`: hand-over mode, no way to the staff's screens or to sign out. */
export function Header({ customerHolds = false }: { customerHolds?: boolean }) {
  const who = session.value;
  return (
    <header class="header">
      <div class="brand">
        <Mark size={40} />
        <span class="brand-text">
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{customerHolds ? t('handBack.mode') : who ? who.staff.name : t('app.tagline')}</span>
        </span>
      </div>
      <div class="header-actions">
        {who && !customerHolds && who.staff.role !== 'technician' && <InboxBadge />}
        <LanguageSwitch />
        {who && !customerHolds && (
          <button type="button" class="header-button" onClick={() => void leave()}>
            {device.value ? t('header.switchPerson') : t('header.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
