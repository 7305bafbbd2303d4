// What a photo shows, named from its subject (`tyre.LF`, `brake.front`, `checklist.wipers`…).
import { t, tf } from '../i18n';

/** `checklist` names a checklist item when the caller knows the shop's template. */
export function photoSubjectName(subject: string, checklist?: (itemId: string) => string | undefined): string {
  const [kind, rest = ''] = subject.split(/\.(.*)/s);
  switch (kind) {
    case 'dashboard': return t('walk.subject.dashboard');
    case 'tyre': return tf('walk.subject.tyre', { name: t(`walk.tyre.${rest}` as 'walk.tyre.LF') });
    case 'brake': return tf('walk.subject.brake', { name: t(`walk.axle.${rest}` as 'walk.axle.front') });
    case 'damage': return tf('walk.subject.damage', { name: '' }).trim();
    case 'checklist': return checklist?.(rest) ?? t('walk.subject.general');
    default: return t('walk.subject.general');
  }
}
