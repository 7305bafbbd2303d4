// Brake pads in millimetres, front and rear, coloured by the shop's thresholds; a note on the discs.
import { t, tf } from '../../i18n';
import { AXLES, field, previewPad, stepDepth, subject, type Axle } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { ColourBadge, CommitField, decimalIn, PhotoButton, PhotoStrip } from './inputs';

export function Brakes({ w, editable }: { w: Walkaround; editable: boolean }) {
  return (
    <div class="brakes">
      {AXLES.map((axle) => <BrakeRow key={axle} w={w} axle={axle} editable={editable} />)}
    </div>
  );
}

function BrakeRow({ w, axle, editable }: { w: Walkaround; axle: Axle; editable: boolean }) {
  const values = w.values.value;
  const pad = values[field.pad(axle)];
  const waiting = w.waitingFields.value.has(field.pad(axle));
  const server = w.server.value?.findings.brakes?.[axle]?.colour;
  const colour = !waiting && server ? server : previewPad(pad, w.settings.value);
  const name = t(`walk.axle.${axle}`);
  const note = values[field.disc(axle)];
  const step = (delta: number) => w.set(field.pad(axle), Math.min(30, stepDepth(typeof pad === 'number' ? pad : undefined, delta, 10)));
  return (
    <section class={`brake brake-${colour ?? 'none'}`} aria-label={name} data-axle={axle}>
      <header class="tyre-head">
        <h3>{name}</h3>
        <ColourBadge colour={colour} />
      </header>
      <div class="stepper">
        <button type="button" class="step" aria-label={`${name} ${t('walk.stepDown')}`} disabled={!editable} onClick={() => step(-0.5)}>−</button>
        <CommitField id={`walk-pad-${axle}`} label={tf('walk.padMm', { axle: name })} class="depth-typed"
          shown={typeof pad === 'number' ? pad.toFixed(1) : ''} inputMode="decimal" maxLength={4}
          parse={decimalIn(0, 30)} invalid={t('walk.padInvalid')} disabled={!editable}
          onCommit={(value) => w.set(field.pad(axle), value)} />
        <button type="button" class="step" aria-label={`${name} ${t('walk.stepUp')}`} disabled={!editable} onClick={() => step(0.5)}>+</button>
      </div>
      <CommitField id={`walk-disc-${axle}`} label={tf('walk.discNote', { axle: name })} hint={t('walk.discHint')}
        shown={typeof note === 'string' ? note : ''} maxLength={200} parse={(text) => text.trim()} invalid=""
        disabled={!editable} onCommit={(value) => w.set(field.disc(axle), value)} />
      <div class="photo-row">
        <PhotoButton w={w} subject={subject.brake(axle)} label={t('walk.tyrePhoto')} disabled={!editable} />
        <PhotoStrip w={w} subject={subject.brake(axle)} />
      </div>
    </section>
  );
}
