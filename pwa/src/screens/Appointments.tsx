import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { locale, t, tf } from '../i18n';
import { checkIn, createAppointment, listStaff, openOrderOf } from '../data/api';
import {
  bookingsBySlot, dayLoad, shortDate, slotLoad, stateChip, thisWeek, week as loadWeek,
  weekdayIndex, bookingSetup, type BookingService, type Load, type Week, type WeekDay,
} from '../data/bookings';
import { addDays, formatTime, newId, taipeiDate, taipeiLocalToIso } from '../data/format';
import { ApiError, type Staff } from '../data/http';
import {
  APPOINTMENT_SOURCES, type Appointment, type AppointmentSource, type OrderSummary, type Vehicle,
} from '../data/types';
import { BookingSheet } from '../ui/BookingSheet';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { Field, wholeNumber } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PaperButtons } from '../ui/PaperButtons';
import { appointmentsPdf } from '../data/paper';
import { OpenOrderNotice, PickedVehicle, PlateLookup } from '../ui/PlateLookup';
import { navigate, orderPath, vehicleHistoryPath } from '../ui/router';
import './week.css';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const dayName = (date: string) => t(`week.day.${DAY_NAMES[weekdayIndex(date)]!}`);

/**
 * The advisor's bookings (預約表) as a week, Monday to Sunday: each day's slots with their load
 * (taken of the places there are, 額滿 when none is left, 公休 on closed days) and the cars booked
 * in them; a tap on a car opens its sheet (confirm, reschedule, cancel, no-show, technician,
 * parts ready, estimate, check-in). Below, the chosen day's list with one-tap check-in and the
 * form to add a booking.
 */
export function Appointments() {
  const today = taipeiDate();
  const [start, setStart] = useState(thisWeek());
  const [date, setDate] = useState(today);
  const [shown, setShown] = useState<Week | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [opened, setOpened] = useState<string | null>(null);
  // The booked car is in the shop under an open order already (the API opens no second one).
  const [openOrder, setOpenOrder] = useState<OrderSummary | null>(null);

  // The week asked for last: an answer for a week already left (taps faster than the network)
  // is dropped, not shown over the newer one.
  const wanted = useRef(start);
  const refresh = useCallback(() => {
    wanted.current = start;
    loadWeek(start).then((answer) => { if (wanted.current === start) { setShown(answer); setError(null); } },
      (failure: unknown) => { if (wanted.current === start) setError(errorText(failure)); });
  }, [start]);
  useEffect(() => { setShown(null); refresh(); }, [refresh]);

  function goToWeek(monday: string) {
    setStart(monday);
    setDate(monday === thisWeek() ? today : monday);
    setOpened(null);
  }

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
      if (order) { setOpened(null); setOpenOrder(order); } // says so, with the way to that order
      else setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  }

  const days = shown?.start === start ? shown.days : null;
  const list = days?.find((day) => day.date === date)?.appointments ?? null;
  const sheet = days?.flatMap((day) => day.appointments).find((a) => a.appointment_id === opened) ?? null;
  const last = addDays(start, 6);
  return (
    <section class="screen screen-wide week-screen" aria-labelledby="appointments-title">
      <div class="screen-head">
        <h1 id="appointments-title">{t('appointments.title')}</h1>
        <span class="screen-sub">{`${start} – ${shortDate(last)}`}</span>
      </div>
      <div class="button-row day-switch">
        <button type="button" class="button-secondary" onClick={() => goToWeek(addDays(start, -7))}>{t('week.previous')}</button>
        <button type="button" class="button-secondary" disabled={start === thisWeek()} onClick={() => goToWeek(thisWeek())}>{t('week.this')}</button>
        <button type="button" class="button-secondary" onClick={() => goToWeek(addDays(start, 7))}>{t('week.next')}</button>
      </div>
      {error && <Notice>{error}</Notice>}
      {openOrder && <OpenOrderNotice order={openOrder} />}
      {note && <Notice tone="info">{note}</Notice>}
      {!days && !error && <p class="muted">{t('common.loading')}</p>}
      {days && (
        <WeekGrid days={days} date={date} today={today} onDate={setDate} onOpen={setOpened}
          onSwipe={(step) => goToWeek(addDays(start, 7 * step))} />
      )}
      {sheet && (
        <BookingSheet key={sheet.appointment_id} appointment={sheet} days={days ?? []} today={today}
          checkingIn={busy === sheet.appointment_id}
          onCheckIn={() => void arrive(sheet)} onChanged={refresh} onClose={() => setOpened(null)} />
      )}
      <section class="panel week-daylist" aria-labelledby="daylist-title">
        <h2 id="daylist-title">{tf('week.dayList', { day: dayName(date), date })}</h2>
        <div class="paper-row">
          <PaperButtons label={t('paper.appointmentsDay')} make={() => appointmentsPdf(date, 'day')} testId="paper-appointments-day" />
          <PaperButtons label={t('paper.appointmentsWeek')} make={() => appointmentsPdf(date, 'week')} testId="paper-appointments-week" />
        </div>
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
                  <StateChip appointment={a} />
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {adding ? (
        <AddAppointment date={date} onDone={(added) => { setAdding(false); if (added) refresh(); }} />
      ) : (
        <button type="button" class="button-secondary button-block" onClick={() => setAdding(true)}>{t('appointments.add')}</button>
      )}
    </section>
  );
}

function StateChip({ appointment }: { appointment: Appointment }) {
  const chip = stateChip(appointment.state);
  return <span class={`tag week-chip week-chip-${chip.tone}`}>{t(chip.key)}</span>;
}

/** A load as a bar: filled for the places taken, red and 額滿 when none is left. */
function LoadBar({ load, label }: { load: Load; label: string }) {
  return (
    <span class={`load${load.full ? ' load-full' : ''}`} role="img"
      aria-label={`${label} ${load.full ? t('week.full') : tf('week.load', { taken: load.taken, capacity: load.capacity })}`}>
      <span class="load-bar"><span class="load-fill" style={{ width: `${Math.round(load.share * 100)}%` }} /></span>
      <span class="load-text">{load.full ? t('week.full') : `${load.taken}/${load.capacity}`}</span>
    </span>
  );
}

/** Seven columns on a tablet; on a phone, one day at a time under a row of the week's days. */
function WeekGrid({ days, date, today, onDate, onOpen, onSwipe }: {
  days: WeekDay[]; date: string; today: string;
  onDate: (date: string) => void; onOpen: (appointmentId: string) => void; onSwipe: (step: -1 | 1) => void;
}) {
  const touch = useRef<{ x: number; y: number } | null>(null);
  return (
    <div class="week"
      onTouchStart={(event) => { const p = event.touches[0]; touch.current = p ? { x: p.clientX, y: p.clientY } : null; }}
      onTouchEnd={(event) => {
        const from = touch.current;
        const p = event.changedTouches[0];
        touch.current = null;
        if (!from || !p) return;
        const dx = p.clientX - from.x;
        if (Math.abs(dx) > 80 && Math.abs(dx) > 2 * Math.abs(p.clientY - from.y)) onSwipe(dx < 0 ? 1 : -1);
      }}>
      <div class="week-tabs" role="group" aria-label={t('week.days')}>
        {days.map((day) => (
          <button type="button" key={day.date} class="week-tab" data-date={day.date} aria-pressed={day.date === date} onClick={() => onDate(day.date)}>
            <span>{dayName(day.date)}</span><span class="week-tab-date">{shortDate(day.date)}</span>
          </button>
        ))}
      </div>
      <div class="week-grid">
        {days.map((day) => (
          <DayColumn key={day.date} day={day} chosen={day.date === date} today={day.date === today}
            onDate={() => onDate(day.date)} onOpen={onOpen} />
        ))}
      </div>
    </div>
  );
}

function DayColumn({ day, chosen, today, onDate, onOpen }: {
  day: WeekDay; chosen: boolean; today: boolean; onDate: () => void; onOpen: (appointmentId: string) => void;
}) {
  const closed = !day.open;
  return (
    <section class={`week-day${chosen ? ' week-day-chosen' : ''}${today ? ' week-day-today' : ''}${closed ? ' week-day-closed' : ''}`}
      aria-label={`${dayName(day.date)} ${day.date}`} data-date={day.date}>
      <button type="button" class="week-day-head" aria-pressed={chosen} onClick={onDate}>
        <span class="week-day-name">{dayName(day.date)} {shortDate(day.date)}</span>
        <span class="week-day-hours">{closed ? t('week.closed') : day.hours ? `${day.hours[0]}–${day.hours[1]}` : ''}</span>
      </button>
      {closed ? (
        <p class="week-closed">{t('week.closed')}</p>
      ) : (
        <>
          {day.slots.length > 0 && <LoadBar load={dayLoad(day)} label={t('week.dayLoad')} />}
          <ol class="week-slots">
            {bookingsBySlot(day).map(({ slot, bookings }) => (
              <li key={slot.at || 'other'} class="week-slot">
                {slot.at && (
                  <div class="week-slot-head">
                    <time dateTime={slot.at}>{formatTime(slot.at, day.date)}</time>
                    <LoadBar load={slotLoad(slot)} label={formatTime(slot.at, day.date)} />
                  </div>
                )}
                {bookings.map((a) => (
                  <button type="button" key={a.appointment_id} class={`week-booking week-booking-${a.state}`}
                    data-appointment={a.appointment_id} onClick={() => onOpen(a.appointment_id)}>
                    <span class="week-booking-top">
                      <span class="week-booking-time">{formatTime(a.at, day.date)}</span>
                      <span class="week-source" title={t(`week.source.${a.source}`)}>{t(`week.source.${a.source}`)}</span>
                    </span>
                    <span class="week-booking-plate">{a.plate}</span>
                    <span class="week-booking-line">{a.customer_name}</span>
                    <span class="week-booking-line muted">{a.purpose}</span>
                    <StateChip appointment={a} />
                  </button>
                ))}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function AddAppointment({ date, onDone }: { date: string; onDone: (added: boolean) => void }) {
  const [vehicle, setVehicle] = useState<Vehicle | null>(null);
  const [services, setServices] = useState<BookingService[]>([]);
  const [technicians, setTechnicians] = useState<Staff[]>([]);
  const [serviceId, setServiceId] = useState<string>('');
  const [technicianId, setTechnicianId] = useState<string>('');
  const [amount, setAmount] = useState('');
  const [time, setTime] = useState('09:00');
  const [duration, setDuration] = useState('60');
  const [purpose, setPurpose] = useState('');
  const [source, setSource] = useState<AppointmentSource>('phone');
  const [parts, setParts] = useState('');
  const [busy, setBusy] = useState(false);
  const [full, setFull] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The shop's services (a tap fills the purpose and the time) and its technicians: extras, so a
  // failed read leaves the form as it was.
  useEffect(() => {
    bookingSetup().then((setup) => setServices(setup.services), () => undefined);
    listStaff().then((answer) => setTechnicians(answer.staff.filter((s) => s.role === 'technician' && s.active !== false)),
      () => undefined);
  }, []);

  function pickService(id: string) {
    setServiceId(id);
    const service = services.find((s) => s.service_id === id);
    if (!service) return;
    setPurpose(locale.value === 'en' ? service.en : service.zh);
    setDuration(String(service.minutes));
  }

  async function submit(overbook: boolean) {
    const at = taipeiLocalToIso(`${date}T${time}`);
    const minutes = wholeNumber(duration);
    const estimate = wholeNumber(amount);
    const missing = [
      !vehicle && t('appointments.vehicle'),
      !at && t('appointments.time'),
      (minutes === undefined || Number.isNaN(minutes)) && t('appointments.duration'),
      !purpose.trim() && t('appointments.purpose'),
      Number.isNaN(estimate) && t('week.estimateAmount'),
    ].filter(Boolean);
    if (missing.length || !vehicle || !at || minutes === undefined) {
      setError(tf('newOrder.required', { fields: missing.join('、') }));
      return;
    }
    setBusy(true);
    setError(null);
    setFull(false);
    try {
      await createAppointment({
        at, duration_minutes: minutes, purpose: purpose.trim(), source,
        customer_id: vehicle.customer_id, vehicle_id: vehicle.vehicle_id,
        parts_to_prepare: parts.split(/[、,，;；\n]/).map((part) => part.trim()).filter(Boolean),
        ...(serviceId ? { service_id: serviceId } : {}),
        ...(technicianId ? { technician_id: technicianId } : {}),
        ...(estimate !== undefined && !Number.isNaN(estimate) ? { estimate_amount: estimate } : {}),
        ...(overbook ? { overbook: true } : {}),
      });
      onDone(true);
    } catch (failure) {
      setFull(failure instanceof ApiError && failure.code === 'slot_full');
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form class="form panel" onSubmit={(event) => { event.preventDefault(); void submit(false); }} noValidate aria-label={t('appointments.add')}>
      <h2>{t('appointments.add')}</h2>
      {vehicle
        ? <PickedVehicle vehicle={vehicle} onChange={() => setVehicle(null)} />
        : <PlateLookup id="appointment-plate" label={t('appointments.vehicle')} onPick={setVehicle} />}
      {services.length > 0 && (
        <Choice label={t('week.service')} value={serviceId} onChange={pickService}
          options={services.map((s) => ({ value: s.service_id, label: locale.value === 'en' ? s.en : s.zh }))} />
      )}
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
      {technicians.length > 0 && (
        <Choice label={t('week.technician')} value={technicianId} onChange={setTechnicianId}
          options={[{ value: '', label: t('week.noTechnician') }, ...technicians.map((s) => ({ value: s.staff_id, label: s.name }))]} />
      )}
      <Field id="appointment-estimate" label={t('week.estimateAmount')} value={amount} onValue={setAmount}
        inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('appointments.submit')}</button>
        {full && (
          <button type="button" class="button-danger" disabled={busy} onClick={() => void submit(true)}>{t('week.overbook')}</button>
        )}
        <button type="button" class="button-secondary" onClick={() => onDone(false)}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
