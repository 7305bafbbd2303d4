import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { listStaff } from '../data/api';
import { session } from '../data/client';
import {
  dueFollowUps, recordCall, type CallOutcome, type CallRecord, type FollowUp, type Reaction,
} from '../data/followups';
import { addDays, formatPhone, formatTime, taipeiDate, taipeiLocalToIso, telHref } from '../data/format';
import type { Staff } from '../data/http';
import { Choice } from '../ui/Choice';
import { errorText } from '../ui/errors';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { PaperButtons } from '../ui/PaperButtons';
import { followupsPdf } from '../data/paper';
import { orderPath, vehicleHistoryPath } from '../ui/router';
import './followups.css';

/**
 * The advisor's follow-up calls (維修後關懷): the cars delivered a few days ago, one tap to call
 * the customer, then a short record. An unhappy customer opens a case with an owner and a due
 * date, and may be invited back.
 */
export function Followups() {
  const [list, setList] = useState<FollowUp[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [staff, setStaff] = useState<Staff[]>([]);

  const refresh = useCallback(() => {
    dueFollowUps().then((answer) => { setList(answer.followups); setError(null); },
      (failure: unknown) => setError(errorText(failure)));
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => { listStaff().then((answer) => setStaff(answer.staff.filter((member) => member.active)), () => undefined); }, []);

  function recorded(orderId: string, queued: boolean) {
    setOpen(null);
    setNote(queued ? t('common.queued') : t('followups.saved'));
    if (queued) setList((items) => (items ?? []).filter((item) => item.order_id !== orderId));
    else refresh();
  }

  return (
    <section class="screen followups" aria-labelledby="followups-title">
      <div class="screen-head">
        <h1 id="followups-title">{t('followups.title')}</h1>
        <button type="button" class="button-secondary" onClick={refresh}>{t('common.refresh')}</button>
      </div>
      <p class="muted">{t('followups.lead')}</p>
      <PaperButtons label={t('paper.followups')} make={() => followupsPdf(taipeiDate())} testId="paper-followups" />
      {error && <Notice>{error}</Notice>}
      {note && <Notice tone="ok">{note}</Notice>}
      {!list && !error && <p class="muted">{t('common.loading')}</p>}
      {list && list.length === 0 && <p class="muted">{t('followups.none')}</p>}
      <ul class="followup-list">
        {list?.map((item) => (
          <li key={item.order_id} class="panel followup" data-order={item.order_id}>
            <div class="followup-head">
              <span class="plate">{item.vehicle.plate}</span>
              <a class="order-number" href={`#${orderPath(item.order_id)}`}>{item.number}</a>
              <span class="muted">{item.vehicle.make} {item.vehicle.model}</span>
              <a class="tap-link" href={`#${vehicleHistoryPath(item.vehicle.vehicle_id)}`}>{t('history.open')}</a>
            </div>
            <div class="followup-who">
              <span class="followup-name">{item.customer.name}</span>
              <span class="muted">{tf('followups.delivered', { date: item.delivered_on })}</span>
              {item.calls.length > 0 && <span class="tag">{tf('followups.calls', { n: item.calls.length })}</span>}
              {item.call_back_at && <span class="tag tag-warn">{tf('followups.callBackAt', { time: formatTime(item.call_back_at) })}</span>}
            </div>
            <div class="button-row">
              {item.customer.mobile
                ? <a class="button-primary followup-call" href={telHref(item.customer.mobile)}>{tf('followups.call', { phone: formatPhone(item.customer.mobile) })}</a>
                : <span class="muted">{t('followups.noPhone')}</span>}
              <button type="button" class="button-secondary" aria-expanded={open === item.order_id}
                onClick={() => { setOpen(open === item.order_id ? null : item.order_id); setNote(null); }}>
                {t('followups.record')}
              </button>
            </div>
            {open === item.order_id && (
              <CallForm item={item} staff={staff} onDone={(queued) => recorded(item.order_id, queued)} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CallForm({ item, staff, onDone }: { item: FollowUp; staff: Staff[]; onDone: (queued: boolean) => void }) {
  const me = session.value?.staff.staff_id ?? '';
  const [outcome, setOutcome] = useState<CallOutcome>('reached');
  const [reaction, setReaction] = useState<Reaction>('satisfied');
  const [callBack, setCallBack] = useState('');
  const [text, setText] = useState('');
  const [summary, setSummary] = useState('');
  const [owner, setOwner] = useState(me);
  const [due, setDue] = useState(addDays(taipeiDate(), 3));
  const [invite, setInvite] = useState(false);
  const [inviteAt, setInviteAt] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const issue = outcome === 'reached' && reaction === 'issue';
  const id = (name: string) => `fu-${item.order_id}-${name}`;

  async function submit(event: Event) {
    event.preventDefault();
    const callBackAt = outcome === 'call_back' ? taipeiLocalToIso(callBack) : null;
    const invitedAt = issue && invite ? taipeiLocalToIso(inviteAt) : null;
    if (outcome === 'call_back' && !callBackAt) return setError(t('followups.needCallBack'));
    if (issue && (!summary.trim() || !owner || !due)) return setError(t('followups.needCase'));
    if (issue && invite && !invitedAt) return setError(t('followups.needInvite'));
    const record: CallRecord = {
      outcome,
      ...(outcome === 'reached' ? { reaction } : {}),
      ...(callBackAt ? { call_back_at: callBackAt } : {}),
      ...(text.trim() ? { note: text.trim() } : {}),
      ...(issue ? { case: { summary: summary.trim(), owner_id: owner, due_on: due, ...(invitedAt ? { invite_at: invitedAt } : {}) } } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      const answer = await recordCall(item.order_id, record);
      onDone(!answer.sent);
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form class="form followup-form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('followups.record')}>
      <Choice label={t('followups.outcome')} value={outcome} onChange={setOutcome}
        options={(['reached', 'no_answer', 'call_back'] as const).map((value) => ({ value, label: t(`followups.outcome.${value}`) }))} />
      {outcome === 'call_back' && (
        <Field id={id('callback')} type="datetime-local" label={t('followups.callBackWhen')} value={callBack} onValue={setCallBack} />
      )}
      {outcome === 'reached' && (
        <Choice label={t('followups.reaction')} value={reaction} onChange={setReaction}
          options={(['satisfied', 'issue'] as const).map((value) => ({ value, label: t(`followups.reaction.${value}`) }))} />
      )}
      <Field id={id('note')} label={t('followups.note')} value={text} onValue={setText} autoComplete="off" />
      {issue && (
        <fieldset class="followup-case">
          <legend>{t('followups.case')}</legend>
          <Field id={id('summary')} label={t('followups.summary')} value={summary} onValue={setSummary} autoComplete="off" />
          <div class="field-row">
            <div class="field">
              <label class="field-label" for={id('owner')}>{t('followups.owner')}</label>
              <select id={id('owner')} value={owner} onChange={(event) => setOwner(event.currentTarget.value)}>
                {!staff.some((member) => member.staff_id === me) && <option value={me}>{session.value?.staff.name}</option>}
                {staff.map((member) => <option key={member.staff_id} value={member.staff_id}>{member.name}</option>)}
              </select>
            </div>
            <div class="field">
              <label class="field-label" for={id('due')}>{t('followups.due')}</label>
              <input id={id('due')} type="date" value={due} onInput={(event) => setDue(event.currentTarget.value)} />
            </div>
          </div>
          <label class="check">
            <input type="checkbox" checked={invite} onChange={(event) => setInvite(event.currentTarget.checked)} />
            {t('followups.invite')}
          </label>
          {invite && (
            <Field id={id('invite')} type="datetime-local" label={t('followups.inviteWhen')} value={inviteAt} onValue={setInviteAt} />
          )}
        </fieldset>
      )}
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{busy ? t('followups.saving') : t('followups.save')}</button>
      </div>
    </form>
  );
}
