import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { findVehicles } from '../data/api';
import type { Vehicle } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';

const DEBOUNCE_MS = 250;

/** Plates are kept as `ABC-1234`; a person types `abc1234` or `abc 1234`. */
export const normalisePlate = (text: string) => text.toUpperCase().replace(/\s+/g, '');

/** A plate field that looks vehicles up as it is typed; `footer` gets the plate for "new plate". */
export function PlateLookup({ id, label, onPick, footer }: {
  id: string;
  label: string;
  onPick: (vehicle: Vehicle) => void;
  footer?: (plate: string, searched: boolean) => ComponentChildren;
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
      {footer?.(typed, found !== null)}
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
