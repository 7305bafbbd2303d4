import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { myPushKey, subscribeMyPush, unsubscribeMyPush } from '../../data/api';
import { errorText } from '../errors';
import { Notice } from '../Notice';

/**
 * This tablet is told when a technician finds a problem to price or asks for help (Web Push):
 * the person signed in turns it on here; the browser asks for permission once.
 */
export function StaffAlerts() {
  const [state, setState] = useState<'loading' | 'unsupported' | 'off' | 'on' | 'blocked'>('loading');
  const [error, setError] = useState<string | null>(null);
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

  useEffect(() => {
    if (!supported) return setState('unsupported');
    if (Notification.permission === 'denied') return setState('blocked');
    void navigator.serviceWorker.ready.then((registration) => registration.pushManager.getSubscription())
      .then((subscription) => setState(subscription ? 'on' : 'off'), () => setState('off'));
  }, []);

  async function turnOn() {
    setError(null);
    try {
      const { public_key: key } = await myPushKey();
      if (!key) throw new Error(t('alerts.notSetUp'));
      if ((await Notification.requestPermission()) !== 'granted') return setState('blocked');
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      await subscribeMyPush(subscription.toJSON());
      setState('on');
    } catch (failure) {
      setError(failure instanceof Error && failure.message === t('alerts.notSetUp') ? failure.message : `${t('alerts.failed')} ${errorText(failure)}`);
    }
  }

  async function turnOff() {
    setError(null);
    try {
      const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
      if (subscription) {
        await unsubscribeMyPush(subscription.endpoint);
        await subscription.unsubscribe();
      }
      setState('off');
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <section class="panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title">{t('alerts.title')}</h2>
      <p class="muted">{t('alerts.lead')}</p>
      {state === 'unsupported' && <p class="muted">{t('alerts.unsupported')}</p>}
      {state === 'blocked' && <Notice tone="info">{t('alerts.blocked')}</Notice>}
      {state === 'off' && <button type="button" class="button-primary" onClick={() => void turnOn()}>{t('alerts.on')}</button>}
      {state === 'on' && (<>
        <Notice tone="ok">{t('alerts.isOn')}</Notice>
        <button type="button" class="button-secondary" onClick={() => void turnOff()}>{t('alerts.off')}</button>
      </>)}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
