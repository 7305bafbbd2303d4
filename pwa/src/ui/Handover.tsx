// The delivery walk-around (交車檢查): at the car with the customer, the damage on record at
// check-in (marks and photos) beside the car as it is now; anything new is marked on the same
// outline, the valuables are confirmed returned, and it all goes on the checkout list they sign.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { addPhoto, getInspection, recordHandover } from '../data/api';
import { formatDateTime, newId } from '../data/format';
import { DAMAGE_KINDS, damageMarks, type DamageKind, type DamageMark } from '../data/inspection';
import type { Photo } from '../data/inspection';
import { photoToSend } from '../data/photos';
import type { WriteOutcome } from '../data/queue';
import type { NewDamage, Order } from '../data/types';
import { CAR_HEIGHT, CAR_WIDTH, CarOutline, OutlineMark } from './CarOutline';
import { errorText } from './errors';
import { Field } from './Field';
import { Notice } from './Notice';
import '../screens/walkaround.css';

type Change = (write: () => Promise<WriteOutcome<Order>>, report?: (message: string) => void) => Promise<boolean>;

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;

export function HandoverPanel({ order, busy, change }: { order: Order; busy: boolean; change: Change }) {
  const [checkedIn, setCheckedIn] = useState<[string, DamageMark][]>([]);
  const [photos, setPhotos] = useState<Photo[]>([]);
  const [found, setFound] = useState<NewDamage[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [valuables, setValuables] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [redo, setRedo] = useState(false);
  const camera = useRef<HTMLInputElement>(null);
  const signed = Boolean(order.signed?.checkout);

  useEffect(() => {
    getInspection(order.order_id).then((inspection) => {
      setCheckedIn(damageMarks(inspection.values).sort(([, a], [, b]) => a.y - b.y || a.x - b.x));
      setPhotos(inspection.photos.filter((photo) => photo.subject.startsWith('damage.')));
    }, (failure: unknown) => setError(errorText(failure)));
  }, [order.order_id]);

  if (order.state !== 'ready') return null;
  const done = order.handover;
  if (done && !redo) {
    return (
      <section class="panel handover" aria-labelledby="handover-title">
        <h2 id="handover-title">{t('handover.title')}</h2>
        <p data-testid="handover-done">
          {tf('handover.done', { n: done.new_damage.length, name: done.by.name, time: formatDateTime(done.at) })}
          {' · '}{done.valuables_returned ? t('handover.valuablesReturned') : t('handover.valuablesNot')}
        </p>
        {!signed && <button type="button" class="button-secondary" onClick={() => setRedo(true)}>{t('handover.redo')}</button>}
      </section>
    );
  }

  function drop(event: MouseEvent) {
    const box = (event.currentTarget as SVGSVGElement).getBoundingClientRect();
    const mark: NewDamage = { mark_id: newId(), x: round((event.clientX - box.left) / box.width), y: round((event.clientY - box.top) / box.height), kind: 'scratch' };
    setFound((current) => [...current, mark]);
    setSelected(mark.mark_id);
  }
  const update = (id: string, patch: Partial<NewDamage>) =>
    setFound((current) => current.map((mark) => (mark.mark_id === id ? { ...mark, ...patch } : mark)));

  async function shoot(files: FileList, markId: string) {
    for (const file of Array.from(files)) {
      try {
        await addPhoto(order.order_id, newId(), `delivery.${markId}`, await photoToSend(file));
      } catch (failure) {
        setError(errorText(failure));
      }
    }
  }

  async function save() {
    const marks = found.map(({ note, ...mark }) => ({ ...mark, ...(note?.trim() ? { note: note.trim() } : {}) }));
    if (await change(() => recordHandover(order.order_id, marks, valuables), setError)) setRedo(false);
  }

  const current = found.find((mark) => mark.mark_id === selected);
  return (
    <section class="panel handover" aria-labelledby="handover-title">
      <h2 id="handover-title">{t('handover.title')}</h2>
      <p class="muted">{t('handover.lead')}</p>
      <div class="handover-body">
        <figure class="damage-figure">
          <span class="damage-end">{t('walk.front')}</span>
          <svg class="damage-diagram handover-diagram" viewBox={`0 0 ${CAR_WIDTH} ${CAR_HEIGHT}`} role="img"
            aria-label={t('handover.diagram')} onClick={drop}>
            <rect width={CAR_WIDTH} height={CAR_HEIGHT} fill="transparent" />
            <CarOutline />
            {checkedIn.map(([id, mark], i) => (
              <OutlineMark key={id} x={mark.x} y={mark.y} label={String(i + 1)} class="damage-mark damage-mark-old" />
            ))}
            {found.map((mark, i) => (
              <OutlineMark key={mark.mark_id} x={mark.x} y={mark.y} label={String.fromCharCode(65 + i)}
                class={`damage-mark${mark.mark_id === selected ? ' damage-mark-selected' : ''}`} onSelect={() => setSelected(mark.mark_id)} />
            ))}
          </svg>
          <span class="damage-end">{t('walk.rear')}</span>
        </figure>
        <div class="handover-side">
          <h3>{tf('handover.onRecord', { n: checkedIn.length })}</h3>
          {checkedIn.length > 0 && (
            <ol class="handover-old">
              {checkedIn.map(([id, mark]) => (
                <li key={id}>{t(`damage.${mark.kind}`)}{mark.note ? `：${mark.note}` : ''}
                  <span class="finding-shots">
                    {photos.filter((photo) => photo.subject === `damage.${id}`).map((photo) => (
                      <a key={photo.photo_id} href={photo.display_url} target="_blank" rel="noopener">
                        <img src={photo.thumb_url} alt={t(`damage.${mark.kind}`)} width={96} height={72} loading="lazy" />
                      </a>
                    ))}
                  </span>
                </li>
              ))}
            </ol>
          )}
          <h3>{found.length ? tf('handover.new', { n: found.length }) : t('handover.noneNew')}</h3>
          <p class="muted">{t('handover.tapToMark')}</p>
          {current && (
            <div class="damage-detail" role="group" aria-label={t('handover.newMark')}>
              <div class="choice">
                {DAMAGE_KINDS.map((kind: DamageKind) => (
                  <button type="button" key={kind} class="choice-option" aria-pressed={current.kind === kind}
                    onClick={() => update(current.mark_id, { kind })}>{t(`damage.${kind}`)}</button>
                ))}
              </div>
              <Field id={`handover-note-${current.mark_id}`} label={t('walk.damageNote')} value={current.note ?? ''}
                onValue={(note) => update(current.mark_id, { note })} maxLength={200} autoComplete="off" />
              <button type="button" class="button-secondary" onClick={() => camera.current?.click()}>{t('finding.photo')}</button>
              <input ref={camera} type="file" accept="image/*" capture="environment" multiple hidden
                onChange={(event) => {
                  const files = event.currentTarget.files;
                  if (files?.length) void shoot(files, current.mark_id);
                  event.currentTarget.value = '';
                }} />
              <button type="button" class="button-danger" onClick={() => { setFound(found.filter((m) => m.mark_id !== current.mark_id)); setSelected(null); }}>
                {t('walk.damageRemove')}
              </button>
            </div>
          )}
          <label class="check">
            <input type="checkbox" checked={valuables} onChange={(event) => setValuables(event.currentTarget.checked)} />
            <span>{t('handover.valuables')}</span>
          </label>
          {error && <Notice>{error}</Notice>}
          <button type="button" class="button-primary button-step" disabled={busy} onClick={() => void save()}>{t('handover.save')}</button>
        </div>
      </div>
    </section>
  );
}
