// 員工 (owner, manager): the shop's people; add one, change a role, deactivate or reactivate,
// give a temporary password, clear a PIN. An owner is changed only by an owner (the API says so
// too); a person cannot demote or deactivate themself.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  addStaff, changeStaff, resetPassword, resetPin, staffList, type Role, type StaffMember,
} from '../../data/admin';
import { session } from '../../data/client';
import { formatPhone, newId } from '../../data/format';
import { errorText } from '../errors';
import { Field } from '../Field';
import { Notice } from '../Notice';
import { useAdminList } from './useAdminList';
import './admin.css';

const ROLES: Role[] = ['owner', 'manager', 'advisor', 'technician'];

export function Staff() {
  const { list: staff, message, act } = useAdminList(() => staffList().then((answer) => answer.staff));
  const [adding, setAdding] = useState(false);

  return (
    <section class="panel admin" aria-labelledby="staff-title">
      <div class="panel-head">
        <h2 id="staff-title">{t('staff.title')}</h2>
        {!adding && <button type="button" class="button-secondary" onClick={() => setAdding(true)}>{t('staff.add')}</button>}
      </div>
      {adding && <AddStaff onDone={(name) => { setAdding(false); if (name) void act(async () => {}, tf('staff.added', { name })); }} />}
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      {!staff ? <p class="muted">{t('common.loading')}</p> : (
        <ul class="admin-list">
          {staff.map((member) => <StaffRow key={member.staff_id} member={member} act={act} />)}
        </ul>
      )}
    </section>
  );
}

function StaffRow({ member, act }: { member: StaffMember; act: (work: () => Promise<unknown>, done: string) => Promise<void> }) {
  const me = session.value?.staff;
  const myself = me?.staff_id === member.staff_id;
  const mayChange = !myself && (me?.role === 'owner' || member.role !== 'owner');
  const [password, setPassword] = useState<string | null>(null);
  const name = member.name;
  return (
    <li class={member.active ? 'admin-row' : 'admin-row admin-row-off'} data-staff={member.staff_id}>
      <div class="admin-who">
        <strong>{name}</strong>
        <span class="muted">{[member.mobile && formatPhone(member.mobile), member.email].filter(Boolean).join(' · ')}</span>
        <span class="muted">
          {member.active ? '' : `${t('staff.inactive')} · `}{member.has_pin ? t('staff.hasPin') : t('staff.noPin')}
        </span>
      </div>
      <label class="admin-role">
        <span class="visually-hidden">{tf('staff.roleOf', { name })}</span>
        <select value={member.role} disabled={!mayChange}
          onChange={(event) => void act(() => changeStaff(member.staff_id, { role: event.currentTarget.value as Role }),
            tf('staff.roleChanged', { name }))}>
          {ROLES.filter((role) => role !== 'owner' || me?.role === 'owner' || member.role === 'owner')
            .map((role) => <option key={role} value={role}>{t(`role.${role}`)}</option>)}
        </select>
      </label>
      {mayChange && (
        <div class="button-row admin-actions">
          <button type="button" class={member.active ? 'button-danger' : 'button-secondary'}
            onClick={() => void act(() => changeStaff(member.staff_id, { active: !member.active }),
              tf(member.active ? 'staff.deactivated' : 'staff.reactivated', { name }))}>
            {member.active ? t('staff.deactivate') : t('staff.reactivate')}
          </button>
          <button type="button" class="button-secondary" onClick={() => setPassword(password === null ? '' : null)}>
            {t('staff.resetPassword')}
          </button>
          {member.has_pin && (
            <button type="button" class="button-secondary"
              onClick={() => void act(() => resetPin(member.staff_id), tf('staff.pinCleared', { name }))}>
              {t('staff.resetPin')}
            </button>
          )}
        </div>
      )}
      {password !== null && (
        <form class="admin-inline" noValidate onSubmit={(event) => {
          event.preventDefault();
          void act(() => resetPassword(member.staff_id, password), tf('staff.passwordSet', { name }))
            .then(() => setPassword(null));
        }}>
          <Field id={`reset-${member.staff_id}`} label={t('staff.temporaryPassword')} hint={t('staff.temporaryHint')}
            value={password} onValue={setPassword} autoComplete="off" />
          <button type="submit" class="button-primary">{t('staff.setPassword')}</button>
        </form>
      )}
    </li>
  );
}

function AddStaff({ onDone }: { onDone: (name: string | null) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('technician');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const owner = session.value?.staff.role === 'owner';

  async function submit(event: Event) {
    event.preventDefault();
    if (!name.trim() || !login.trim()) return setError(t('staff.missing'));
    if (password.length < 10) return setError(t('welcome.tooShort'));
    setBusy(true);
    setError(null);
    const contact = login.includes('@') ? { email: login.trim() } : { mobile: login.trim() };
    try {
      await addStaff({ staff_id: newId(), name: name.trim(), role, password, ...contact });
      onDone(name.trim());
    } catch (failure) {
      setError(errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form class="form admin-add" onSubmit={submit} noValidate aria-label={t('staff.add')}>
      <div class="field-row">
        <Field id="staff-name" label={t('staff.name')} value={name} onValue={setName} autoComplete="off" />
        <div class="field">
          <label class="field-label" for="staff-role">{t('staff.role')}</label>
          <select id="staff-role" value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            {ROLES.filter((each) => each !== 'owner' || owner).map((each) => <option key={each} value={each}>{t(`role.${each}`)}</option>)}
          </select>
        </div>
      </div>
      <div class="field-row">
        <Field id="staff-login" label={t('staff.login')} hint={t('staff.loginHint')} value={login} onValue={setLogin}
          inputMode="email" autoCapitalize="none" autoComplete="off" />
        <Field id="staff-password" label={t('staff.initialPassword')} hint={t('staff.temporaryHint')} value={password}
          onValue={setPassword} autoComplete="off" />
      </div>
      {error && <Notice>{error}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('staff.save')}</button>
        <button type="button" class="button-secondary" onClick={() => onDone(null)}>{t('staff.cancel')}</button>
      </div>
    </form>
  );
}
