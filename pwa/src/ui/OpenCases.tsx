import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { session } from '../data/client';
import { listStaff } from '../data/api';
import type { Staff } from '../data/http';
import { changeCase, closeCase, openCases, type Case } from '../data/followups';
import { formatPhone, taipeiDate, telHref } from '../data/format';
import { errorText } from './errors';
import { Notice } from './Notice';
import { orderPath } from './router';
import './open-cases.css';

/** The cases follow-up calls opened, on the board until closed; the owner or a manager closes one
 * with its resolution. Nothing shows while none is open. */
export function OpenCases() {
  const role = session.value?.staff.role;
  const [cases, setCases] = useState<Case[]>([]);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    openCases().then((answer) => { setCases(answer.cases); setError(null); }, (failure: unknown) => setError(errorText(failure)));
  }, []);
  const [staff, setStaff] = useState<Staff[]>([]);
  useEffect(() => { if (role && role !== 'technician') refresh(); }, [role, refresh]);
  useEffect(() => {
    if (cases.some((item) => item.may_close) && !staff.length) {
      listStaff().then((answer) => setStaff(answer.staff.filter((member) => member.active && member.role !== 'technician')), () => undefined);
    }
  }, [cases]);
  if (!role || role === 'technician' || (!cases.length && !error)) return null;
  const today = taipeiDate();
  return (
    <section class="panel open-cases" aria-labelledby="open-cases-title">
      <h2 id="open-cases-title">{tf('cases.open', { n: cases.length })}</h2>
      {error && <Notice>{error}</Notice>}
      <ul>
        {cases.map((item) => <CaseRow key={item.case_id} item={item} staff={staff} overdue={item.due_on < today} onClosed={refresh} />)}
      </ul>
    </section>
  );
}

function CaseRow({ item, staff, overdue, onClosed }: { item: Case; staff: Staff[]; overdue: boolean; onClosed: () => void }) {
  const [closing, setClosing] = useState(false);
  const [moving, setMoving] = useState(false);
  const [resolution, setResolution] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `case-${item.case_id}`;

  async function close(event: Event) {
    event.preventDefault();
    if (!resolution.trim()) return setError(t('cases.needResolution'));
    setBusy(true);
    try {
      await closeCase(item.case_id, resolution.trim());
      onClosed();
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <li class={overdue ? 'open-case open-case-overdue' : 'open-case'} data-case={item.case_id}>
      <span>
        <span class="plate">{item.vehicle.plate}</span>{' '}
        <a href={`#${orderPath(item.order_id)}`}>{item.number}</a>{' '}
        {item.customer.name} {item.customer.mobile && <a href={telHref(item.customer.mobile)}>{formatPhone(item.customer.mobile)}</a>}
      </span>
      <span>{item.summary}</span>
      <span class="muted">
        {tf('cases.owner', { name: item.owner.name })}．<span class="open-case-due">{tf('cases.due', { date: item.due_on })}</span>
        {item.appointment_id && <>．{t('cases.invited')}</>}
      </span>
      {item.may_close && !closing && !moving && (
        <span class="button-row">
          <button type="button" class="button-secondary" onClick={() => setClosing(true)}>{t('cases.close')}</button>
          <button type="button" class="button-secondary" onClick={() => setMoving(true)}>{t('cases.change')}</button>
        </span>
      )}
      {moving && <CaseChange item={item} staff={staff} onDone={() => { setMoving(false); onClosed(); }} />}
      {closing && (
        <form class="form" onSubmit={(event) => void close(event)} noValidate aria-label={t('cases.close')}>
          <div class="field">
            <label class="field-label" for={id}>{t('cases.resolution')}</label>
            <input id={id} value={resolution} onInput={(event) => setResolution(event.currentTarget.value)} autoComplete="off" />
          </div>
          {error && <Notice>{error}</Notice>}
          <div class="button-row">
            <button type="submit" class="button-primary" disabled={busy}>{t('cases.confirmClose')}</button>
            <button type="button" class="button-secondary" onClick={() => setClosing(false)}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
    </li>
  );
}

/** 轉交或改期限: another owner (advisors, managers, owners) and/or a new due date. */
function CaseChange({ item, staff, onDone }: { item: Case; staff: Staff[]; onDone: () => void }) {
  const [owner, setOwner] = useState(item.owner.staff_id);
  const [due, setDue] = useState(item.due_on);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `case-change-${item.case_id}`;

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    try {
      await changeCase(item.case_id, {
        ...(owner !== item.owner.staff_id ? { owner_id: owner } : {}), ...(due !== item.due_on ? { due_on: due } : {}),
      });
      onDone();
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={(event) => void save(event)} noValidate aria-label={t('cases.change')}>
      <div class="field-row">
        <div class="field">
          <label class="field-label" for={`${id}-owner`}>{t('cases.newOwner')}</label>
          <select id={`${id}-owner`} value={owner} onChange={(event) => setOwner(event.currentTarget.value)}>
            {!staff.some((member) => member.staff_id === item.owner.staff_id) && <option value={item.owner.staff_id}>{item.owner.name}</option>}
            {staff.map((member) => <option key={member.staff_id} value={member.staff_id}>{member.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label class="field-label" for={`${id}-due`}>{t('cases.newDue')}</label>
          <input id={`${id}-due`} type="date" value={due} onInput={(event) => setDue(event.currentTarget.value)} />
        </div>
      </div>
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy || (owner === item.owner.staff_id && (!due || due === item.due_on))}>{t('common.save')}</button>
        <button type="button" class="button-secondary" onClick={onDone}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
