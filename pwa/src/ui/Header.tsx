import { t } from '../i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { Mark } from './Mark';

export function Header() {
  return (
    <header class="header">
      <div class="brand">
        <Mark size={40} />
        <span class="brand-text">
          <span class="brand-name">{t('app.name')}</span>
          <span class="brand-tagline">{t('app.tagline')}</span>
        </span>
      </div>
      <LanguageSwitch />
    </header>
  );
}
