// The customer's reminders (保養提醒): on or off as they asked (個資法 §20), and per vehicle the
// inspection and insurance dates the shop records, with what is scheduled and what was sent.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { changeVehicleDates, switchReminders, vehiclePage } from '../data/api';
import { formatDateTime } from '../data/format';
import type { Customer, Reminder, Vehicle } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';
import { useAction } from './useAction';

export function CustomerReminders({ customer, vehicles }: { customer: Customer; vehicles: Vehicle[] }) {
  const [optOut, setOptOut] = useState(customer.reminders_opt_out ?? null);
  const { busy, error, run } = useAction();

  const toggle = () => run(() => switchReminders(customer.customer_id, optOut !== null),
    (answer) => setOptOut(answer.reminders === 'off' ? { at: answer.at, via: 'staff' } : null));

  return (
    <section class="panel reminders" aria-labelledby="reminders-title" data-testid="customer-reminders">
      <h2 id="reminders-title">{t('reminders.title')}</h2>
      <p>
        {optOut
          ? tf(optOut.via === 'link' ? 'reminders.offByLink' : 'reminders.off', { time: formatDateTime(optOut.at) })
          : t('reminders.on')}
      </p>
      <button type="button" class="button-secondary" disabled={busy} onClick={() => void toggle()}>
        {optOut ? t('reminders.turnOn') : t('reminders.turnOff')}
      </button>
      {error && <Notice>{error}</Notice>}
      {vehicles.map((vehicle) => <VehicleDates key={vehicle.vehicle_id} vehicleId={vehicle.vehicle_id} />)}
    </section>
  );
}

function VehicleDates({ vehicleId }: { vehicleId: string }) {
  const [vehicle, setVehicle] = useState<Vehicle | null>(null);
  const [inspection, setInspection] = useState('');
  const [insurance, setInsurance] = useState('');
  const [message, setMessage] = useState<{ tone: 'ok' | 'error' | 'info'; text: string } | null>(null);

  function adopt(next: Vehicle) {
    setVehicle(next);
    setInspection(next.inspection_due_on ?? '');
    setInsurance(next.insurance_due_on ?? '');
  }

  useEffect(() => {
    vehiclePage(vehicleId).then(adopt, (failure: unknown) => setMessage({ tone: 'error', text: errorText(failure) }));
  }, [vehicleId]);

  async function save(event: Event) {
    event.preventDefault();
    try {
      const outcome = await changeVehicleDates(vehicleId, { inspection_due_on: inspection || null, insurance_due_on: insurance || null });
      // Read again: the dates just saved scheduled new reminders, which the PATCH does not answer.
      if (outcome.sent) adopt(await vehiclePage(vehicleId));
      setMessage(outcome.sent ? { tone: 'ok', text: t('settings.saved') } : { tone: 'info', text: t('common.queued') });
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    }
  }

  if (!vehicle) return message ? <Notice>{message.text}</Notice> : null;
  return (
    <form class="form vehicle-dates" onSubmit={save} noValidate aria-label={tf('reminders.datesOf', { plate: vehicle.plate })}>
      <h3>{vehicle.plate} <span class="muted">{vehicle.make} {vehicle.model}</span></h3>
      <div class="field-row">
        <div class="field">
          <label class="field-label" for={`inspection-${vehicleId}`}>{t('reminders.inspectionDue')}</label>
          <input id={`inspection-${vehicleId}`} type="date" value={inspection} onInput={(e) => setInspection(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label class="field-label" for={`insurance-${vehicleId}`}>{t('reminders.insuranceDue')}</label>
          <input id={`insurance-${vehicleId}`} type="date" value={insurance} onInput={(e) => setInsurance(e.currentTarget.value)} />
        </div>
      </div>
      <button type="submit" class="button-secondary">{t('reminders.saveDates')}</button>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      {(vehicle.reminders ?? []).length > 0 && (
        <ul class="reminder-list">
          {(vehicle.reminders ?? []).map((reminder) => <ReminderRow key={reminder.kind} reminder={reminder} />)}
        </ul>
      )}
    </form>
  );
}

function ReminderRow({ reminder }: { reminder: Reminder }) {
  const what = t(`messages.reminderKind.${reminder.kind}`);
  return (
    <li data-testid={`reminder-${reminder.kind}`}>
      <b>{tf('messages.reminder', { what })}</b>{' '}
      <span>{tf('reminders.dueOn', { date: reminder.due_on })}</span>{' '}
      {reminder.detail?.due_km ? <span>{tf('reminders.dueKm', { km: reminder.detail.due_km.toLocaleString('en-US') })}</span> : null}{' '}
      <span class={reminder.status === 'sent' ? 'tag tag-ok' : 'tag'}>
        {reminder.status === 'pending' ? tf('reminders.sendOn', { date: reminder.send_on }) : t(`reminders.status.${reminder.status}`)}
      </span>
    </li>
  );
}
