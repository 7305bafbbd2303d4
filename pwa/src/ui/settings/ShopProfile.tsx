// The shop as its customers see it (owner, manager): name, phone, address, LINE ID and logo on
// the customer's page; how long the page stays open after delivery, the total above which a
// remote approval needs the texted code, and the warranty printed on the checkout list.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  changeShopProfile, changeShopSettings, shopProfile, shopSettings, uploadShopLogo,
  type OpeningHours, type ShopNumber, type ShopProfile as Profile,
} from '../../data/api';
import { formatPhone, validTaxId } from '../../data/format';
import { OpeningHoursEditor } from './OpeningHours';
import { errorText } from '../errors';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';

type Message = { tone: 'error' | 'ok' | 'info'; text: string };
const TEXTS = ['name', 'phone', 'address', 'line_id', 'tax_id'] as const;
const NUMBERS: { name: ShopNumber; min: number; max: number }[] = [
  { name: 'link_days_after_delivery', min: 1, max: 365 },
  { name: 'remote_code_above', min: 0, max: 10_000_000 },
  { name: 'warranty_months', min: 0, max: 120 },
  { name: 'warranty_km', min: 0, max: 500_000 },
  { name: 'followup_after_days', min: 1, max: 30 },
  { name: 'service_months', min: 1, max: 36 },
  { name: 'service_km', min: 1_000, max: 100_000 },
  { name: 'reminder_gap_days', min: 1, max: 365 },
];
const LOGO_MAX_BYTES = 2 * 1024 * 1024;

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] ?? '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A field as the form shows it: the phone as the shop writes it (02-2765-1234), not +886…. */
const shown = (profile: Profile, name: (typeof TEXTS)[number]) =>
  name === 'phone' && profile.phone ? formatPhone(String(profile.phone)) : String(profile[name] ?? '');

export function ShopProfile() {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [hours, setHours] = useState<OpeningHours>({});
  const [numbers, setNumbers] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<Record<string, number>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  function adoptProfile(next: Profile): void {
    setProfile(next);
    setTexts(Object.fromEntries(TEXTS.map((name) => [name, shown(next, name)])));
    setHours(next.opening_hours ?? {});
  }

  useEffect(() => {
    Promise.all([shopProfile(), shopSettings()]).then(([shop, settings]) => {
      adoptProfile(shop);
      const values = Object.fromEntries(NUMBERS.map(({ name }) => [name, Number(settings[name] ?? 0)]));
      setSaved(values);
      setNumbers(Object.fromEntries(Object.entries(values).map(([name, value]) => [name, String(value)])));
    }, (failure: unknown) => setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (!profile) return;
    const textChange: Record<string, unknown> = {};
    for (const name of TEXTS) {
      if ((texts[name] ?? '').trim() !== shown(profile, name)) textChange[name] = (texts[name] ?? '').trim();
    }
    const taxId = String(textChange.tax_id ?? '');
    if (taxId && !validTaxId(taxId)) return setMessage({ tone: 'error', text: t('shop.taxIdInvalid') });
    if (Object.values(hours).some((day) => day && day.close <= day.open)) {
      return setMessage({ tone: 'error', text: t('shop.hoursBackwards') });
    }
    if (JSON.stringify(hours) !== JSON.stringify(profile.opening_hours ?? {})) textChange.opening_hours = hours;
    const numberChange: Partial<Record<ShopNumber, number>> = {};
    for (const { name, min, max } of NUMBERS) {
      const value = wholeNumber(numbers[name] ?? '');
      if (value === undefined || Number.isNaN(value) || value < min || value > max) {
        return setMessage({ tone: 'error', text: tf('shop.outOfRange', { label: t(`shop.${name}`), min: min.toLocaleString('en-US'), max: max.toLocaleString('en-US') }) });
      }
      if (value !== saved[name]) numberChange[name] = value;
    }
    if (!Object.keys(textChange).length && !Object.keys(numberChange).length) {
      return setMessage({ tone: 'info', text: t('settings.nothingChanged') });
    }
    setBusy(true);
    setMessage(null);
    try {
      let queued = false;
      if (Object.keys(textChange).length) {
        const outcome = await changeShopProfile(textChange as Parameters<typeof changeShopProfile>[0]);
        if (outcome.sent) adoptProfile(outcome.body); else queued = true;
      }
      if (Object.keys(numberChange).length) {
        const outcome = await changeShopSettings(numberChange);
        setSaved({ ...saved, ...numberChange });
        if (!outcome.sent) queued = true;
      }
      setMessage(queued ? { tone: 'info', text: t('common.queued') } : { tone: 'ok', text: t('settings.saved') });
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  async function logo(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (file.size > LOGO_MAX_BYTES) return setMessage({ tone: 'error', text: t('shop.logoTooBig') });
    setBusy(true);
    setMessage(null);
    try {
      adoptProfile(await uploadShopLogo(await base64Of(file)));
      setMessage({ tone: 'ok', text: t('shop.logoSaved') });
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form panel shop-profile" onSubmit={submit} noValidate aria-labelledby="shop-title">
      <h2 id="shop-title">{t('shop.title')}</h2>
      <p class="muted">{t('shop.lead')}</p>
      {profile && (
        <>
          <div class="shop-logo">
            {profile.logo_url
              ? <img src={profile.logo_url} alt={t('shop.logo')} height={64} />
              : <span class="muted">{t('shop.noLogo')}</span>}
            <label class="button-secondary file-button">
              {t('shop.chooseLogo')}
              <input type="file" accept="image/jpeg,image/png,image/webp" onChange={logo} disabled={busy} />
            </label>
          </div>
          <div class="field-row shop-fields">
            {TEXTS.map((name) => (
              <Field key={name} id={`shop-${name}`} label={t(`shop.${name}`)}
                hint={name === 'line_id' ? t('shop.lineHint') : name === 'tax_id' ? t('shop.taxIdHint') : undefined}
                value={texts[name] ?? ''} onValue={(text) => setTexts({ ...texts, [name]: text })}
                type={name === 'phone' ? 'tel' : 'text'}
                inputMode={name === 'phone' ? 'tel' : name === 'tax_id' ? 'numeric' : 'text'}
                autoComplete="off" />
            ))}
          </div>
          <OpeningHoursEditor hours={hours} onHours={setHours} />
          <h3>{t('shop.customerSide')}</h3>
          <div class="field-row">
            {NUMBERS.map(({ name }) => (
              <Field key={name} id={`shop-${name}`} label={t(`shop.${name}`)} hint={t(`shop.${name}.hint`)}
                value={numbers[name] ?? ''} onValue={(text) => setNumbers({ ...numbers, [name]: text })}
                inputMode="numeric" autoComplete="off" enterKeyHint="done" />
            ))}
          </div>
        </>
      )}
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <button type="submit" class="button-primary" disabled={busy || !profile}>{t('shop.save')}</button>
    </form>
  );
}
