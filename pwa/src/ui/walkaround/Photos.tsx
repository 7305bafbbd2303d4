// Every photo of the walk-around, with what it shows; those not yet uploaded say so.
import { locale, t, tf } from '../../i18n';
import { subject as subjects } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { photoSubjectName } from '../photoSubject';
import { PhotoButton } from './inputs';

function subjectName(w: Walkaround, subject: string): string {
  return photoSubjectName(subject, (itemId) => {
    const item = w.template.value.find((i) => i.item_id === itemId);
    return item ? (locale.value === 'en' ? item.en : item.zh) : itemId;
  });
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
            {editable && photo.synced && (
              <button type="button" class="button-secondary photo-remove"
                aria-label={tf('walk.photoRemove', { subject: subjectName(w, photo.subject) })}
                onClick={() => confirm(t('walk.photoRemoveConfirm')) && w.removePhoto(photo.photo_id)}>
                {t('walk.photoRemoveShort')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
