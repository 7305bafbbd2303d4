import { useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { changeVehicleOwner, createCustomer, createOrder, createVehicle, findCustomers, findVehicles, openOrderOf } from '../data/api';
import { formatPhone, newId, taipeiLocalToIso } from '../data/format';
import { NOTICE_VERSION } from '../data/notice';
import { ApiError, OfflineError } from '../data/http';
import { FUELS, type Channel, type Customer, type Fuel, type OrderSummary, type Vehicle } from '../data/types';
import { Choice } from '../ui/Choice';
import { CustomerLookup, nationalDigits } from '../ui/CustomerLookup';
import { errorText } from '../ui/errors';
import { Field, wholeNumber } from '../ui/Field';
import { Notice } from '../ui/Notice';
import { OpenOrderNotice, PickedVehicle, PlateLookup, plateKey } from '../ui/PlateLookup';
import { navigate, orderPath } from '../ui/router';

type Picked = { kind: 'none' } | { kind: 'existing'; vehicle: Vehicle } | { kind: 'new'; plate: string };

/** The shop's vehicle with this plate, however it was typed; null when none (or offline: the
 * API refuses a second vehicle with one plate anyway). */
async function registeredVehicle(plate: string): Promise<Vehicle | null> {
  try {
    const { vehicles } = await findVehicles(plateKey(plate));
    return vehicles.find((vehicle) => plateKey(vehicle.plate) === plateKey(plate)) ?? null;
  } catch (failure) {
    if (failure instanceof OfflineError || failure instanceof ApiError) return null;
    throw failure;
  }
}

/** The customer the API says already has this number (409 `mobile_taken`), to pick instead. */
async function holderOf(mobile: string): Promise<Customer | null> {
  const { customers } = await findCustomers(mobile);
  return customers.find((customer) => nationalDigits(customer.mobile) === nationalDigits(mobile)) ?? null;
}

/** A new repair order from a plate: pick the vehicle, or add customer and vehicle right here. */
export function NewOrder() {
  const [picked, setPicked] = useState<Picked>({ kind: 'none' });
  // The car on file changed hands: its new owner is found or added with the customer fields.
  const [newOwner, setNewOwner] = useState(false);
  // New customer and vehicle
  const [name, setName] = useState('');
  const [mobile, setMobile] = useState('');
  const [channel, setChannel] = useState<Channel>('line');
  const [consent, setConsent] = useState(false);
  const [marketing, setMarketing] = useState(false);
  // The customers the number typed finds (null until looked up): a new one is offered after.
  const [lookedUp, setLookedUp] = useState<Customer[] | null>(null);
  const [plate, setPlate] = useState('');
  const [make, setMake] = useState('');
  const [model, setModel] = useState('');
  const [year, setYear] = useState('');
  const [fuel, setFuel] = useState<Fuel>('gasoline');
  const [mileage, setMileage] = useState('');
  // The order
  const [concerns, setConcerns] = useState('');
  const [promised, setPromised] = useState('');
  const [waits, setWaits] = useState(false);

  // What the shop already has, offered instead of a second record of it
  const [customerOnFile, setCustomerOnFile] = useState<Customer | null>(null); // the owner, picked
  const [holder, setHolder] = useState<Customer | null>(null); // has the number typed
  const [registered, setRegistered] = useState<Vehicle | null>(null); // has the plate typed
  const [openOrder, setOpenOrder] = useState<OrderSummary | null>(null);

  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  // Made once per form: pressing the button again after a failure repeats the same creates,
  // which the API answers without making anything twice.
  const ids = useRef({ customer: newId(), vehicle: newId(), order: newId() });

  function pickVehicle(vehicle: Vehicle) {
    setPicked({ kind: 'existing', vehicle });
    setRegistered(null);
    setError(null);
    setOpenOrder(null);
    // Said before the form is filled in: the API would refuse the order at the end.
    openOrderOf(vehicle.vehicle_id).then(setOpenOrder, () => undefined);
  }

  function startOver() {
    setPicked({ kind: 'none' });
    setNewOwner(false);
    setOpenOrder(null);
    setRegistered(null);
    setHolder(null);
    setError(null);
  }

  function missing(): string[] {
    const fields: string[] = [];
    if (picked.kind === 'new' || newOwner) {
      if (!customerOnFile && !name.trim()) fields.push(t('newOrder.name'));
      if (!customerOnFile && !mobile.trim()) fields.push(t('newOrder.mobile'));
      if (!customerOnFile && !consent) fields.push(t('customers.noticeField'));
    }
    if (picked.kind === 'new') {
      if (!plate.trim()) fields.push(t('newOrder.plate'));
      if (!make.trim()) fields.push(t('newOrder.make'));
      if (!model.trim()) fields.push(t('newOrder.model'));
      if (Number.isNaN(wholeNumber(year))) fields.push(t('newOrder.year'));
    }
    if (Number.isNaN(wholeNumber(mileage))) fields.push(t('newOrder.mileage'));
    if (promised && !taipeiLocalToIso(promised)) fields.push(t('newOrder.promised'));
    return fields;
  }

  /** The customer picked, or the one typed in, created (once per form, however often sent). */
  async function theCustomer(): Promise<{ id: string; sent: boolean }> {
    if (customerOnFile) return { id: customerOnFile.customer_id, sent: true };
    try {
      const created = await createCustomer(ids.current.customer, {
        name: name.trim(), mobile: mobile.trim(), channel, consentVersion: NOTICE_VERSION, marketing,
      });
      return { id: ids.current.customer, sent: created.sent };
    } catch (failure) {
      // The number is a customer's already (409): offer them rather than a second record.
      if (failure instanceof ApiError && failure.code === 'mobile_taken') {
        setHolder(await holderOf(mobile).catch(() => null));
      }
      throw failure;
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (picked.kind === 'none') return;
    const fields = missing();
    if (fields.length) {
      setError(tf('newOrder.required', { fields: fields.join('、') }));
      return;
    }
    setBusy(true);
    setError(null);
    setHolder(null);
    setRegistered(null);
    const mileageKm = wholeNumber(mileage);
    const vehicleId = picked.kind === 'existing' ? picked.vehicle.vehicle_id : ids.current.vehicle;
    try {
      let customerId: string;
      let anyQueued = false;
      if (picked.kind === 'new') {
        // A plate already on file is that car, whichever way it was typed: no second owner (the
        // vehicle this form made before, on an earlier try, is this form's own).
        const known = await registeredVehicle(plate);
        if (known && known.vehicle_id !== vehicleId) {
          setRegistered(known);
          setError(tf('newOrder.plateRegistered', { plate: known.plate }));
          return;
        }
        const customer = await theCustomer();
        customerId = customer.id;
        const yearNumber = wholeNumber(year);
        // The mileage goes with the order only: its reading at reception, recorded once.
        const vehicle = await createVehicle(vehicleId, customerId, {
          plate: plate.trim(), make: make.trim(), model: model.trim(), fuel,
          ...(yearNumber !== undefined ? { year: yearNumber } : {}),
        });
        anyQueued = !customer.sent || !vehicle.sent;
      } else if (newOwner) {
        const customer = await theCustomer();
        customerId = customer.id;
        const moved = await changeVehicleOwner(vehicleId, customerId);
        anyQueued = !customer.sent || !moved.sent;
      } else {
        customerId = picked.vehicle.customer_id;
      }
      const promisedAt = promised ? taipeiLocalToIso(promised) : null;
      const order = await createOrder(ids.current.order, {
        customer_id: customerId,
        vehicle_id: vehicleId,
        concerns: concerns.split('\n').map((line) => line.trim()).filter(Boolean),
        waits_in_shop: waits,
        ...(promisedAt ? { promised_at: promisedAt } : {}),
        ...(mileageKm !== undefined ? { mileage_km: mileageKm } : {}),
      });
      if (order.sent && !anyQueued) navigate(orderPath(order.body.order_id));
      else setQueued(true);
    } catch (failure) {
      setError(errorText(failure));
      if (failure instanceof ApiError && failure.code === 'vehicle_has_open_order') {
        openOrderOf(vehicleId).then((order) => {
          if (order) {
            setOpenOrder(order);
            setError(null); // the notice below says it, with the way to that order
          }
        }, () => undefined);
      }
    } finally {
      setBusy(false);
    }
  }

  if (queued) {
    return (
      <section class="screen" aria-labelledby="new-order-title">
        <h1 id="new-order-title">{t('newOrder.title')}</h1>
        <Notice tone="info">{t('common.queued')}</Notice>
        <a class="button-primary" href="#/board">{t('nav.board')}</a>
      </section>
    );
  }

  // The number first: the shop's customer with it is picked, and only when none has it are the
  // new customer's fields offered (the number typed already in them).
  const numberIsNew = lookedUp !== null
    && !lookedUp.some((customer) => nationalDigits(customer.mobile) === nationalDigits(mobile));
  const newCustomerFields = (
    <>
      <CustomerLookup id="new-mobile" label={t('newOrder.mobile')} value={mobile} onValue={setMobile}
        onLooked={setLookedUp} onPick={(customer) => {
          setCustomerOnFile(customer);
          setHolder(null);
          setError(null);
        }} />
      {numberIsNew && (
        <>
          <p class="muted" role="status">{t('customers.newNumber')}</p>
          <Field id="new-name" label={t('newOrder.name')} value={name} onValue={setName}
            autoComplete="off" enterKeyHint="next" />
          <Choice label={t('newOrder.channel')} value={channel} onChange={setChannel}
            options={(['line', 'sms', 'none'] as const).map((value) => ({ value, label: t(`channel.${value}`) }))} />
          <label class="check">
            <input id="new-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
            <span>{tf('newOrder.consent', { version: NOTICE_VERSION })}</span>
          </label>
          <label class="check">
            <input id="new-marketing" type="checkbox" checked={marketing} onChange={(e) => setMarketing(e.currentTarget.checked)} />
            <span>{t('customers.marketingAsk')}</span>
          </label>
        </>
      )}
    </>
  );

  // The customer picked from the shop's, or the new one's fields.
  const customerFields = customerOnFile ? (
    <div class="picked">
      <span class="tag">{t('newOrder.existingCustomer')}</span>
      <span>{customerOnFile.name}</span>
      <span class="muted">{formatPhone(customerOnFile.mobile)}</span>
      <button type="button" class="button-secondary" onClick={() => setCustomerOnFile(null)}>
        {t('newOrder.otherCustomer')}
      </button>
    </div>
  ) : newCustomerFields;

  const mileageField = (
    <Field id="new-mileage" label={t('newOrder.mileage')} value={mileage} onValue={setMileage}
      inputMode="numeric" pattern="[0-9]*" autoComplete="off" enterKeyHint="next" />
  );

  return (
    <section class="screen" aria-labelledby="new-order-title">
      <h1 id="new-order-title">{t('newOrder.title')}</h1>
      <form class="form" onSubmit={submit} noValidate>
        {picked.kind === 'none' && (
          <PlateLookup
            id="new-plate-lookup"
            label={t('newOrder.plate')}
            onPick={pickVehicle}
            footer={(typed, isNew) => isNew && (
              <button type="button" class="button-secondary button-block" onClick={() => {
                setPlate(typed);
                setPicked({ kind: 'new', plate: typed });
              }}>
                {tf('newOrder.newPlate', { plate: typed })}
              </button>
            )}
          />
        )}
        {picked.kind === 'existing' && (
          <>
            <PickedVehicle vehicle={picked.vehicle} onChange={startOver} />
            {newOwner ? (
              <fieldset class="fieldset">
                <legend>{t('newOrder.newOwner')}</legend>
                <p class="muted">{tf('newOrder.newOwnerLead', { name: picked.vehicle.customer_name ?? '' })}</p>
                {customerFields}
                <button type="button" class="button-secondary" onClick={() => { setNewOwner(false); setCustomerOnFile(null); }}>
                  {t('newOrder.sameOwner')}
                </button>
              </fieldset>
            ) : (
              <button type="button" class="button-link" onClick={() => setNewOwner(true)}>{t('newOrder.ownerChanged')}</button>
            )}
          </>
        )}
        {picked.kind === 'new' && (
          <>
            <fieldset class="fieldset">
              <legend>{t('newOrder.vehicle')}</legend>
              <Field id="new-vehicle-plate" class="input-plate" label={t('newOrder.plate')} value={plate}
                onValue={setPlate} autoCapitalize="characters" autoComplete="off" />
              <div class="field-row">
                <Field id="new-make" label={t('newOrder.make')} value={make} onValue={setMake} autoComplete="off" />
                <Field id="new-model" label={t('newOrder.model')} value={model} onValue={setModel} autoComplete="off" />
              </div>
              <div class="field-row">
                <Field id="new-year" label={t('newOrder.year')} value={year} onValue={setYear}
                  inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
                {mileageField}
              </div>
              <Choice label={t('newOrder.fuel')} value={fuel} onChange={setFuel}
                options={FUELS.map((value) => ({ value, label: t(`fuel.${value}`) }))} />
            </fieldset>
            <fieldset class="fieldset">
              <legend>{t('newOrder.customer')}</legend>
              {customerFields}
            </fieldset>
            <button type="button" class="button-secondary" onClick={startOver}>
              {t('newOrder.change')}
            </button>
          </>
        )}
        {picked.kind !== 'none' && (
          <fieldset class="fieldset">
            <legend>{t('newOrder.order')}</legend>
            <div class="field">
              <label class="field-label" for="new-concerns">{t('newOrder.concerns')}</label>
              <textarea id="new-concerns" rows={3} value={concerns} onInput={(e) => setConcerns(e.currentTarget.value)}
                placeholder={t('newOrder.concernsHint')} />
            </div>
            <div class="field-row">
              <Field id="new-promised" label={t('newOrder.promised')} value={promised} onValue={setPromised}
                type="datetime-local" />
              {picked.kind === 'existing' && mileageField}
            </div>
            <Choice label={t('newOrder.waiting')} value={waits ? 'yes' : 'no'} onChange={(v) => setWaits(v === 'yes')}
              options={[{ value: 'no', label: t('order.leaves') }, { value: 'yes', label: t('order.waits') }]} />
          </fieldset>
        )}
        {openOrder && <OpenOrderNotice order={openOrder} />}
        {error && <Notice>{error}</Notice>}
        {holder && (
          <button type="button" class="button-secondary button-block" onClick={() => {
            setCustomerOnFile(holder);
            setHolder(null);
            setError(null);
          }}>
            {tf('newOrder.useCustomer', { name: holder.name, mobile: nationalDigits(holder.mobile) })}
          </button>
        )}
        {registered && (
          <button type="button" class="button-secondary button-block" onClick={() => pickVehicle(registered)}>
            {tf('newOrder.useVehicle', { plate: registered.plate, car: `${registered.make} ${registered.model}` })}
          </button>
        )}
        {picked.kind !== 'none' && (
          <button type="submit" class="button-primary" disabled={busy}>
            {busy ? t('newOrder.working') : t('newOrder.submit')}
          </button>
        )}
      </form>
    </section>
  );
}
