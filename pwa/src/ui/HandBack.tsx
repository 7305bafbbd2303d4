import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { unlockHandover } from '../data/api';
import { session } from '../data/client';
import { endHandover } from '../data/handover';
import { errorText } from './errors';
import { Field } from './Field';
import { Notice } from './Notice';
import { PinPad } from './PinPad';
import { navigate, orderPath } from './router';

/**
 * 交回服務顧問: the tablet goes back from the customer to the staff member, who proves it is
 * them with their PIN (a password when they have none, or prefer it); then the order again.
 */
export function HandBack({ orderId, primary = false }: { orderId: string; primary?: boolean }) {
  const staff = session.value?.staff;
  const [open, setOpen] = useState(false);
  const [byPassword, setByPassword] = useState(!staff?.has_pin);
  const [pin, setPin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function unlock(secret: string) {
    setBusy(true);
    setError(null);
    try {
      await unlockHandover(secret);
      endHandover();
      navigate(orderPath(orderId));
    } catch (failure) {
      setError(errorText(failure));
      setPin('');
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" class={primary ? 'button-primary button-step' : 'button-secondary'} onClick={() => setOpen(true)}>
        {t('sign.handBack')}
      </button>
    );
  }
  return (
    <section class="panel hand-back" role="dialog" aria-labelledby="hand-back-title">
      <h2 id="hand-back-title">{t('handBack.title')}</h2>
      <p class="muted">{staff ? `${staff.name} · ` : ''}{byPassword ? t('handBack.byPassword') : t('handBack.byPin')}</p>
      {byPassword ? (
        <form class="form" noValidate onSubmit={(event) => { event.preventDefault(); if (password) void unlock(password); }}>
          <Field id="hand-back-password" label={t('handBack.password')} value={password} onValue={setPassword}
            type="password" autoComplete="current-password" />
          <button type="submit" class="button-primary" disabled={busy || !password}>{t('handBack.unlock')}</button>
        </form>
      ) : (
        <PinPad value={pin} onChange={setPin} onComplete={(full) => void unlock(full)} disabled={busy} />
      )}
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        {staff?.has_pin && (
          <button type="button" class="button-link" onClick={() => { setByPassword(!byPassword); setError(null); }}>
            {byPassword ? t('handBack.usePin') : t('handBack.usePassword')}
          </button>
        )}
        <button type="button" class="button-secondary" onClick={() => { setOpen(false); setError(null); setPin(''); }}>
          {t('handBack.stay')}
        </button>
      </div>
    </section>
  );
}
