import { HTML_LANG, locale, t, toggleLocale } from '../i18n';

/** One tap flips between 中文 and English; the label is written in the language it switches to. */
export function LanguageSwitch() {
  const target = locale.value === 'zh-TW' ? 'en' : 'zh-TW';
  return (
    <button
      type="button"
      class="language-switch"
      lang={HTML_LANG[target]}
      aria-label={t('language.switchLabel')}
      onClick={toggleLocale}
    >
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="1.8" />
        <path d="M3 12h18M12 3c2.6 2.7 3.8 5.7 3.8 9s-1.2 6.3-3.8 9c-2.6-2.7-3.8-5.7-3.8-9S9.4 5.7 12 3z"
          fill="none" stroke="currentColor" stroke-width="1.8" />
      </svg>
      {t('language.switch')}
    </button>
  );
}
