import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { mergeCustomer } from '../../data/api';
import { formatPhone } from '../../data/format';
import type { Customer } from '../../data/types';
import { CustomerLookup } from '../../ui/CustomerLookup';
import { Notice } from '../../ui/Notice';
import { useAction } from '../../ui/useAction';

/**
 * Two records of one person made one (owner, manager): find the other record by its number,
 * confirm, and its cars, orders, bookings, reminders and consents move onto this customer; the
 * other record then only points here.
 */
export function MergePanel({ customer, onMerged }: { customer: Customer; onMerged: () => void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [other, setOther] = useState<Customer | null>(null);
  const { busy, error, run } = useAction();

  return (
    <section class="panel merge" aria-labelledby="merge-title">
      <h2 id="merge-title">{t('customers.merge')}</h2>
      <p class="muted">{t('customers.mergeLead')}</p>
      {!open && (
        <button type="button" class="button-secondary" onClick={() => setOpen(true)}>{t('customers.mergeFind')}</button>
      )}
      {open && !other && (
        <CustomerLookup id="merge-mobile" label={t('customers.mergeMobile')} value={typed} onValue={setTyped}
          onLooked={() => undefined}
          onPick={(picked) => { if (picked.customer_id !== customer.customer_id) setOther(picked); }} />
      )}
      {other && (
        <>
          <Notice tone="info">
            {tf('customers.mergeConfirmText', { other: `${other.name}（${formatPhone(other.mobile)}）`, kept: customer.name })}
          </Notice>
          <div class="button-row">
            <button type="button" class="button-danger" disabled={busy}
              onClick={() => void run(() => mergeCustomer(customer.customer_id, other.customer_id), () => {
                setOther(null);
                setOpen(false);
                setTyped('');
                onMerged();
              })}>
              {t('customers.mergeConfirm')}
            </button>
            <button type="button" class="button-secondary" onClick={() => setOther(null)}>{t('customers.cancel')}</button>
          </div>
        </>
      )}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
