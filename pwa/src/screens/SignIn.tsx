import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { deviceRoster, signIn, signInWithPin } from '../data/api';
import { device } from '../data/client';
import type { DeviceRoster, DeviceStaff } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { PinPad } from '../ui/PinPad';

/**
 * Sign-in. On a registered shop tablet: the staff as big buttons, then a PIN (two taps and six
 * digits); anywhere else, or when asked: login (mobile or e-mail) and password.
 */
export function SignIn() {
  const [usePassword, setUsePassword] = useState(false);
  if (device.value && !usePassword) return <PinSignIn onPassword={() => setUsePassword(true)} />;
  return <PasswordSignIn onPin={device.value ? () => setUsePassword(false) : undefined} />;
}

function PasswordSignIn({ onPin }: { onPin?: () => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (!login.trim() || !password) {
      setError(t('signIn.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(login.trim(), password);
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      <p class="lead">{t('signIn.lead')}</p>
      <form class="form" onSubmit={submit} noValidate>
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
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
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
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && <Notice>{error}</Notice>}
        <button type="submit" class="button-primary" disabled={busy}>
          {busy ? t('signIn.working') : t('signIn.submit')}
        </button>
        {onPin && (
          <button type="button" class="button-link" onClick={onPin}>{t('signIn.usePin')}</button>
        )}
      </form>
    </section>
  );
}

function PinSignIn({ onPassword }: { onPassword: () => void }) {
  const [roster, setRoster] = useState<DeviceRoster | null>(null);
  const [rosterError, setRosterError] = useState<string | null>(null);
  const [person, setPerson] = useState<DeviceStaff | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    deviceRoster().then(setRoster, (failure: unknown) => setRosterError(errorText(failure)));
  }, []);

  async function submit(digits: string) {
    if (!person) return;
    setBusy(true);
    setError(null);
    try {
      await signInWithPin(person.staff_id, digits);
    } catch (failure) {
      setError(errorText(failure));
      setPin('');
      setBusy(false);
    }
  }

  const passwordLink = (
    <button type="button" class="button-link" onClick={onPassword}>{t('signIn.usePassword')}</button>
  );

  if (person) {
    return (
      <section class="card card-pin" aria-labelledby="pin-title">
        <h1 id="pin-title">{tf('signIn.pinFor', { name: person.name })}</h1>
        <PinPad value={pin} onChange={setPin} onComplete={(digits) => void submit(digits)} disabled={busy} />
        {error && <Notice>{error}</Notice>}
        <button type="button" class="button-secondary" onClick={() => { setPerson(null); setPin(''); setError(null); }}>
          {t('signIn.pinBack')}
        </button>
      </section>
    );
  }

  return (
    <section class="card card-wide" aria-labelledby="who-title">
      <h1 id="who-title">{t('signIn.who')}</h1>
      {roster && <p class="lead">{tf('signIn.whoLead', { shop: roster.shop.name })}</p>}
      {rosterError && <Notice>{tf('signIn.rosterFailed', { reason: rosterError })}</Notice>}
      {!roster && !rosterError && <p class="lead">{t('common.loading')}</p>}
      {roster && (
        <div class="people">
          {roster.staff.map((member) => (
            <button
              type="button"
              key={member.staff_id}
              class="person"
              disabled={!member.has_pin}
              onClick={() => setPerson(member)}
            >
              <span class="person-name">{member.name}</span>
              <span class="person-role">{member.has_pin ? t(`role.${member.role}`) : t('signIn.noPin')}</span>
            </button>
          ))}
        </div>
      )}
      {passwordLink}
    </section>
  );
}
