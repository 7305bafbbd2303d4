import { t } from '../i18n';
import { systemStatus } from '../data/status';

/** One line saying whether the system behind the app answers, and which part does not. */
export function StatusLine() {
  const { tone, messages, version } = systemStatus.value;
  return (
    <p class={`status status-${tone}`} role="status" aria-live="polite" data-tone={tone}>
      <span class="status-dot" aria-hidden="true" />
      <span class="visually-hidden">{t('status.label')}：</span>
      <span class="status-text">{messages.map(t).join(' · ')}</span>
      {version && (
        <span class="status-version">
          {t('status.version')} {version}
        </span>
      )}
    </p>
  );
}
