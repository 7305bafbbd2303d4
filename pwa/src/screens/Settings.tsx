import { useState } from 'preact/hooks';
import { t, tf, type MessageKey } from '../i18n';
import { registerDevice, setMyPin, signOut } from '../data/api';
import { device, rememberDevice, session } from '../data/client';
import { errorText } from '../ui/errors';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { navigate } from '../ui/router';
import { TemplateEditor } from '../ui/settings/TemplateEditor';
import { QualityTemplateEditor } from '../ui/settings/QualityTemplateEditor';
import { ShopProfile } from '../ui/settings/ShopProfile';
import { Thresholds } from '../ui/settings/Thresholds';
import { DocumentDates } from '../ui/settings/DocumentDates';
import { LazyDataTransfer } from '../ui/settings/LazyDataTransfer';
import { StaffAlerts } from '../ui/settings/StaffAlerts';
import { Staff } from '../ui/settings/Staff';
import { Tablets } from '../ui/settings/Tablets';
import { NotifyTemplates } from '../ui/settings/NotifyTemplates';
import { BookingSetup } from '../ui/settings/BookingSetup';
import { Catalogue } from '../ui/settings/Catalogue';
import { PriceListImport } from '../ui/settings/PriceListImport';

/**
 * My PIN; for an owner or manager also making this tablet a shared shop device and the shop's
 * tablets, its staff, the shop's details and opening hours, its online booking, the inspection thresholds, the
 * customer messages and the walk-around checklist (the API refuses others with 403 anyway).
 */
export function Settings() {
  const who = session.value;
  if (!who) return null;
  const manages = who.staff.role === 'owner' || who.staff.role === 'manager';
  return (
    <section class="screen" aria-labelledby="settings-title">
      <div class="screen-head">
        <h1 id="settings-title">{t('settings.title')}</h1>
        <span class="screen-sub">{tf('settings.me', { name: who.staff.name, role: t(`role.${who.staff.role}`) })}</span>
      </div>
      {manages && <SettingsIndex />}
      <PinForm />
      <section class="panel" aria-labelledby="device-title">
        <h2 id="device-title">{t('settings.device')}</h2>
        <p class="muted">{t('settings.deviceLead')}</p>
        {device.value ? (
          <>
            <Notice tone="ok">{tf('settings.registered', { name: device.value.name })}</Notice>
            <button type="button" class="button-secondary" onClick={() => rememberDevice(null)}>{t('settings.forget')}</button>
          </>
        ) : manages ? <RegisterDevice /> : <p class="muted">{t('settings.managersOnly')}</p>}
        {manages && <Tablets key={device.value?.device_id ?? 'none'} />}
      </section>
      {manages && <Staff />}
      {who.staff.role !== 'technician' && <StaffAlerts />}
      {manages && <ShopProfile />}
      {manages && <BookingSetup />}
      {manages && <Catalogue />}
      {manages && <PriceListImport />}
      {manages && <Thresholds />}
      {manages && <DocumentDates />}
      {manages && <NotifyTemplates />}
      {manages && <TemplateEditor />}
      {manages && <QualityTemplateEditor />}
      {manages && <LazyDataTransfer />}
      <button type="button" class="button-secondary button-block" onClick={() => void signOut().then(() => navigate('/sign-in'))}>
        {t('header.signOut')}
      </button>
    </section>
  );
}

// The panels an owner or manager comes for, in the page's order: one tap to each.
const INDEX: [string, MessageKey][] = [
  ['device-title', 'settings.device'], ['staff-title', 'staff.title'], ['shop-title', 'shop.title'],
  ['booking-setup-title', 'bookingSetup.title'], ['catalogue-title', 'catalogue.title'],
  ['price-list-title', 'priceList.title'],
  ['thresholds-title', 'settings.thresholds'], ['document-dates-title', 'paper.dates'],
  ['notify-title', 'notify.title'], ['template-title', 'settings.template'],
  ['quality-template-title', 'settings.qualityTemplate'],
];

/** The panel's heading at the top of the screen's own scroller (scrollIntoView would move the
 * whole page too, header and navigation off the top). */
function showPanel(id: string) {
  const heading = document.getElementById(id);
  const main = heading?.closest('.main');
  if (!heading || !main) return;
  const top = main.scrollTop + heading.getBoundingClientRect().top - main.getBoundingClientRect().top - 16;
  main.scrollTo({ top, behavior: 'smooth' });
}

function SettingsIndex() {
  return (
    <nav class="settings-index" aria-label={t('settings.index')}>
      {INDEX.map(([id, label]) => (
        <button key={id} type="button" class="button-secondary"
          onClick={() => showPanel(id)}>
          {t(label)}
        </button>
      ))}
    </nav>
  );
}

function PinForm() {
  const [pin, setPin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (!/^\d{6}$/.test(pin)) {
      setMessage({ tone: 'error', text: t('settings.pinInvalid') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      await setMyPin(pin, password);
      setPin('');
      setPassword('');
      setMessage({ tone: 'ok', text: t('settings.pinSaved') });
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form panel" onSubmit={submit} noValidate aria-labelledby="pin-form-title">
      <h2 id="pin-form-title">{t('settings.pin')}</h2>
      <p class="muted">{t('settings.pinLead')}</p>
      <div class="field-row">
        <Field id="settings-pin" label={t('settings.newPin')} value={pin} onValue={setPin} type="password"
          inputMode="numeric" pattern="[0-9]*" maxLength={6} autoComplete="off" />
        <Field id="settings-password" label={t('settings.password')} value={password} onValue={setPassword}
          type="password" autoComplete="current-password" />
      </div>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <button type="submit" class="button-primary" disabled={busy}>{t('settings.pinSave')}</button>
    </form>
  );
}

function RegisterDevice() {
  const [name, setName] = useState(t('settings.deviceNameDefault'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await registerDevice(name.trim() || t('settings.deviceNameDefault'));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <Field id="device-name" label={t('settings.deviceName')} value={name} onValue={setName} autoComplete="off" />
      {error && <Notice>{error}</Notice>}
      <button type="submit" class="button-primary" disabled={busy}>{t('settings.register')}</button>
    </form>
  );
}
