import { t } from '../i18n';
import { signOut } from '../data/api';
import { device, session } from '../data/client';
import { LanguageSwitch } from './LanguageSwitch';
import { Mark } from './Mark';
import { navigate } from './router';

/** On a shared tablet: sign this person out and go back to the staff buttons. */
async function leave() {
  await signOut();
  navigate('/sign-in');
}

export function Header() {
  const who = session.value;
  return (
    <header class="header">
      <div class="brand">
        <Mark size={40} />
        <span class="brand-text">
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{who ? who.staff.name : t('app.tagline')}</span>
        </span>
      </div>
      <div class="header-actions">
        <LanguageSwitch />
        {who && (
          <button type="button" class="header-button" onClick={() => void leave()}>
            {device.value ? t('header.switchPerson') : t('header.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}
