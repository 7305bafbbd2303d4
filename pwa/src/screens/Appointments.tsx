import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { appointments as loadAppointments, checkIn, createAppointment, openOrderOf } from '../data/api';
import { addDays, formatTime, newId, taipeiDate, taipeiLocalToIso } from '../data/format';
import { ApiError } from '../data/http';
import {
  APPOINTMENT_SOURCES, type Appointment, type AppointmentSource, type OrderSummary, type Vehicle,
} from '../data/types';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { Field, wholeNumber } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PaperButtons } from '../ui/PaperButtons';
import { appointmentsPdf } from '../data/paper';
import { OpenOrderNotice, PickedVehicle, PlateLookup } from '../ui/PlateLookup';
import { navigate, orderPath, vehicleHistoryPath } from '../ui/router';

/** The day's appointments (預約表), one-tap check-in into an order, and a form to add one. */
export function Appointments() {
  const today = taipeiDate();
  const [date, setDate] = useState(today);
  const [list, setList] = useState<Appointment[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  // The booked car is in the shop under an open order already (the API opens no second one).
  const [openOrder, setOpenOrder] = useState<OrderSummary | null>(null);

  const refresh = useCallback(() => {
    setList(null);
    loadAppointments(date).then((answer) => { setList(answer.appointments); setError(null); },
      (failure: unknown) => setError(errorText(failure)));
  }, [date]);
  useEffect(refresh, [refresh]);

  async function arrive(appointment: Appointment) {
    setBusy(appointment.appointment_id);
    setError(null);
    setOpenOrder(null);
    try {
      const outcome = await checkIn(appointment.appointment_id, newId());
      if (outcome.sent) navigate(orderPath(outcome.body.order_id));
      else setNote(t('common.queued'));
    } catch (failure) {
      const order = failure instanceof ApiError && failure.code === 'vehicle_has_open_order'
        ? await openOrderOf(appointment.vehicle_id).catch(() => null) : null;
      if (order) setOpenOrder(order); // says so, with the way to that order
      else setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="screen" aria-labelledby="appointments-title">
      <div class="screen-head">
        <h1 id="appointments-title">{t('appointments.title')}</h1>
        <span class="screen-sub">{date}</span>
      </div>
      <div class="button-row day-switch">
        <button type="button" class="button-secondary" onClick={() => setDate(addDays(date, -1))}>{t('appointments.previous')}</button>
        <button type="button" class="button-secondary" disabled={date === today} onClick={() => setDate(today)}>{t('appointments.today')}</button>
        <button type="button" class="button-secondary" onClick={() => setDate(addDays(date, 1))}>{t('appointments.next')}</button>
      </div>
      <div class="paper-row">
        <PaperButtons label={t('paper.appointmentsDay')} make={() => appointmentsPdf(date, 'day')} testId="paper-appointments-day" />
        <PaperButtons label={t('paper.appointmentsWeek')} make={() => appointmentsPdf(date, 'week')} testId="paper-appointments-week" />
      </div>
      {error && <Notice>{error}</Notice>}
      {openOrder && <OpenOrderNotice order={openOrder} />}
      {note && <Notice tone="info">{note}</Notice>}
      {list === null && !error && <p class="muted">{t('common.loading')}</p>}
      {list && list.length === 0 && <p class="muted">{t('appointments.empty')}</p>}
      {list && list.length > 0 && (
        <ul class="appointments">
          {list.map((a) => (
            <li key={a.appointment_id} class={`appointment appointment-${a.state}`}>
              <time class="appointment-time" dateTime={a.at}>{formatTime(a.at, date)}</time>
              <div class="appointment-text">
                <span><span class="plate">{a.plate}</span>{' '}<a class="tap-link" href={`#${vehicleHistoryPath(a.vehicle_id)}`}>{t('history.open')}</a></span>
                <span>{a.customer_name} · {a.purpose}</span>
                <span class="muted">
                  {t(`source.${a.source}`)} · {tf('appointments.minutes', { n: a.duration_minutes })}
                  {a.parts_to_prepare?.length ? ` · ${a.parts_to_prepare.join('、')}` : ''}
                </span>
              </div>
              {a.state === 'booked' ? (
                <button type="button" class="button-primary" disabled={busy !== null} onClick={() => void arrive(a)}>
                  {t('appointments.checkIn')}
                </button>
              ) : a.order_id ? (
                <a class="button-secondary" href={`#${orderPath(a.order_id)}`}>{t('appointments.openOrder')}</a>
              ) : (
                <span class="tag">{t(`appointments.${a.state}`)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {adding ? (
        <AddAppointment date={date} onDone={(added) => { setAdding(false); if (added) refresh(); }} />
      ) : (
        <button type="button" class="button-secondary button-block" onClick={() => setAdding(true)}>{t('appointments.add')}</button>
      )}
    </section>
  );
}

function AddAppointment({ date, onDone }: { date: string; onDone: (added: boolean) => void }) {
  const [vehicle, setVehicle] = useState<Vehicle | null>(null);
  const [time, setTime] = useState('09:00');
  const [duration, setDuration] = useState('60');
  const [purpose, setPurpose] = useState('');
  const [source, setSource] = useState<AppointmentSource>('phone');
  const [parts, setParts] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const at = taipeiLocalToIso(`${date}T${time}`);
    const minutes = wholeNumber(duration);
    const missing = [
      !vehicle && t('appointments.vehicle'),
      !at && t('appointments.time'),
      (minutes === undefined || Number.isNaN(minutes)) && t('appointments.duration'),
      !purpose.trim() && t('appointments.purpose'),
    ].filter(Boolean);
    if (missing.length || !vehicle || !at || minutes === undefined) {
      setError(tf('newOrder.required', { fields: missing.join('、') }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createAppointment({
        at, duration_minutes: minutes, purpose: purpose.trim(), source,
        customer_id: vehicle.customer_id, vehicle_id: vehicle.vehicle_id,
        parts_to_prepare: parts.split(/[、,，;；\n]/).map((part) => part.trim()).filter(Boolean),
      });
      onDone(true);
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form class="form panel" onSubmit={submit} noValidate aria-label={t('appointments.add')}>
      <h2>{t('appointments.add')}</h2>
      {vehicle
        ? <PickedVehicle vehicle={vehicle} onChange={() => setVehicle(null)} />
        : <PlateLookup id="appointment-plate" label={t('appointments.vehicle')} onPick={setVehicle} />}
      <div class="field-row">
        <Field id="appointment-time" label={`${t('appointments.time')}（${date}）`} type="time" value={time} onValue={setTime} />
        <Field id="appointment-duration" label={t('appointments.duration')} value={duration} onValue={setDuration}
          inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
      </div>
      <Field id="appointment-purpose" label={t('appointments.purpose')} value={purpose} onValue={setPurpose} autoComplete="off" />
      <Choice label={t('appointments.source')} value={source} onChange={setSource}
        options={APPOINTMENT_SOURCES.map((value) => ({ value, label: t(`source.${value}`) }))} />
      <Field id="appointment-parts" label={t('appointments.parts')} hint={t('appointments.partsHint')} value={parts}
        onValue={setParts} autoComplete="off" />
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('appointments.submit')}</button>
        <button type="button" class="button-secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
