import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { findCustomers } from '../data/api';
import { formatPhone } from '../data/format';
import type { Customer } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';

const DEBOUNCE_MS = 250;
const MIN_DIGITS = 4;

/** A number as a Taiwanese person types it, as its national digits (`+886 912…` → `0912…`). */
export const nationalDigits = (text: string) => {
  const digits = text.replace(/\D/g, '');
  return digits.startsWith('886') ? `0${digits.slice(3)}` : digits;
};

/**
 * A mobile field that finds the shop's customers as it is typed (0912345678, 0912-345-678,
 * +886912345678 alike). `onLooked` gets what was found (null while not looked up), so the form
 * offers a new customer only once no customer has the number.
 */
export function CustomerLookup({ id, label, value, onValue, onPick, onLooked }: {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  onPick: (customer: Customer) => void;
  onLooked: (found: Customer[] | null) => void;
}) {
  const [found, setFound] = useState<Customer[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setFound(null);
    onLooked(null);
    setError(null);
    if (nationalDigits(value).length < MIN_DIGITS) return undefined;
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      findCustomers(value.trim())
        .then((answer) => {
          if (!current) return;
          setFound(answer.customers);
          onLooked(answer.customers);
        })
        .catch((failure: unknown) => {
          if (!current) return;
          setError(errorText(failure));
          onLooked([]); // offline: the API refuses a second customer with the number anyway
        })
        .finally(() => current && setSearching(false));
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [value]);

  return (
    <div class="lookup">
      <div class="field">
        <label class="field-label" for={id}>{label}</label>
        <input id={id} type="tel" inputMode="tel" value={value} autoComplete="off" enterKeyHint="search"
          onInput={(event) => onValue(event.currentTarget.value)} aria-describedby={`${id}-hint`} />
        <p class="field-hint" id={`${id}-hint`}>{searching ? t('newOrder.searching') : t('customers.mobileHint')}</p>
      </div>
      {error && <Notice tone="info">{error}</Notice>}
      {found && found.length > 0 && (
        <ul class="picks" aria-label={t('customers.found')}>
          {found.map((customer) => (
            <li key={customer.customer_id}>
              <button type="button" class="pick" onClick={() => onPick(customer)}>
                <span>{customer.name}</span>
                <span class="muted">{formatPhone(customer.mobile)}</span>
                {customer.company && <span class="muted">{customer.company.title}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
