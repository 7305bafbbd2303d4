// 線上預約: how the shop takes bookings (slot length, cars per slot, how far ahead and how soon,
// confirm by hand, holidays, the services a customer picks, online on/off), saved whole through
// the write queue; the booking page's address and its QR, printed as a poster for the counter.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  bookingSetup, holidayList, moved, saveBookingSetup, serviceId,
  type BookingService, type BookingSetup as Setup,
} from '../../data/bookings';
import { session } from '../../data/client';
import { errorText } from '../errors';
import { Field, wholeNumber } from '../Field';
import { Notice } from '../Notice';
import type { Message } from './useAdminList';
import './admin.css';
import './booking-setup.css';

type Numbers = { slot_minutes: string; cars_per_slot: string; days_ahead: string; notice_hours: string };
const LIMITS: Record<keyof Numbers, [number, number]> = {
  slot_minutes: [15, 120], cars_per_slot: [1, 50], days_ahead: [1, 120], notice_hours: [0, 72],
};
type ServiceRow = { service_id: string; zh: string; en: string; minutes: string };

export function BookingSetup() {
  const [setup, setSetup] = useState<Setup | null>(null);
  const [numbers, setNumbers] = useState<Numbers | null>(null);
  const [services, setServices] = useState<ServiceRow[]>([]);
  const [holidays, setHolidays] = useState<string[]>([]);
  const [holiday, setHoliday] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  function adopt(answer: Setup) {
    setSetup(answer);
    setNumbers({
      slot_minutes: String(answer.slot_minutes), cars_per_slot: String(answer.cars_per_slot),
      days_ahead: String(answer.days_ahead), notice_hours: String(answer.notice_hours),
    });
    setServices(answer.services.map((s) => ({ ...s, minutes: String(s.minutes) })));
    setHolidays(answer.holidays);
  }
  useEffect(() => {
    bookingSetup().then(adopt, (failure: unknown) =>
      setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (!setup || !numbers) return;
    const read = {} as Record<keyof Numbers, number>;
    for (const name of Object.keys(LIMITS) as (keyof Numbers)[]) {
      const value = wholeNumber(numbers[name]);
      const [min, max] = LIMITS[name];
      if (value === undefined || Number.isNaN(value) || value < min || value > max) {
        return setMessage({ tone: 'error', text: tf('bookingSetup.outOfRange', { label: t(`bookingSetup.${name}`), min, max }) });
      }
      read[name] = value;
    }
    const list: BookingService[] = [];
    for (const row of services) {
      const minutes = wholeNumber(row.minutes);
      if (!row.zh.trim() || minutes === undefined || Number.isNaN(minutes) || minutes < 15 || minutes > 600) {
        return setMessage({ tone: 'error', text: t('bookingSetup.serviceIncomplete') });
      }
      list.push({ service_id: row.service_id, zh: row.zh.trim(), en: row.en.trim() || row.zh.trim(), minutes });
    }
    if (list.length === 0) return setMessage({ tone: 'error', text: t('bookingSetup.noServices') });
    setBusy(true);
    setMessage(null);
    const whole = {
      ...read, confirm_by_hand: setup.confirm_by_hand, online: setup.online, holidays: holidayList(holidays), services: list,
    };
    try {
      const outcome = await saveBookingSetup(whole);
      if (outcome.sent) {
        adopt(outcome.body);
        setMessage({ tone: 'ok', text: t('settings.saved') });
      } else {
        setMessage({ tone: 'info', text: t('common.queued') });
      }
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  const setRow = (index: number, change: Partial<ServiceRow>) =>
    setServices(services.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const addService = () => setServices([...services, {
    service_id: serviceId(`service-${services.length + 1}`, services.map((s) => s.service_id)), zh: '', en: '', minutes: '60',
  }]);

  return (
    <form class="form panel booking-setup admin" onSubmit={submit} noValidate aria-labelledby="booking-setup-title">
      <h2 id="booking-setup-title">{t('bookingSetup.title')}</h2>
      <p class="muted">{t('bookingSetup.lead')}</p>
      {setup && numbers && (
        <>
          <label class="check">
            <input type="checkbox" checked={setup.online} onChange={(e) => setSetup({ ...setup, online: e.currentTarget.checked })} />
            <span>{t('bookingSetup.online')}</span>
          </label>
          <div class="field-row">
            {(Object.keys(LIMITS) as (keyof Numbers)[]).map((name) => (
              <Field key={name} id={`booking-${name}`} label={t(`bookingSetup.${name}`)}
                hint={tf('bookingSetup.range', { min: LIMITS[name][0], max: LIMITS[name][1] })}
                value={numbers[name]} onValue={(text) => setNumbers({ ...numbers, [name]: text })}
                inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
            ))}
          </div>
          <label class="check">
            <input type="checkbox" checked={setup.confirm_by_hand}
              onChange={(e) => setSetup({ ...setup, confirm_by_hand: e.currentTarget.checked })} />
            <span>{t('bookingSetup.confirmByHand')}</span>
          </label>

          <fieldset class="booking-holidays">
            <legend>{t('bookingSetup.holidays')}</legend>
            {holidays.length === 0 && <p class="muted">{t('bookingSetup.noHolidays')}</p>}
            <ul class="booking-holiday-list">
              {holidayList(holidays).map((date) => (
                <li key={date}>
                  <span>{date}</span>
                  <button type="button" class="button-secondary" aria-label={tf('bookingSetup.removeHoliday', { date })}
                    onClick={() => setHolidays(holidays.filter((d) => d !== date))}>
                    {t('bookingSetup.remove')}
                  </button>
                </li>
              ))}
            </ul>
            <div class="booking-holiday-add">
              <label class="field-label" for="booking-holiday">{t('bookingSetup.holidayDate')}</label>
              <input id="booking-holiday" type="date" value={holiday} onInput={(e) => setHoliday(e.currentTarget.value)} />
              <button type="button" class="button-secondary" disabled={!holiday}
                onClick={() => { setHolidays(holidayList([...holidays, holiday])); setHoliday(''); }}>
                {t('bookingSetup.addHoliday')}
              </button>
            </div>
          </fieldset>

          <fieldset class="booking-services">
            <legend>{t('bookingSetup.services')}</legend>
            <ol class="booking-service-list">
              {services.map((row, i) => (
                <li key={row.service_id} class="booking-service" data-service={row.service_id}>
                  <Field id={`service-zh-${i}`} label={t('bookingSetup.serviceZh')} value={row.zh} onValue={(zh) => setRow(i, { zh })} autoComplete="off" />
                  <Field id={`service-en-${i}`} label={t('bookingSetup.serviceEn')} value={row.en} onValue={(en) => setRow(i, { en })} autoComplete="off" />
                  <Field id={`service-minutes-${i}`} label={t('bookingSetup.serviceMinutes')} value={row.minutes}
                    onValue={(minutes) => setRow(i, { minutes })} inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
                  <div class="booking-service-moves">
                    <button type="button" class="button-secondary" disabled={i === 0} aria-label={tf('bookingSetup.up', { name: row.zh })}
                      onClick={() => setServices(moved(services, i, -1))}>↑</button>
                    <button type="button" class="button-secondary" disabled={i === services.length - 1} aria-label={tf('bookingSetup.down', { name: row.zh })}
                      onClick={() => setServices(moved(services, i, 1))}>↓</button>
                    <button type="button" class="button-danger" aria-label={tf('bookingSetup.removeService', { name: row.zh })}
                      onClick={() => setServices(services.filter((_, j) => j !== i))}>{t('bookingSetup.remove')}</button>
                  </div>
                </li>
              ))}
            </ol>
            <button type="button" class="button-secondary" disabled={services.length >= 30} onClick={addService}>{t('bookingSetup.addService')}</button>
          </fieldset>
        </>
      )}
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <button type="submit" class="button-primary" disabled={busy || !setup}>{t('bookingSetup.save')}</button>
      {setup && <BookingQr url={setup.booking_url} svg={setup.booking_qr_svg} />}
    </form>
  );
}

/** The booking page's address, its QR, and the poster printed from it (A4/A5, print CSS). */
function BookingQr({ url, svg }: { url: string; svg: string }) {
  const shop = session.value?.shop.name ?? '';
  return (
    <section class="booking-qr" aria-labelledby="booking-qr-title">
      <h3 id="booking-qr-title">{t('bookingSetup.page')}</h3>
      <p class="booking-url"><a href={url} target="_blank" rel="noopener" class="tap-link">{url}</a></p>
      {/* The API draws the QR; it is our own SVG of the shop's own address. */}
      <div class="booking-qr-image" dangerouslySetInnerHTML={{ __html: svg }} />
      <button type="button" class="button-secondary" onClick={() => window.print()}>{t('bookingSetup.printQr')}</button>
      <div class="qr-poster" aria-hidden="true">
        <p class="qr-poster-shop">{shop}</p>
        <p class="qr-poster-call">掃描預約</p>
        <p class="qr-poster-call-en">Scan to book</p>
        <div class="qr-poster-code" dangerouslySetInnerHTML={{ __html: svg }} />
        <p class="qr-poster-url">{url}</p>
      </div>
    </section>
  );
}
