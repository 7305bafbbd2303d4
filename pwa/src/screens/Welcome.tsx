import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { redeemWelcome } from '../data/admin';
import { errorText } from '../ui/errors';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { navigate } from '../ui/router';

const MIN_PASSWORD = 10;

/**
 * A new shop's owner at their one-time link (`/welcome#<token>`, from the hosting team): choose a
 * password, twice; then signed in, on the board, and the link is gone from the address bar.
 */
export function Welcome({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return setError(t('welcome.tooShort'));
    if (password !== again) return setError(t('welcome.mismatch'));
    setBusy(true);
    setError(null);
    try {
      await redeemWelcome(token, password);
      history.replaceState(null, '', '/');
      navigate('/settings');
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  if (!token) {
    return <section class="card"><h1>{t('welcome.title')}</h1><Notice>{t('welcome.noToken')}</Notice></section>;
  }
  return (
    <section class="card" aria-labelledby="welcome-title">
      <h1 id="welcome-title">{t('welcome.title')}</h1>
      <p class="lead">{t('welcome.lead')}</p>
      <form class="form" onSubmit={submit} noValidate>
        <Field id="welcome-password" label={t('welcome.password')} hint={t('welcome.passwordHint')}
          value={password} onValue={setPassword} type="password" autoComplete="new-password" />
        <Field id="welcome-again" label={t('welcome.again')} value={again} onValue={setAgain}
          type="password" autoComplete="new-password" enterKeyHint="go" />
        {error && <Notice>{error}</Notice>}
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? t('signIn.working') : t('welcome.submit')}
        </button>
      </form>
    </section>
  );
}
