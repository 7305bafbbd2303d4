import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf, type MessageKey } from '../i18n';
import {
  listInvitations, recordContact, sendInvitation,
  type ContactRecord, type Invitation, type InvitationList, type Outcome, type Reason,
} from '../data/invitations';
import { addDays, formatDateTime, formatTime, taipeiDate, telHref } from '../data/format';
import { ApiError } from '../data/http';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { navigate, vehicleHistoryPath } from '../ui/router';
import './invitations.css';

const WEEKS = ['4', '8', '12'] as const;
type Weeks = (typeof WEEKS)[number];
const OUTCOMES: Outcome[] = ['no_answer', 'later', 'declined', 'wrong_number'];

/**
 * The invitation list (邀約回廠名單): the cars whose service, declined tyres or brakes, inspection,
 * insurance or declined work fall due in the coming weeks, one row per car. The advisor calls
 * (or sends LINE / SMS), records the outcome, and the row leaves the list for everyone: the
 * server lets one contact claim a car, so nobody is called twice.
 */
export function Invitations() {
  const [weeks, setWeeks] = useState<Weeks>('4');
  const [list, setList] = useState<InvitationList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const refresh = useCallback(() => {
    listInvitations(Number(weeks)).then((answer) => { setList(answer); setError(null); },
      (failure: unknown) => setError(errorText(failure)));
  }, [weeks]);
  useEffect(refresh, [refresh]);

  /** A write's answer: the row leaves the to-do list (at once when it waits offline). */
  async function act(row: Invitation, write: () => Promise<{ sent: boolean }>, done: MessageKey): Promise<boolean> {
    setError(null);
    setNote(null);
    try {
      const answer = await write();
      setOpen(null);
      setNote(answer.sent ? tf('invitations.saved', { plate: row.plate, what: t(done) }) : t('common.queued'));
      if (!answer.sent) setList((current) => current && { ...current, invitations: current.invitations.filter((item) => item.vehicle_id !== row.vehicle_id) });
      else refresh();
      return true;
    } catch (failure) {
      setError(errorText(failure));
      if (failure instanceof ApiError && failure.status === 409) refresh();
      return false;
    }
  }

  async function book(row: Invitation) {
    if (await act(row, () => recordContact(row.invitation_id, { method: 'call', outcome: 'booked' }), 'invitations.outcome.booked')) {
      navigate('/appointments');
    }
  }

  return (
    <section class="screen invitations" aria-labelledby="invitations-title">
      <div class="screen-head">
        <h1 id="invitations-title">{t('invitations.title')}</h1>
        <button type="button" class="button-secondary" onClick={refresh}>{t('common.refresh')}</button>
      </div>
      <p class="muted">{t('invitations.lead')}</p>
      <Choice label={t('invitations.weeks')} value={weeks} onChange={setWeeks}
        options={WEEKS.map((value) => ({ value, label: tf('invitations.weeksN', { n: value }) }))} />
      {error && <Notice>{error}</Notice>}
      {note && <Notice tone="ok">{note}</Notice>}
      {!list && !error && <p class="muted">{t('common.loading')}</p>}
      {list && list.invitations.length === 0 && <p class="muted">{t('invitations.none')}</p>}
      <ul class="invitation-list" aria-label={t('invitations.todo')}>
        {list?.invitations.map((row) => (
          <li key={row.vehicle_id} class={row.overdue ? 'panel invitation invitation-overdue' : 'panel invitation'} data-vehicle={row.vehicle_id}>
            <RowHead row={row} today={list.date} />
            <div class="button-row invitation-actions">
              {row.mobile
                ? <a class="button-primary invitation-call" href={telHref(row.mobile)}>{tf('invitations.call', { phone: row.mobile_masked })}</a>
                : <span class="muted">{t('invitations.noPhone')}</span>}
              {row.line_linked && (
                <button type="button" class="button-secondary" disabled={!row.marketing}
                  onClick={() => void act(row, () => sendInvitation(row.invitation_id, 'line'), 'invitations.sentLine')}>{t('invitations.sendLine')}</button>
              )}
              {row.mobile && (
                <button type="button" class="button-secondary" disabled={!row.marketing}
                  onClick={() => void act(row, () => sendInvitation(row.invitation_id, 'sms'), 'invitations.sentSms')}>{t('invitations.sendSms')}</button>
              )}
              <button type="button" class="button-secondary" aria-expanded={open === row.vehicle_id}
                onClick={() => { setOpen(open === row.vehicle_id ? null : row.vehicle_id); setNote(null); }}>{t('invitations.record')}</button>
              <button type="button" class="button-secondary invitation-book" onClick={() => void book(row)}>{t('invitations.book')}</button>
            </div>
            {open === row.vehicle_id && (
              <OutcomeForm row={row} today={list.date}
                onOutcome={(outcome, extra) => act(row, () => recordContact(row.invitation_id, { method: 'call', outcome, ...extra }), `invitations.outcome.${outcome}`)} />
            )}
          </li>
        ))}
      </ul>
      {list && list.contacted.length > 0 && (
        <section aria-labelledby="invitations-done">
          <h2 id="invitations-done">{t('invitations.contacted')}</h2>
          <ul class="invitation-list invitation-done">
            {list.contacted.map((row) => (
              <li key={row.vehicle_id} class="panel invitation" data-vehicle={row.vehicle_id} data-state={row.state}>
                <RowHead row={row} today={list.date} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function RowHead({ row, today }: { row: Invitation; today: string }) {
  return (
    <>
      <div class="invitation-head">
        <span class="plate">{row.plate}</span>
        <span class="muted">{row.make} {row.model}</span>
        <span class={row.overdue ? 'tag tag-late' : 'tag'}>{row.overdue ? tf('invitations.overdue', { date: row.due_on }) : tf('invitations.due', { date: row.due_on })}</span>
        <a class="tap-link" href={`#${vehicleHistoryPath(row.vehicle_id)}`}>{t('history.open')}</a>
      </div>
      <div class="invitation-who">
        <span class="invitation-name">{row.name}</span>
        <span class="muted">{row.mobile_masked}</span>
        {row.line_linked && <span class="tag tag-ok">{t('invitations.lineLinked')}</span>}
        {!row.marketing && <span class="tag tag-no">{t('invitations.noMarketing')}</span>}
      </div>
      <ul class="invitation-reasons" aria-label={t('invitations.reasons')}>
        {row.reasons.map((reason) => <li key={reason.kind} class={`chip chip-${reason.kind}`} title={reasonDetail(reason)}>{t(`invitations.reason.${reason.kind}`)}{reason.lines?.length ? `：${reason.lines.join('、')}` : ''}</li>)}
      </ul>
      {row.last_contact && <p class="invitation-last">{lastContact(row.last_contact, today)}</p>}
      {row.booking && <p class="invitation-last">{tf('invitations.bookedAt', { time: formatDateTime(row.booking.at) })}</p>}
    </>
  );
}

function reasonDetail(reason: Reason): string {
  return tf('invitations.due', { date: reason.due_on });
}

function lastContact(contact: ContactRecord, today: string): string {
  return tf('invitations.last', {
    who: contact.by.name, when: formatTime(contact.at, today),
    how: t(`invitations.method.${contact.method}`), outcome: t(`invitations.outcome.${contact.outcome}`),
  }) + (contact.call_back_on ? ` · ${tf('invitations.callBackOn', { date: contact.call_back_on })}` : '')
    + (contact.note ? ` · ${contact.note}` : '');
}

function OutcomeForm({ row, today, onOutcome }: {
  row: Invitation; today: string;
  onOutcome: (outcome: Outcome, extra: { note?: string; call_back_on?: string }) => Promise<boolean>;
}) {
  const [callBack, setCallBack] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `inv-${row.vehicle_id}-${name}`;

  async function choose(outcome: Outcome) {
    setBusy(true);
    const later = outcome === 'later' || outcome === 'no_answer';
    const done = await onOutcome(outcome, {
      ...(text.trim() ? { note: text.trim() } : {}),
      ...(later && callBack ? { call_back_on: callBack } : {}),
    });
    if (!done) setBusy(false);
  }

  return (
    <div class="form invitation-form" role="group" aria-label={t('invitations.record')}>
      <div class="field">
        <label class="field-label" for={id('callback')}>{t('invitations.callBackWhen')}</label>
        <input id={id('callback')} type="date" value={callBack} min={addDays(today || taipeiDate(), 1)}
          onInput={(event) => setCallBack(event.currentTarget.value)} />
      </div>
      <Field id={id('note')} label={t('invitations.note')} value={text} onValue={setText} autoComplete="off" />
      <div class="button-row invitation-outcomes">
        {OUTCOMES.map((outcome) => (
          <button key={outcome} type="button" class="button-secondary" disabled={busy} data-outcome={outcome}
            onClick={() => void choose(outcome)}>{t(`invitations.outcome.${outcome}`)}</button>
        ))}
      </div>
    </div>
  );
}
