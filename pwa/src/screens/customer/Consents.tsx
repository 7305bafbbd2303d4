import { t, tf } from '../../i18n';
import { updateCustomer } from '../../data/api';
import { formatDateTime } from '../../data/format';
import { MARKETING_VERSION, NOTICE_VERSION } from '../../data/notice';
import type { Customer } from '../../data/types';
import { Notice } from '../../ui/Notice';
import { useAction } from '../../ui/useAction';

/**
 * The two consents on record (個資法): the privacy notice (§8), with its version and time, and
 * asked again when the version in force is newer; and reminders and campaigns, agreed or
 * declined apart. Each change is kept in the customer's history (and their export).
 */
export function Consents({ customer, onChanged }: { customer: Customer; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const notice = customer.consent;
  const marketing = customer.marketing;
  const current = notice?.version === NOTICE_VERSION;

  const record = (change: Parameters<typeof updateCustomer>[1]) =>
    run(() => updateCustomer(customer.customer_id, change), () => onChanged());

  return (
    <section class="panel facts consents" aria-labelledby="consents-title" data-testid="customer-consents">
      <h2 id="consents-title">{t('customers.consents')}</h2>
      <dl>
        <dt>{t('customers.notice')}</dt>
        <dd>
          {notice
            ? tf('customers.noticeAt', { version: notice.version, time: formatDateTime(notice.at) })
            : t('customers.notRecorded')}
        </dd>
        <dt>{t('customers.marketing')}</dt>
        <dd>
          {marketing
            ? tf(marketing.agreed ? 'customers.marketingYes' : 'customers.marketingNo',
              { version: marketing.version, time: formatDateTime(marketing.at) })
            : t('customers.marketingUnasked')}
        </dd>
      </dl>
      <div class="button-row">
        {!current && (
          <button type="button" class="button-secondary" disabled={busy}
            onClick={() => void record({ consent: { version: NOTICE_VERSION, method: 'tablet' } })}>
            {tf('customers.recordNotice', { version: NOTICE_VERSION })}
          </button>
        )}
        {marketing?.agreed !== true && (
          <button type="button" class="button-secondary" disabled={busy}
            onClick={() => void record({ marketing: { agreed: true, method: 'tablet' } })}>
            {tf('customers.marketingAgree', { version: MARKETING_VERSION })}
          </button>
        )}
        {marketing?.agreed !== false && (
          <button type="button" class="button-secondary" disabled={busy}
            onClick={() => void record({ marketing: { agreed: false, method: 'tablet' } })}>
            {t('customers.marketingDecline')}
          </button>
        )}
      </div>
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
