import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { findVehicles } from '../data/api';
import type { OrderSummary, Vehicle } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';
import { orderPath } from './router';

const DEBOUNCE_MS = 250;

/** Plates are kept as `ABC-1234`; a person types `abc1234`, `abc 1234` or full-width `ＡＢＣ１２３４`. */
export const normalisePlate = (text: string) => text.normalize('NFKC').toUpperCase().replace(/\s+/g, '');

/** What two spellings of one plate share: `ABC1234` is the registered `ABC-1234`. */
export const plateKey = (text: string) => normalisePlate(text).replace(/-/g, '');

/**
 * A plate field that looks vehicles up as it is typed. `footer` gets the plate as typed and
 * whether it is new: looked up, and no vehicle of the shop has it however it was typed.
 */
export function PlateLookup({ id, label, onPick, footer }: {
  id: string;
  label: string;
  onPick: (vehicle: Vehicle) => void;
  footer?: (plate: string, isNew: boolean) => ComponentChildren;
}) {
  const [plate, setPlate] = useState('');
  const [found, setFound] = useState<Vehicle[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const typed = normalisePlate(plate);
    setFound(null);
    setError(null);
    if (typed.replace('-', '').length < 2) return undefined;
    let current = true;
    const timer = setTimeout(() => {
      setSearching(true);
      findVehicles(typed)
        .then((answer) => current && setFound(answer.vehicles))
        .catch((failure: unknown) => current && setError(errorText(failure)))
        .finally(() => current && setSearching(false));
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [plate]);

  const typed = normalisePlate(plate);
  return (
    <div class="lookup">
      <div class="field">
        <label class="field-label" for={id}>{label}</label>
        <input
          id={id}
          class="input-plate"
          value={plate}
          onInput={(e) => setPlate(e.currentTarget.value)}
          autoComplete="off"
          autoCapitalize="characters"
          autoCorrect="off"
          spellcheck={false}
          enterKeyHint="search"
          aria-describedby={`${id}-hint`}
        />
        <p class="field-hint" id={`${id}-hint`}>{searching ? t('newOrder.searching') : t('newOrder.plateHint')}</p>
      </div>
      {error && <Notice>{error}</Notice>}
      {found && found.length === 0 && <p class="muted">{t('newOrder.noMatch')}</p>}
      {found && found.length > 0 && (
        <ul class="picks">
          {found.map((vehicle) => (
            <li key={vehicle.vehicle_id}>
              <button type="button" class="pick" onClick={() => onPick(vehicle)}>
                <span class="plate">{vehicle.plate}</span>
                <span>{vehicle.make} {vehicle.model}{vehicle.year ? ` (${vehicle.year})` : ''}</span>
                <span class="muted">{vehicle.customer_name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {footer?.(typed, found !== null && !found.some((vehicle) => plateKey(vehicle.plate) === plateKey(typed)))}
    </div>
  );
}

/** The vehicle chosen, with a way back to the lookup. */
export function PickedVehicle({ vehicle, onChange }: { vehicle: { plate: string; make: string; model: string; customer_name?: string }; onChange: () => void }) {
  return (
    <div class="picked">
      <span class="plate">{vehicle.plate}</span>
      <span>{vehicle.make} {vehicle.model}</span>
      {vehicle.customer_name && <span class="muted">{vehicle.customer_name}</span>}
      <button type="button" class="button-secondary" onClick={onChange}>{t('newOrder.change')}</button>
    </div>
  );
}

/** The car is in the shop under an open order already: a second order would walk it around and
 * message the customer twice, so the way on is that order. */
export function OpenOrderNotice({ order }: { order: OrderSummary }) {
  return (
    <>
      <Notice tone="info">{tf('newOrder.openOrder', { number: order.number, state: t(`state.${order.state}`) })}</Notice>
      <div class="button-row">
        <a class="button-primary" href={`#${orderPath(order.order_id)}`}>{tf('newOrder.openThatOrder', { number: order.number })}</a>
      </div>
    </>
  );
}
