// Damage on a top-down outline of the car: a tap drops a mark (a scratch, the most common kind,
// changed with one more tap), each with its own photos. Pre-existing damage on record is what
// protects the shop in a dispute.
import { useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { DAMAGE_KINDS, damageMarks, field, subject, type DamageMark } from '../../data/inspection';
import { newId } from '../../data/format';
import type { Walkaround } from '../../data/walkaround';
import { CAR_HEIGHT, CAR_WIDTH, CarOutline, OutlineMark } from '../CarOutline';
import { CommitField, PhotoButton, PhotoStrip } from './inputs';

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;

export function Damage({ w, editable }: { w: Walkaround; editable: boolean }) {
  const [selected, setSelected] = useState<string | null>(null);
  // Numbered front to back, so the numbers read like the car.
  const marks = damageMarks(w.values.value).sort(([, a], [, b]) => a.y - b.y || a.x - b.x);
  const current = marks.find(([id]) => id === selected);

  function drop(event: MouseEvent) {
    if (!editable) return;
    const box = (event.currentTarget as SVGSVGElement).getBoundingClientRect();
    const id = newId();
    w.set(field.damage(id), { x: round((event.clientX - box.left) / box.width), y: round((event.clientY - box.top) / box.height), kind: 'scratch' });
    setSelected(id);
  }

  const update = (id: string, mark: DamageMark, patch: Partial<DamageMark>) => w.set(field.damage(id), { ...mark, ...patch });

  return (
    <div class="damage">
      <figure class="damage-figure">
        <span class="damage-end">{t('walk.front')}</span>
        <svg class="damage-diagram" viewBox={`0 0 ${CAR_WIDTH} ${CAR_HEIGHT}`} role="img"
          aria-label={t('walk.damageDiagram')} onClick={drop}>
          <rect width={CAR_WIDTH} height={CAR_HEIGHT} fill="transparent" />
          <CarOutline />
          {marks.map(([id, mark], i) => (
            <OutlineMark key={id} x={mark.x} y={mark.y} label={String(i + 1)}
              class={`damage-mark${id === selected ? ' damage-mark-selected' : ''}`} onSelect={() => setSelected(id)} />
          ))}
        </svg>
        <span class="damage-end">{t('walk.rear')}</span>
      </figure>
      <div class="damage-side">
        {marks.length === 0 && <p class="muted">{t('walk.damageNone')}</p>}
        <ol class="damage-list">
          {marks.map(([id, mark], i) => (
            <li key={id}>
              <button type="button" class="damage-pick" aria-pressed={id === selected} onClick={() => setSelected(id)}>
                {tf('walk.damageMark', { n: i + 1, kind: t(`damage.${mark.kind}`) })}
              </button>
            </li>
          ))}
        </ol>
        {current && (() => {
          const [id, mark] = current;
          return (
            <div class="damage-detail" role="group" aria-label={tf('walk.damageMark', { n: marks.indexOf(current) + 1, kind: t(`damage.${mark.kind}`) })}>
              <div class="choice">
                {DAMAGE_KINDS.map((kind) => (
                  <button type="button" key={kind} class="choice-option" aria-pressed={mark.kind === kind} disabled={!editable}
                    onClick={() => update(id, mark, { kind })}>{t(`damage.${kind}`)}</button>
                ))}
              </div>
              <CommitField key={id} id={`walk-damage-note-${id}`} label={t('walk.damageNote')} shown={mark.note ?? ''}
                maxLength={200} parse={(text) => text.trim()} invalid="" disabled={!editable}
                onCommit={(note) => update(id, mark, { note: typeof note === 'string' && note ? note : undefined })} />
              <div class="photo-row">
                <PhotoButton w={w} subject={subject.damage(id)} label={t('walk.tyrePhoto')} disabled={!editable} />
                <PhotoStrip w={w} subject={subject.damage(id)} />
              </div>
              <button type="button" class="button-danger" disabled={!editable}
                onClick={() => { w.set(field.damage(id), null); setSelected(null); }}>{t('walk.damageRemove')}</button>
            </div>
          );
        })()}
      </div>
    </div>
  );
}
