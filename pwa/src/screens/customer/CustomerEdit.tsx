import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { updateCustomer, type CustomerChange } from '../../data/api';
import { formatPhone } from '../../data/format';
import type { Channel, Contact, Customer } from '../../data/types';
import { Choice } from '../../ui/Choice';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';
import { useAction } from '../../ui/useAction';

const CHANNELS = ['line', 'sms', 'none'] as const;

/**
 * The customer's contact details as the counter edits them: name, mobile, e-mail, the channel
 * they want, whether they are a company (公司行號, with its 統一編號), and the people who bring
 * the car or answer for it (送修人 and the like: a person customer's family member, a company's
 * driver or accountant). The API checks the 統一編號 and the numbers.
 */
export function CustomerEdit({ customer, onSaved, onCancel }: {
  customer: Customer;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(customer.name);
  const [mobile, setMobile] = useState(formatPhone(customer.mobile));
  const [email, setEmail] = useState(customer.email ?? '');
  const [channel, setChannel] = useState<Channel>(customer.channel === 'push' ? 'none' : customer.channel);
  const [isCompany, setIsCompany] = useState(Boolean(customer.company));
  const [taxId, setTaxId] = useState(customer.company?.tax_id ?? '');
  const [title, setTitle] = useState(customer.company?.title ?? '');
  const [monthly, setMonthly] = useState(Boolean(customer.company?.monthly));
  const [contacts, setContacts] = useState<Contact[]>(
    (customer.contacts ?? []).map((c) => ({ ...c, mobile: c.mobile ? formatPhone(c.mobile) : '' })));
  const { busy, error, run } = useAction();
  const [queued, setQueued] = useState(false);

  const setContact = (index: number, change: Partial<Contact>) =>
    setContacts(contacts.map((contact, n) => (n === index ? { ...contact, ...change } : contact)));

  function submit(event: Event) {
    event.preventDefault();
    const change: CustomerChange = {
      name: name.trim(), mobile: mobile.trim(), email: email.trim() || null,
      company: isCompany ? { tax_id: taxId.trim(), title: title.trim(), monthly } : null,
      contacts: contacts.filter((c) => c.name.trim()).map((c) => ({
        name: c.name.trim(), role: c.role.trim(), ...(c.mobile?.trim() ? { mobile: c.mobile.trim() } : {}),
      })),
    };
    if (channel !== customer.channel) change.channel = channel;
    void run(() => updateCustomer(customer.customer_id, change), (outcome) => {
      if (outcome.sent) onSaved();
      else setQueued(true);
    });
  }

  return (
    <form class="form panel customer-edit" noValidate onSubmit={submit} aria-labelledby="customer-edit-title">
      <h2 id="customer-edit-title">{t('customers.edit')}</h2>
      <div class="field-row">
        <Field id="edit-name" label={t('newOrder.name')} value={name} onValue={setName} autoComplete="off" />
        <Field id="edit-mobile" label={t('newOrder.mobile')} value={mobile} onValue={setMobile} type="tel" inputMode="tel" autoComplete="off" />
      </div>
      <Field id="edit-email" label={t('customer.email')} value={email} onValue={setEmail} inputMode="email" autoComplete="off" autoCapitalize="none" />
      <Choice label={t('newOrder.channel')} value={channel} onChange={setChannel}
        options={CHANNELS.map((value) => ({ value, label: t(`channel.${value}`) }))} />
      <label class="check">
        <input id="edit-company" type="checkbox" checked={isCompany} onChange={(e) => setIsCompany(e.currentTarget.checked)} />
        <span>{t('customers.isCompany')}</span>
      </label>
      {isCompany && (
        <div class="field-row">
          <Field id="edit-title" label={t('customers.companyTitle')} value={title} onValue={setTitle} autoComplete="off" />
          <Field id="edit-tax-id" label={t('customers.taxId')} value={taxId} onValue={setTaxId}
            inputMode="numeric" pattern="[0-9]*" maxLength={8} autoComplete="off" />
        </div>
      )}
      {isCompany && (
        <label class="check">
          <input id="edit-monthly" type="checkbox" checked={monthly} onChange={(e) => setMonthly(e.currentTarget.checked)} />
          <span>{t('customers.monthly')}</span>
        </label>
      )}
      <fieldset class="fieldset">
        <legend>{t('customers.contacts')}</legend>
        <p class="muted">{t('customers.contactsHint')}</p>
        {contacts.map((contact, index) => (
          <div class="field-row contact-row" key={index}>
            <Field id={`contact-name-${index}`} label={t('customers.contactName')} value={contact.name}
              onValue={(value) => setContact(index, { name: value })} autoComplete="off" />
            <Field id={`contact-mobile-${index}`} label={t('customers.contactMobile')} value={contact.mobile ?? ''}
              onValue={(value) => setContact(index, { mobile: value })} type="tel" inputMode="tel" autoComplete="off" />
            <Field id={`contact-role-${index}`} label={t('customers.contactRole')} value={contact.role}
              onValue={(value) => setContact(index, { role: value })} autoComplete="off" />
            <button type="button" class="button-secondary" onClick={() => setContacts(contacts.filter((_, n) => n !== index))}>
              {t('customers.removeContact')}
            </button>
          </div>
        ))}
        <button type="button" class="button-secondary" onClick={() => setContacts([...contacts, { name: '', mobile: '', role: t('customers.broughtBy') }])}>
          {t('customers.addContact')}
        </button>
      </fieldset>
      {error && <Notice>{error}</Notice>}
      {queued && <Notice tone="info">{t('common.queued')}</Notice>}
      <div class="button-row">
        <button type="submit" class="button-primary" disabled={busy}>{t('customers.save')}</button>
        <button type="button" class="button-secondary" onClick={onCancel}>{t('customers.cancel')}</button>
      </div>
    </form>
  );
}
