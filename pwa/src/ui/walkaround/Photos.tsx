// Every photo of the walk-around, with what it shows; those not yet uploaded say so.
import { locale, t, tf } from '../../i18n';
import { subject as subjects } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { PhotoButton } from './inputs';

function subjectName(w: Walkaround, subject: string): string {
  const [kind, rest = ''] = subject.split(/\.(.*)/s);
  switch (kind) {
    case 'dashboard': return t('walk.subject.dashboard');
    case 'tyre': return tf('walk.subject.tyre', { name: t(`walk.tyre.${rest}` as 'walk.tyre.LF') });
    case 'brake': return tf('walk.subject.brake', { name: t(`walk.axle.${rest}` as 'walk.axle.front') });
    case 'damage': return tf('walk.subject.damage', { name: '' }).trim();
    case 'checklist': {
      const item = w.template.value.find((i) => i.item_id === rest);
      return item ? (locale.value === 'en' ? item.en : item.zh) : rest;
    }
    default: return t('walk.subject.general');
  }
}

export function Photos({ w, editable }: { w: Walkaround; editable: boolean }) {
  const photos = w.photos.value;
  return (
    <>
      <div class="section-tools">
        <p class="muted">{photos.length ? tf('walk.photoCount', { n: photos.length }) : t('walk.photosEmpty')}</p>
        <PhotoButton w={w} subject={subjects.general} label={t('walk.photoGeneral')} disabled={!editable} />
      </div>
      <ul class="photo-grid">
        {photos.map((photo) => (
          <li key={photo.photo_id} class={photo.synced ? 'photo-synced' : 'photo-waiting'} data-photo={photo.photo_id}>
            {photo.url ? <img src={photo.url} alt={subjectName(w, photo.subject)} loading="lazy" /> : <span class="photo-blank" />}
            <span class="photo-caption">{subjectName(w, photo.subject)}</span>
            {!photo.synced && <span class="photo-pending">{t('walk.photoPending')}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}
