// Tread at three grooves per tyre, fast: pick a groove (the first one is picked already), tap a
// depth and the next groove follows; ±0.5 mm steppers and the keypad for anything else; "same
// for all" copies one tyre to the four on the road.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  dotValid, field, GROOVES, parseDepth, previewTyre, stepDepth, subject, TYRES, type Groove, type TyreFinding,
  type TyrePosition,
} from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { ColourBadge, CommitField, PhotoButton, wholeIn } from './inputs';

const ROAD: TyrePosition[] = ['LF', 'RF', 'LR', 'RR'];
/** 1.0 … 8.5 mm: the depths a gauge shows on a car that comes in for service. */
const DEPTHS = Array.from({ length: 16 }, (_, i) => 1 + i * 0.5);

interface Slot { pos: TyrePosition; groove: Groove }

function nextSlot({ pos, groove }: Slot): Slot {
  const g = GROOVES.indexOf(groove);
  if (g < GROOVES.length - 1) return { pos, groove: GROOVES[g + 1]! };
  const p = TYRES.indexOf(pos);
  return { pos: TYRES[(p + 1) % TYRES.length]!, groove: GROOVES[0] };
}

const depthText = (value: unknown) => (typeof value === 'number' ? value.toFixed(1) : '');

/** The server's findings for a tyre, or a preview while its latest values wait to be sent. */
function findingFor(w: Walkaround, pos: TyrePosition): TyreFinding | null {
  const waiting = [...w.waitingFields.value].some((name) => name.startsWith(`tyres.${pos}.`));
  const server = w.server.value?.findings.tyres?.[pos];
  return !waiting && server ? server : previewTyre(w.values.value, pos, w.settings.value);
}

export function Tyres({ w, editable }: { w: Walkaround; editable: boolean }) {
  const [active, setActive] = useState<Slot>({ pos: 'LF', groove: 'inner' });
  // The tyre last measured: after its outer groove the next tyre is picked, but "same for all"
  // means the one just done.
  const [measured, setMeasured] = useState<TyrePosition>('LF');
  const values = w.values.value;
  const activeValue = values[field.groove(active.pos, active.groove)];
  const source = measured === 'SPARE' ? 'LF' : measured;

  function setDepth(depth: number, advance: boolean) {
    w.set(field.groove(active.pos, active.groove), depth);
    setMeasured(active.pos);
    if (advance) setActive(nextSlot(active));
  }

  function sameForAll() {
    const entries: [string, unknown][] = [];
    for (const pos of ROAD) {
      if (pos === source) continue;
      for (const groove of GROOVES) {
        const depth = values[field.groove(source, groove)];
        if (typeof depth === 'number') entries.push([field.groove(pos, groove), depth]);
      }
    }
    if (entries.length) w.change(entries);
  }

  return (
    <div class="tyres-layout">
      <div class="tyres">
        {TYRES.map((pos) => (
          <TyreCard key={pos} w={w} pos={pos} active={active} editable={editable} onPick={setActive} />
        ))}
      </div>
      <div class="depth-pad" role="group" aria-label={t('walk.depthPad')}>
        <p class="depth-for">{tf('walk.depthFor', { tyre: t(`walk.tyre.${active.pos}`), groove: t(`walk.groove.${active.groove}`) })}</p>
        <div class="stepper">
          <button type="button" class="step" aria-label={t('walk.stepDown')} disabled={!editable}
            onClick={() => setDepth(stepDepth(typeof activeValue === 'number' ? activeValue : undefined, -0.5), false)}>−</button>
          <CommitField key={`${active.pos}-${active.groove}`} id="walk-depth" label={t('walk.depthTyped')} hideLabel class="depth-typed"
            shown={depthText(activeValue)} inputMode="decimal" maxLength={4} parse={(text) => parseDepth(text)}
            invalid={t('walk.depthInvalid')} disabled={!editable}
            onCommit={(value) => (typeof value === 'number' ? setDepth(value, true) : w.set(field.groove(active.pos, active.groove), null))} />
          <button type="button" class="step" aria-label={t('walk.stepUp')} disabled={!editable}
            onClick={() => setDepth(stepDepth(typeof activeValue === 'number' ? activeValue : undefined, 0.5), false)}>+</button>
        </div>
        <div class="depth-chips">
          {DEPTHS.map((depth) => (
            <button type="button" key={depth} class="depth-chip" disabled={!editable}
              aria-pressed={activeValue === depth} onClick={() => setDepth(depth, true)}>
              {depth.toFixed(1)}
            </button>
          ))}
        </div>
        <button type="button" class="button-secondary button-block" disabled={!editable}
          onClick={sameForAll}>
          <span>{t('walk.sameForAll')}</span>
          <span class="same-hint">{tf('walk.sameForAllHint', { tyre: t(`walk.tyre.${source}`) })}</span>
        </button>
      </div>
    </div>
  );
}

function TyreCard({ w, pos, active, editable, onPick }: {
  w: Walkaround; pos: TyrePosition; active: Slot; editable: boolean; onPick: (slot: Slot) => void;
}) {
  const values = w.values.value;
  const finding = findingFor(w, pos);
  const name = t(`walk.tyre.${pos}`);
  const pressure = values[field.pressure(pos)];
  const dot = values[field.dot(pos)];
  return (
    <section class={`tyre tyre-${pos.toLowerCase()} tyre-${finding?.colour ?? 'none'}`} aria-label={name} data-tyre={pos}>
      <header class="tyre-head">
        <h3>{name}</h3>
        <ColourBadge colour={finding?.colour} />
        {finding?.uneven && <span class="badge badge-yellow">{t('walk.uneven')}</span>}
        {finding?.dot_old && <span class="badge badge-red">{t('walk.dotOld')}</span>}
        <PhotoButton w={w} subject={subject.tyre(pos)} label={`${name} ${t('walk.tyrePhoto')}`} compact disabled={!editable} />
      </header>
      <div class="grooves">
        {GROOVES.map((groove) => {
          const value = values[field.groove(pos, groove)];
          const isActive = active.pos === pos && active.groove === groove;
          return (
            <button type="button" key={groove} class="groove" aria-pressed={isActive} disabled={!editable}
              aria-label={tf('walk.grooveLabel', { tyre: name, groove: t(`walk.groove.${groove}`), value: depthText(value) || '–' })}
              onClick={() => onPick({ pos, groove })}>
              <span class="groove-name">{t(`walk.groove.${groove}`)}</span>
              <span class="groove-value">{depthText(value) || '–'}</span>
            </button>
          );
        })}
      </div>
      <div class="tyre-extra">
        <CommitField id={`walk-pressure-${pos}`} label={t('walk.pressure')} shown={typeof pressure === 'number' ? String(pressure) : ''}
          inputMode="numeric" maxLength={3} parse={wholeIn(0, 600)} invalid={t('walk.pressureInvalid')} disabled={!editable}
          onCommit={(value) => w.set(field.pressure(pos), value)} />
        <CommitField id={`walk-dot-${pos}`} label={t('walk.dot')} shown={typeof dot === 'string' ? dot : ''}
          inputMode="numeric" maxLength={4} parse={(text) => (dotValid(text.trim()) ? text.trim() : null)}
          invalid={t('walk.dotInvalid')} disabled={!editable}
          onCommit={(value) => w.set(field.dot(pos), value)} />
      </div>
    </section>
  );
}
