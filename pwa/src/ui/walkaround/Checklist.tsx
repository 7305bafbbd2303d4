// The shop's checklist: green, yellow or red in one tap per item; "rest OK" marks what is left.
import { locale, t, tf } from '../../i18n';
import { field, subject, type ChecklistMark, type Colour, type TemplateItem } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';
import { CommitField, PhotoButton } from './inputs';

const STATUSES: Colour[] = ['green', 'yellow', 'red'];

export function Checklist({ w, editable }: { w: Walkaround; editable: boolean }) {
  const items = w.template.value;
  const values = w.values.value;
  const markOf = (item: TemplateItem) => values[field.checklist(item.item_id)] as ChecklistMark | undefined;
  const unset = items.filter((item) => !markOf(item));
  const groups = [...new Set(items.map((item) => item.group ?? ''))];
  const english = locale.value === 'en';
  const groupName = (id: string) => {
    const named = w.groups.value.find((g) => g.group === id);
    return named ? (english ? named.en : named.zh) : id;
  };

  if (!items.length) return <p class="muted">{t('walk.checklistEmpty')}</p>;
  return (
    <>
      <div class="section-tools">
        <p class="muted">{t('walk.checklistLead')}</p>
        <button type="button" class="button-secondary" disabled={!editable || unset.length === 0}
          onClick={() => w.change(unset.map((item) => [field.checklist(item.item_id), { status: 'green' }]))}>
          {t('walk.checklistRestGreen')}
        </button>
      </div>
      {groups.map((group) => (
        <div class="checklist-group" key={group}>
          {group && <h3>{groupName(group)}</h3>}
          <ul class="checklist">
            {items.filter((item) => (item.group ?? '') === group).map((item) => {
              const mark = markOf(item);
              const name = english ? item.en : item.zh;
              return (
                <li key={item.item_id} class={`check-item check-${mark?.status ?? 'none'}`} data-item={item.item_id}>
                  <span class="check-name">{name}</span>
                  <div class="status-choice" role="group" aria-label={name}>
                    {STATUSES.map((status) => (
                      <button type="button" key={status} class={`status status-${status}`} aria-pressed={mark?.status === status}
                        disabled={!editable} onClick={() => w.set(field.checklist(item.item_id), { ...mark, status })}>
                        {t(`walk.status.${status}`)}
                      </button>
                    ))}
                  </div>
                  <PhotoButton w={w} subject={subject.checklist(item.item_id)} label={`${name} ${t('walk.itemPhoto')}`} compact disabled={!editable} />
                  {mark && mark.status !== 'green' && (
                    <CommitField id={`walk-note-${item.item_id}`} label={tf('walk.itemNote', { item: name })} hideLabel class="check-note"
                      placeholder={t('walk.notePlaceholder')}
                      shown={mark.note ?? ''} maxLength={200} parse={(text) => text.trim()} invalid="" disabled={!editable}
                      onCommit={(note) => w.set(field.checklist(item.item_id), { ...mark, note: typeof note === 'string' && note ? note : undefined })} />
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </>
  );
}
