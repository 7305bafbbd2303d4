// 店內平板 (owner, manager): the shop's registered tablets, when each was registered and last
// used for a PIN sign-in; rename one, or revoke it (a lost or replaced tablet: its secret stops
// working at once, and the PIN sessions started on it end at their next refresh).
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { renameTablet, revokeTablet, tablets, type ShopTablet } from '../../data/admin';
import { device } from '../../data/client';
import { formatDateTime } from '../../data/format';
import { Notice } from '../Notice';
import { useAdminList } from './useAdminList';
import './admin.css';


export function Tablets() {
  const { list, message, act } = useAdminList(() => tablets().then((answer) => answer.devices));

  return (
    <div class="admin" aria-labelledby="tablets-title">
      <h3 id="tablets-title">{t('tablets.title')}</h3>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      {!list ? <p class="muted">{t('common.loading')}</p> : !list.length ? <p class="muted">{t('tablets.none')}</p> : (
        <ul class="admin-list">
          {list.map((tablet) => <TabletRow key={tablet.device_id} tablet={tablet} act={act} />)}
        </ul>
      )}
    </div>
  );
}

function TabletRow({ tablet, act }: { tablet: ShopTablet; act: (work: () => Promise<unknown>, done: string) => Promise<void> }) {
  const [name, setName] = useState<string | null>(null);
  const here = device.value?.device_id === tablet.device_id;
  return (
    <li class={tablet.revoked ? 'admin-row admin-row-off' : 'admin-row'} data-device={tablet.device_id}>
      <div class="admin-who">
        <strong>{tablet.name}{here && <span class="admin-tag">{t('tablets.thisOne')}</span>}</strong>
        <span class="muted">{tf('tablets.registered', { when: formatDateTime(tablet.created_at), by: tablet.registered_by ?? '—' })}</span>
        <span class="muted">
          {tablet.revoked ? tf('tablets.revokedAt', { when: formatDateTime(tablet.revoked_at ?? tablet.created_at) })
            : tablet.last_used_at ? tf('tablets.lastUsed', { when: formatDateTime(tablet.last_used_at) }) : t('tablets.neverUsed')}
        </span>
      </div>
      {!tablet.revoked && (
        <div class="button-row admin-actions">
          <button type="button" class="button-secondary" onClick={() => setName(name === null ? tablet.name : null)}>
            {t('tablets.rename')}
          </button>
          <button type="button" class="button-danger" onClick={() => {
            if (confirm(tf('tablets.confirmRevoke', { name: tablet.name }))) {
              void act(() => revokeTablet(tablet.device_id), tf('tablets.revoked', { name: tablet.name }));
            }
          }}>{t('tablets.revoke')}</button>
        </div>
      )}
      {name !== null && (
        <form class="admin-inline" noValidate onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) return;
          void act(() => renameTablet(tablet.device_id, name.trim()), tf('tablets.renamed', { name: name.trim() }))
            .then(() => setName(null));
        }}>
          <div class="field">
            <label class="field-label" for={`tablet-name-${tablet.device_id}`}>{t('settings.deviceName')}</label>
            <input id={`tablet-name-${tablet.device_id}`} value={name} autoComplete="off"
              onInput={(event) => setName(event.currentTarget.value)} />
          </div>
          <button type="submit" class="button-primary">{t('tablets.save')}</button>
        </form>
      )}
    </li>
  );
}
