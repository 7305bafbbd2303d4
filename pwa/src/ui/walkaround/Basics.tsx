// Mileage, fuel (or charge) and the two confirmations made with the customer at the car.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { field, subject } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { CommitField, PhotoButton, PhotoStrip, wholeIn } from './inputs';

const km = (n: number) => n.toLocaleString('en-US');

export function Basics({ w, editable }: { w: Walkaround; editable: boolean }) {
  const values = w.values.value;
  const mileage = values[field.mileage];
  const last = w.vehicle.value?.mileage;
  const prompt = w.mileagePrompt.value;
  const electric = w.vehicle.value?.fuel === 'ev';
  return (
    <div class="walk-basics">
      <div class="walk-block">
        <CommitField id="walk-mileage" label={`${t('walk.mileage')}（${t('walk.mileageUnit')}）`} class="field-mileage"
          shown={typeof mileage === 'number' ? String(mileage) : ''} inputMode="numeric" maxLength={9}
          parse={wholeIn(0, 3_000_000)} invalid={t('walk.mileageInvalid')} disabled={!editable}
          hint={last ? tf('walk.mileageLast', { km: km(last.km) }) : undefined}
          onCommit={(value) => (typeof value === 'number' ? w.setMileage(value) : w.set(field.mileage, null))} />
        {prompt && (
          <div class="mileage-prompt" role="alertdialog" aria-labelledby="mileage-lower">
            <p id="mileage-lower">{t('walk.mileageLower')}<br /><span class="muted">{prompt.message}</span></p>
            <div class="button-row">
              <button type="button" class="button-primary" onClick={() => w.setMileage(prompt.km, true)}>
                {tf('walk.mileageConfirm', { km: km(prompt.km) })}
              </button>
              <button type="button" class="button-secondary" onClick={() => {
                prompt.dismiss();
                document.getElementById('walk-mileage')?.focus();
              }}>{t('walk.mileageFix')}</button>
            </div>
          </div>
        )}
        <div class="photo-row">
          <PhotoButton w={w} subject={subject.dashboard} label={t('walk.dashboardPhoto')} disabled={!editable} />
          <PhotoStrip w={w} subject={subject.dashboard} />
        </div>
      </div>
      <div class="walk-block">
        <FuelSlider value={values[field.fuel]} label={electric ? t('walk.charge') : t('walk.fuel')} disabled={!editable}
          onValue={(n) => w.set(field.fuel, n)} />
      </div>
      <div class="walk-block walk-confirms">
        <Toggle label={t('walk.valuables')} hint={t('walk.valuablesHint')} on={values[field.valuables] === true}
          disabled={!editable} onToggle={(on) => w.set(field.valuables, on)} />
        <Toggle label={t('walk.customerPresent')} hint={t('walk.customerPresentHint')} on={values[field.customerPresent] === true}
          disabled={!editable} onToggle={(on) => w.set(field.customerPresent, on)} />
      </div>
    </div>
  );
}

/** Eighths on a slider with a big thumb; a tap on the track sets it. */
function FuelSlider({ value, label, disabled, onValue }: {
  value: unknown; label: string; disabled: boolean; onValue: (eighths: number) => void;
}) {
  const [sliding, setSliding] = useState<number | null>(null);
  const known = typeof value === 'number' ? value : null;
  const shown = sliding ?? known;
  return (
    <div class="field fuel">
      <label class="field-label" for="walk-fuel">
        {label} <output class="fuel-value" for="walk-fuel">{shown === null ? t('walk.fuelUnset') : tf('walk.fuelValue', { n: shown })}</output>
      </label>
      <input id="walk-fuel" type="range" min={0} max={8} step={1} value={shown ?? 0} disabled={disabled}
        class={shown === null ? 'fuel-slider fuel-unset' : 'fuel-slider'}
        style={{ '--fill': `${((shown ?? 0) / 8) * 100}%` }}
        aria-valuetext={shown === null ? t('walk.fuelUnset') : tf('walk.fuelValue', { n: shown })}
        onInput={(event) => setSliding(Number(event.currentTarget.value))}
        onChange={(event) => {
          setSliding(null);
          onValue(Number(event.currentTarget.value));
        }} />
      <div class="fuel-ticks" aria-hidden="true">
        {Array.from({ length: 9 }, (_, i) => (
          <span key={i}>{i === 0 ? t('walk.fuelEmpty') : i === 8 ? t('walk.fuelFull') : i % 2 === 0 ? `${i / 2}/4` : '·'}</span>
        ))}
      </div>
    </div>
  );
}

export function Toggle({ label, hint, on, disabled, onToggle }: {
  label: string; hint?: string; on: boolean; disabled: boolean; onToggle: (on: boolean) => void;
}) {
  return (
    <button type="button" class="toggle" aria-pressed={on} disabled={disabled} onClick={() => onToggle(!on)}>
      <span class="toggle-box" aria-hidden="true" />
      <span class="toggle-text"><strong>{label}</strong>{hint && <span class="muted">{hint}</span>}</span>
    </button>
  );
}
