import { t } from '../i18n';

/**
 * A placeholder until accounts exist: the fields are real (so autofill and keyboards can be
 * checked on the shop's devices) but the button stays disabled and says why.
 */
export function SignIn() {
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p class="lead">{t('signIn.lead')}</p>
      <form class="form" onSubmit={(event) => event.preventDefault()} noValidate>
        <div class="field">
          <label class="field-label" for="sign-in-account">{t('signIn.account')}</label>
          <input
            id="sign-in-account"
            name="username"
            type="text"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellcheck={false}
            enterKeyHint="next"
            aria-describedby="sign-in-account-hint"
          />
          <p class="field-hint" id="sign-in-account-hint">{t('signIn.accountHint')}</p>
        </div>
        <div class="field">
          <label class="field-label" for="sign-in-password">{t('signIn.password')}</label>
          <input
            id="sign-in-password"
            name="password"
            type="password"
            autoComplete="current-password"
            enterKeyHint="go"
          />
        </div>
        <button type="submit" class="button-primary" disabled aria-describedby="sign-in-note">
          {t('signIn.submit')}
        </button>
        <p id="sign-in-note" class="note">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <circle cx="12" cy="12" r="10" fill="currentColor" />
            <path d="M12 10.5v6M12 7.2v.1" stroke="#fff" stroke-width="2.2" stroke-linecap="round" />
          </svg>
          {t('signIn.comingSoon')}
        </p>
      </form>
    </section>
  );
}
