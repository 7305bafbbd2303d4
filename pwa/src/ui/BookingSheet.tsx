// One booking's sheet on the week screen: what the customer booked, and what the advisor does
// with it (confirm, reschedule into a free slot of the week, cancel, no-show, check-in), the
// technician it is pre-assigned to, the parts to prepare ticked ready, the estimate.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { listStaff } from '../data/api';
import {
  canMarkNoShow, changeAppointment, freeSlots, isLive, shortDate, stateChip, weekdayIndex,
  type AppointmentChange, type WeekDay,
} from '../data/bookings';
import { formatDateTime, formatMoney, formatTime, taipeiDate } from '../data/format';
import { ApiError, type Staff } from '../data/http';
import type { Appointment } from '../data/types';
import { errorText } from './errors';
import { Field, wholeNumber } from './Field';
import { Notice } from './Notice';

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Message = { tone: 'error' | 'ok' | 'info'; text: string };

export function BookingSheet({ appointment: a, days, today, checkingIn, onCheckIn, onChanged, onClose }: {
  appointment: Appointment; days: WeekDay[]; today: string; checkingIn: boolean;
  onCheckIn: () => void; onChanged: () => void; onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [moving, setMoving] = useState(false);
  const [moveDay, setMoveDay] = useState<string | null>(null);
  const [fullAt, setFullAt] = useState<string | null>(null); // the slot the server said is full
  const [cancelling, setCancelling] = useState(false);
  const [technicians, setTechnicians] = useState<Staff[] | null>(null);
  const [ready, setReady] = useState<string[]>(a.parts_ready ?? []);
  const [amount, setAmount] = useState(a.estimate_amount != null ? String(a.estimate_amount) : '');
  const [minutes, setMinutes] = useState(String(a.duration_minutes));

  useEffect(() => {
    listStaff().then(
      (answer) => setTechnicians(answer.staff.filter((s) => s.role === 'technician' && s.active !== false)),
      () => setTechnicians([]),
    );
  }, []);

  const live = isLive(a);
  const day = taipeiDate(new Date(a.at));
  const chip = stateChip(a.state);

  /** One change at a time (a second tap while it is on its way does nothing). */
  async function send(change: AppointmentChange, done: string): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await changeAppointment(a.appointment_id, change);
      setMessage(outcome.sent ? { tone: 'ok', text: done } : { tone: 'info', text: t('common.queued') });
      if (outcome.sent) onChanged();
      return true;
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'slot_full' && change.at) {
        setFullAt(change.at); // said beside the slots, with the way to overbook
      } else {
        setMessage({ tone: 'error', text: errorText(failure) });
      }
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function moveTo(at: string, overbook: boolean) {
    const moved = await send({ at, ...(overbook ? { overbook: true } : {}) },
      tf('week.moved', { when: formatDateTime(at) }));
    if (moved) { setMoving(false); setFullAt(null); }
  }

  async function tick(part: string, on: boolean) {
    const next = on ? [...ready, part] : ready.filter((p) => p !== part);
    if (await send({ parts_ready: next }, on ? tf('week.partReady', { part }) : tf('week.partNotReady', { part }))) setReady(next);
  }

  async function saveEstimate(event: Event) {
    event.preventDefault();
    const money = wholeNumber(amount);
    const time = wholeNumber(minutes);
    if (Number.isNaN(money) || time === undefined || Number.isNaN(time) || time <= 0) {
      setMessage({ tone: 'error', text: t('week.estimateInvalid') });
      return;
    }
    await send({ estimate_amount: money ?? null, duration_minutes: time }, t('week.estimateSaved'));
  }

  const targetDay = days.find((d) => d.date === (moveDay ?? day));
  return (
    <div class="sheet-backdrop" onClick={(event) => { if (event.target === event.currentTarget) onClose(); }}>
      <section class="panel booking-sheet" role="dialog" aria-modal="true" aria-labelledby="booking-sheet-title">
        <div class="booking-sheet-head">
          <h2 id="booking-sheet-title"><span class="plate">{a.plate}</span> {a.customer_name}</h2>
          <button type="button" class="button-secondary" onClick={onClose}>{t('week.close')}</button>
        </div>
        <p class="booking-sheet-when">
          <time dateTime={a.at}>{`${t(`week.day.${DAY_NAMES[weekdayIndex(day)]!}`)} ${shortDate(day)} ${formatTime(a.at, day)}`}</time>
          {' · '}{tf('appointments.minutes', { n: a.duration_minutes })}
          {' '}<span class={`tag week-chip week-chip-${chip.tone}`}>{t(chip.key)}</span>
        </p>
        <p class="muted">{a.purpose} · {t(`week.source.${a.source}`)}
          {a.estimate_amount != null ? ` · ${tf('week.estimateIs', { amount: formatMoney(a.estimate_amount) })}` : ''}
        </p>
        {a.note && <p class="booking-note">{tf('week.note', { note: a.note })}</p>}
        {message && <Notice tone={message.tone}>{message.text}</Notice>}

        <div class="button-row">
          {a.state === 'pending' && (
            <button type="button" class="button-primary" disabled={busy} onClick={() => void send({ state: 'booked' }, t('week.confirmed'))}>
              {t('week.confirm')}
            </button>
          )}
          {live && day === today && (
            <button type="button" class="button-primary" disabled={busy || checkingIn} onClick={onCheckIn}>{t('week.checkIn')}</button>
          )}
          {live && (
            <button type="button" class="button-secondary" aria-expanded={moving} disabled={busy}
              onClick={() => { setMoving(!moving); setFullAt(null); setMessage(null); }}>
              {t('week.reschedule')}
            </button>
          )}
          {canMarkNoShow(a) && (
            <button type="button" class="button-secondary" disabled={busy} onClick={() => void send({ state: 'no_show' }, t('week.noShowDone'))}>
              {t('week.noShow')}
            </button>
          )}
          {live && !cancelling && (
            <button type="button" class="button-danger" disabled={busy} onClick={() => setCancelling(true)}>{t('week.cancel')}</button>
          )}
        </div>
        {cancelling && live && (
          <div class="booking-confirm" role="group" aria-label={t('week.cancelAsk')}>
            <p>{t('week.cancelAsk')}</p>
            <div class="button-row">
              <button type="button" class="button-danger" disabled={busy}
                onClick={() => void send({ state: 'cancelled' }, t('week.cancelled')).then(() => setCancelling(false))}>
                {t('week.cancelYes')}
              </button>
              <button type="button" class="button-secondary" disabled={busy} onClick={() => setCancelling(false)}>{t('week.cancelNo')}</button>
            </div>
          </div>
        )}

        {moving && live && (
          <section class="booking-move" aria-labelledby="booking-move-title">
            <h3 id="booking-move-title">{t('week.moveTitle')}</h3>
            <div class="week-move-days" role="group" aria-label={t('week.days')}>
              {days.map((d) => (
                <button type="button" key={d.date} class="week-tab" data-date={d.date} disabled={!d.open} aria-pressed={d.date === targetDay?.date}
                  onClick={() => { setMoveDay(d.date); setFullAt(null); }}>
                  <span>{t(`week.day.${DAY_NAMES[weekdayIndex(d.date)]!}`)}</span>
                  <span class="week-tab-date">{d.open ? shortDate(d.date) : t('week.closed')}</span>
                </button>
              ))}
            </div>
            {fullAt && (
              <div class="booking-full">
                <Notice>{t('week.slotFull')}</Notice>
                <button type="button" class="button-danger" disabled={busy} onClick={() => void moveTo(fullAt, true)}>
                  {tf('week.overbookAt', { when: formatTime(fullAt, '') })}
                </button>
              </div>
            )}
            {targetDay && <MoveSlots day={targetDay} current={a.at} busy={busy} onPick={(at) => void moveTo(at, false)} />}
          </section>
        )}

        <section class="booking-part" aria-labelledby="booking-tech-title">
          <h3 id="booking-tech-title">{t('week.technician')}</h3>
          {technicians === null && <p class="muted">{t('common.loading')}</p>}
          {technicians && technicians.length === 0 && <p class="muted">{t('order.noTechnicians')}</p>}
          {technicians && technicians.length > 0 && (
            <div class="choice" role="group" aria-label={t('week.technician')}>
              <button type="button" class="choice-option" aria-pressed={!a.technician_id} disabled={busy}
                onClick={() => void send({ technician_id: null }, t('week.technicianCleared'))}>
                {t('week.noTechnician')}
              </button>
              {technicians.map((tech) => (
                <button type="button" key={tech.staff_id} class="choice-option" aria-pressed={a.technician_id === tech.staff_id}
                  disabled={busy} onClick={() => void send({ technician_id: tech.staff_id }, tf('week.technicianSet', { name: tech.name }))}>
                  {tech.name}
                </button>
              ))}
            </div>
          )}
        </section>

        {(a.parts_to_prepare?.length ?? 0) > 0 && (
          <section class="booking-part" aria-labelledby="booking-parts-title">
            <h3 id="booking-parts-title">{tf('week.parts', { ready: ready.length, all: a.parts_to_prepare!.length })}</h3>
            <ul class="booking-parts">
              {a.parts_to_prepare!.map((part) => (
                <li key={part}>
                  <label class="check">
                    <input type="checkbox" checked={ready.includes(part)} disabled={busy}
                      onChange={(event) => void tick(part, event.currentTarget.checked)} />
                    <span>{part}{ready.includes(part) ? ` · ${t('week.ready')}` : ''}</span>
                  </label>
                </li>
              ))}
            </ul>
          </section>
        )}

        <form class="form booking-part" onSubmit={saveEstimate} noValidate aria-labelledby="booking-estimate-title">
          <h3 id="booking-estimate-title">{t('week.estimate')}</h3>
          <div class="field-row">
            <Field id="booking-amount" label={t('week.estimateAmount')} value={amount} onValue={setAmount}
              inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
            <Field id="booking-minutes" label={t('appointments.duration')} value={minutes} onValue={setMinutes}
              inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
          </div>
          <button type="submit" class="button-secondary" disabled={busy}>{t('week.estimateSave')}</button>
        </form>
      </section>
    </div>
  );
}

/** The day's slots still to come: free ones to tap, full ones marked 額滿 (the server has the
 * last word: a slot filled meanwhile is refused with slot_full). */
function MoveSlots({ day, current, busy, onPick }: { day: WeekDay; current: string; busy: boolean; onPick: (at: string) => void }) {
  const now = new Date();
  const open = freeSlots(day, now, current).map((slot) => slot.at);
  const coming = day.slots.filter((slot) => slot.at !== current && new Date(slot.at).getTime() > now.getTime());
  if (coming.length === 0) return <p class="muted">{t('week.noSlots')}</p>;
  return (
    <div class="week-move-slots" role="group" aria-label={tf('week.slotsOf', { date: day.date })}>
      {coming.map((slot) => {
        const free = open.includes(slot.at);
        return (
          <button type="button" key={slot.at} class={`choice-option${free ? '' : ' slot-full'}`} disabled={busy}
            onClick={() => onPick(slot.at)}>
            {formatTime(slot.at, day.date)} {free ? tf('week.placesLeft', { n: slot.capacity - slot.taken }) : t('week.full')}
          </button>
        );
      })}
    </div>
  );
}
