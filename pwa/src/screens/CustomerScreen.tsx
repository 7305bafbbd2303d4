import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { session } from '../data/client';
import { formatPhone, formatTime } from '../data/format';
import {
  customerPage, eraseCustomer, erasureStatus, type CustomerPage, type ErasureJob,
} from '../data/portability';
import { CustomerReminders } from '../ui/CustomerReminders';
import { Conversation } from '../ui/Conversation';
import { customerPath, navigate } from '../ui/router';
import { Consents } from './customer/Consents';
import { CustomerEdit } from './customer/CustomerEdit';
import { LineBinding } from './customer/LineBinding';
import { MergePanel } from './customer/MergePanel';
import { ExportStatus, JobProgress, useExport } from '../ui/ExportJob';
import { errorText } from '../ui/errors';
import { useJob } from '../ui/useJob';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Notice';

/**
 * A customer: how to reach them (edited here: contact details, channel, company and the people
 * who bring the car), their vehicles (each to its 維修履歷), the consents on record, LINE bound
 * by a QR, and (owner, manager) merging a duplicate record and their data rights under 個資法 —
 * export first, then erase, confirmed by typing the name. A merged record opens the kept one.
 */
export function CustomerScreen({ customerId }: { customerId: string }) {
  const [customer, setCustomer] = useState<CustomerPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const role = session.value?.staff.role;
  const manages = role === 'owner' || role === 'manager';

  const load = () => customerPage(customerId).then((page) => {
    if (page.merged_into) navigate(customerPath(page.merged_into));
    else setCustomer(page);
  }, (failure: unknown) => setError(errorText(failure)));

  useEffect(() => {
    setCustomer(null);
    setEditing(false);
    void load();
  }, [customerId]);

  if (error) return <section class="screen"><Notice>{error}</Notice></section>;
  if (!customer) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;
  return (
    <section class="screen" aria-labelledby="customer-title">
      <div class="screen-head">
        <h1 id="customer-title">{customer.name}</h1>
        {customer.company && <span class="tag">{t('customers.company')}</span>}
        {customer.line_linked_at && <span class="tag tag-ok">{t('customers.lineLinked')}</span>}
        {customer.erased_at && <span class="screen-sub">{tf('customer.erasedAt', { time: formatTime(customer.erased_at) })}</span>}
      </div>
      {editing ? (
        <CustomerEdit customer={customer} onCancel={() => setEditing(false)}
          onSaved={() => { setEditing(false); void load(); }} />
      ) : (
        <section class="panel facts" aria-label={t('customer.contact')}>
          <dl>
            {customer.mobile && (<><dt>{t('customer.mobile')}</dt><dd>{formatPhone(customer.mobile)}</dd></>)}
            {customer.email && (<><dt>{t('customer.email')}</dt><dd>{customer.email}</dd></>)}
            <dt>{t('newOrder.channel')}</dt><dd>{t(`channel.${customer.channel}`)}</dd>
            {customer.company && (<><dt>{t('customers.companyTitle')}</dt>
              <dd>{tf('customers.companyLine', { title: customer.company.title, taxId: customer.company.tax_id })}{customer.company.monthly ? t('customers.monthlyShown') : ''}</dd></>)}
            {(customer.contacts ?? []).length > 0 && (<><dt>{t('customers.contacts')}</dt>
              <dd>{(customer.contacts ?? []).map((c) =>
                [c.role, c.name, c.mobile ? formatPhone(c.mobile) : ''].filter(Boolean).join(' ')).join('、')}</dd></>)}
          </dl>
          {!customer.erased_at && (
            <button type="button" class="button-secondary" onClick={() => setEditing(true)}>{t('customers.edit')}</button>
          )}
        </section>
      )}
      <section class="panel" aria-labelledby="vehicles-title">
        <h2 id="vehicles-title">{t('customer.vehicles')}</h2>
        {customer.vehicles.length ? (
          <ul class="picks">
            {customer.vehicles.map((v) => (
              <li key={v.vehicle_id}>
                <a class="pick" href={`#/vehicles/${encodeURIComponent(v.vehicle_id)}/history`}>
                  <span class="plate">{v.plate}</span>
                  <span>{v.make} {v.model}{v.year ? ` (${v.year})` : ''}</span>
                  <span class="muted">{t('customers.history')}</span>
                </a>
              </li>
            ))}
          </ul>
        ) : <p class="muted">—</p>}
      </section>
      {!customer.erased_at && <Consents customer={customer} onChanged={() => void load()} />}
      {!customer.erased_at && <LineBinding customer={customer} onCheck={() => void load()} />}
      {!customer.erased_at && role !== 'technician' && <Conversation customerId={customer.customer_id} canReply />}
      {!customer.erased_at && <CustomerReminders customer={customer} vehicles={customer.vehicles} />}
      {manages && !customer.erased_at && <MergePanel customer={customer} onMerged={() => void load()} />}
      {manages && !customer.erased_at && <DataRights customer={customer} onErased={() => void customerPage(customerId).then(setCustomer)} />}
    </section>
  );
}

function DataRights({ customer, onErased }: { customer: CustomerPage; onErased: () => void }) {
  const exporting = useExport('customer', customer.customer_id);
  const erasure = useJob<ErasureJob>(`erase.${customer.customer_id}`, erasureStatus, (job) => job.job_id,
    (id) => ({ job_id: id, kind: 'erasure', customer_id: customer.customer_id, state: 'queued', percent: 0 }));
  const [erasing, setErasing] = useState(false);
  const [typed, setTyped] = useState('');
  const job = erasure.job;
  useEffect(() => { if (job?.state === 'done') onErased(); }, [job?.state]);

  return (
    <section class="panel data-rights" aria-labelledby="rights-title">
      <h2 id="rights-title">{t('rights.title')}</h2>
      <p class="muted">{t('rights.lead')}</p>
      <div class="button-row">
        <button type="button" class="button-secondary" disabled={erasure.running || exporting.running}
          onClick={() => void exporting.start()}>{t('rights.export')}</button>
        <button type="button" class="button-danger" disabled={erasure.running} aria-expanded={erasing}
          onClick={() => setErasing(!erasing)}>{t('rights.erase')}</button>
      </div>
      <ExportStatus job={exporting.job} error={exporting.error} done={(done) =>
        tf('rights.exported', { minutes: String(Math.round((done.expires_in ?? 900) / 60)) })} />
      {erasing && (
        <form class="form erase-form" noValidate onSubmit={(event) => {
          event.preventDefault();
          void erasure.begin(() => eraseCustomer(customer.customer_id, typed.trim()));
        }}>
          {exporting.job?.state !== 'done' && <Notice tone="info">{t('rights.exportFirst')}</Notice>}
          <p>{t('rights.eraseWhat')}</p>
          <Field id="erase-name" label={tf('rights.typeName', { name: customer.name })} value={typed} onValue={setTyped} autoComplete="off" />
          <button type="submit" class="button-danger button-block" disabled={erasure.running || typed.trim() !== customer.name}>{t('rights.eraseConfirm')}</button>
        </form>
      )}
      <div aria-live="polite">
        <JobProgress job={job} running="erase.running" />
        {job?.state === 'done' && <Notice tone="ok">{t('rights.erased')}</Notice>}
        {job?.state === 'failed' && <Notice>{job.error?.message ?? t('erase.failed')}</Notice>}
        {erasure.error && <Notice>{erasure.error}</Notice>}
      </div>
    </section>
  );
}
