import { t, tf } from '../i18n';
import { categoryUnit, fieldsFor, type DraftProblem, type MoveDraft } from '../data/parts';
import { DISPOSAL_CATEGORIES, type PartState } from '../data/types';
import { Field } from './Field';

/** The message for a move's missing or wrong field. */
export const problemText = (problem: DraftProblem) =>
  t(problem === 'location' ? 'location.missing' : problem === 'recycler' ? 'disposal.recyclerMissing' : 'orderParts.quantityInvalid');

/**
 * The fields a move needs (a shelf for `held`, the recycler's record for `disposed`, the
 * supplier's references for `returned_to_supplier`) and a note. `id` keeps the inputs' ids apart.
 */
export function PartMoveFields({ to, draft, onDraft, id, withNote = true }: {
  to: PartState;
  draft: MoveDraft;
  onDraft: (draft: MoveDraft) => void;
  id: string;
  withNote?: boolean;
}) {
  const set = (name: keyof MoveDraft) => (value: string) => onDraft({ ...draft, [name]: value });
  const fields = fieldsFor(to);
  return (
    <div class="move-fields">
      {fields.includes('location') && (
        <Field id={`${id}-location`} label={t('location.label')} hint={t('location.hint')} value={draft.location}
          onValue={set('location')} autoCapitalize="characters" maxLength={40} enterKeyHint="done" class="input-location" />
      )}
      {fields.includes('disposal') && (
        <>
          <div class="field" role="group" aria-label={t('disposal.category')}>
            <span class="field-label" aria-hidden="true">{t('disposal.category')}</span>
            <div class="choice">
              {DISPOSAL_CATEGORIES.map((category) => (
                <button type="button" key={category} class="choice-option" aria-pressed={draft.category === category}
                  onClick={() => onDraft({ ...draft, category })}>{t(`category.${category}`)}</button>
              ))}
            </div>
          </div>
          <div class="field-row">
            <Field id={`${id}-quantity`} label={tf('disposal.quantity', { unit: t(`part.unit.${categoryUnit(draft.category)}`) })}
              value={draft.quantity} onValue={set('quantity')} inputMode="decimal" maxLength={10} />
            <Field id={`${id}-recycler`} label={t('disposal.recycler')} value={draft.recycler} onValue={set('recycler')} maxLength={80} />
            <Field id={`${id}-manifest`} label={t('disposal.manifest')} value={draft.manifest} onValue={set('manifest')}
              autoCapitalize="characters" maxLength={60} />
          </div>
        </>
      )}
      {fields.includes('supplier_return') && (
        <div class="field-row">
          <Field id={`${id}-supplier`} label={t('supplierReturn.supplier')} value={draft.supplier} onValue={set('supplier')} maxLength={80} />
          <Field id={`${id}-batch`} label={t('supplierReturn.batch')} value={draft.batch} onValue={set('batch')} maxLength={60} />
          <Field id={`${id}-rma`} label={t('supplierReturn.rma')} value={draft.rma} onValue={set('rma')} maxLength={60} />
          <Field id={`${id}-tracking`} label={t('supplierReturn.tracking')} value={draft.tracking} onValue={set('tracking')} maxLength={60} />
        </div>
      )}
      {withNote && (
        <Field id={`${id}-note`} label={t('part.note')} value={draft.note} onValue={set('note')} maxLength={500} />
      )}
    </div>
  );
}
