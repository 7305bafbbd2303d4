import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { getTag, moveTag, publicTag, setTagWish, tagLabel, tagLabels } from '../data/api';
import { session } from '../data/client';
import { formatDateTime } from '../data/format';
import { ApiError } from '../data/http';
import { displayCode, emptyDraft, likelyCategory, moveFromDraft, normaliseCode, type MoveDraft } from '../data/parts';
import { OLD_PARTS, type FileLink, type OldParts, type PartEvent, type PartState, type PublicTag, type Tag } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { openMadeFile, PartStateBadge, quantityText } from '../ui/OrderParts';
import { PartMoveFields, problemText } from '../ui/PartMoveFields';
import { navigate, orderPath, scanPath, tagPath } from '../ui/router';

/**
 * An old-part tag (舊品標籤), the page its QR opens: signed in, the part, its custody history and
 * the moves allowed now as big buttons; not signed in, only whose tag it is (no personal data).
 */
export function PartTag({ code, signIn }: { code: string; signIn: boolean }) {
  const valid = normaliseCode(code);
  if (!valid) {
    return (
      <section class="screen screen-narrow">
        <Notice>{tf('part.invalid', { code })}</Notice>
        {session.value && <ScanAnother />}
      </section>
    );
  }
  return session.value ? <SignedInTag code={valid} /> : <PublicPartTag code={valid} signIn={signIn} />;
}

function ScanAnother() {
  return <a class="button-secondary button-block" href={`#${scanPath()}`}>{t('part.scanAnother')}</a>;
}

function PublicPartTag({ code }: { code: string; signIn: boolean }) {
  const [answer, setAnswer] = useState<PublicTag | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    publicTag(code).then(setAnswer, (failure: unknown) =>
      setError(failure instanceof ApiError && failure.status === 404 ? tf('part.notFound', { code: displayCode(code) }) : errorText(failure)));
  }, [code]);
  return (
    <section class="card card-wide public-tag" aria-labelledby="public-tag-title">
      <h1 id="public-tag-title">{t('part.title')}</h1>
      <p class="part-code part-code-big">{displayCode(code)}</p>
      {!answer && !error && <p class="muted">{t('common.loading')}</p>}
      {error && <Notice>{error}</Notice>}
      {answer && <p class="public-tag-lead">{tf('part.publicLead', { shop: answer.shop.name })}</p>}
      <p class="muted">{t('part.publicHint')}</p>
      <button type="button" class="button-primary button-block" onClick={() => navigate(`${tagPath(code)}/sign-in`)}>
        {t('part.signIn')}
      </button>
    </section>
  );
}

function SignedInTag({ code }: { code: string }) {
  const [tag, setTag] = useState<Tag | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<{ tone: 'ok' | 'info'; text: string } | null>(null);
  const [choosing, setChoosing] = useState<PartState | null>(null);
  const [draft, setDraft] = useState<MoveDraft>(emptyDraft());
  const [busy, setBusy] = useState(false);
  const [printing, setPrinting] = useState<string | null>(null);
  const role = session.value?.staff.role;

  useEffect(() => {
    // The sign-in step of a QR opened while signed out: this is the tag's address again.
    if (location.hash.endsWith('/sign-in')) history.replaceState(null, '', `#${tagPath(code)}`);
    getTag(code).then((answer) => { setTag(answer); setDraft(emptyDraft(likelyCategory(answer))); }, (failure: unknown) =>
      setLoadError(failure instanceof ApiError && (failure.status === 404 || failure.status === 422)
        ? tf('part.notFound', { code: displayCode(code) }) : errorText(failure)));
  }, [code]);

  if (loadError) return <section class="screen screen-narrow"><Notice>{loadError}</Notice><ScanAnother /></section>;
  if (!tag) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

  function choose(to: PartState) {
    setChoosing(choosing === to ? null : to);
    setError(null);
    setNote(null);
  }

  async function confirm(to: PartState) {
    const built = moveFromDraft(to, draft);
    if ('problem' in built) return setError(problemText(built.problem));
    setBusy(true);
    setError(null);
    try {
      const outcome = await moveTag(code, built.move);
      if (outcome.sent) {
        setTag(outcome.body);
        setNote({ tone: 'ok', text: tf('part.recorded', { state: t(`partState.${outcome.body.state}`) }) });
      } else {
        setNote({ tone: 'info', text: t('common.queued') });
      }
      setChoosing(null);
      setDraft(emptyDraft(likelyCategory(tag!)));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  async function changeWish(wish: OldParts) {
    setBusy(true);
    setError(null);
    try {
      const outcome = await setTagWish(code, wish);
      if (outcome.sent) setTag(outcome.body);
      else setNote({ tone: 'info', text: t('common.queued') });
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  async function print(key: string, make: () => Promise<FileLink>) {
    setPrinting(key);
    setError(await openMadeFile(make));
    setPrinting(null);
  }

  const actionLabel = (to: PartState) => (to === 'held' && tag.state === 'held' ? t('partAction.moveShelf') : t(`partAction.${to}`));
  const mayDecide = tag.may_edit && role !== 'technician';

  return (
    <section class="screen screen-narrow part-tag" aria-labelledby="tag-title">
      <div class="part-tag-head">
        <div>
          <p class="part-code part-code-big" aria-label={t('part.title')}>{tag.display_code}</p>
          <h1 id="tag-title" class="part-tag-name">{tag.part_name}</h1>
        </div>
        <PartStateBadge state={tag.state} />
      </div>

      <section class="panel facts" aria-label={t('part.title')}>
        <dl>
          {tag.part_number && (<><dt>{t('part.number')}</dt><dd>{tag.part_number}</dd></>)}
          <dt>{t('part.quantity')}</dt><dd>{quantityText(tag.quantity, tag.unit)}</dd>
          {tag.order_number && (
            <>
              <dt>{t('part.order')}</dt>
              <dd>{tag.order_id ? <a class="fact-link" href={`#${orderPath(tag.order_id)}`}>{tag.order_number}</a> : tag.order_number}</dd>
            </>
          )}
          {tag.plate && (<><dt>{t('part.plate')}</dt><dd class="plate">{tag.plate}</dd></>)}
          <dt>{t('part.wish')}</dt><dd>{t(`oldParts.${tag.wish}`)}</dd>
          {tag.reason && (<><dt>{t('part.reason')}</dt><dd>{tag.reason}</dd></>)}
          {tag.supplier && (<><dt>{t('part.supplier')}</dt><dd>{tag.supplier}</dd></>)}
          {tag.location && (<><dt>{t('part.location')}</dt><dd>{tag.location}</dd></>)}
        </dl>
      </section>

      {note && <Notice tone={note.tone}>{note.text}</Notice>}
      {error && <Notice>{error}</Notice>}

      <section class="panel" aria-labelledby="tag-actions-title">
        <h2 id="tag-actions-title">{t('part.actions')}</h2>
        {tag.actions.length === 0 && <p class="muted">{t('part.noActions')}</p>}
        <div class="part-actions">
          {tag.actions.map((to) => (
            <div key={to} class={choosing === to ? 'part-action part-action-open' : 'part-action'}>
              <button type="button" class={`button-action button-action-${to}`} aria-expanded={choosing === to}
                disabled={busy} onClick={() => choose(to)}>
                {actionLabel(to)}
              </button>
              {choosing === to && (
                <div class="part-action-form">
                  <PartMoveFields to={to} draft={draft} onDraft={setDraft} id={`move-${to}`} />
                  <button type="button" class="button-primary button-block" disabled={busy} onClick={() => void confirm(to)}>
                    {tf('part.confirm', { action: actionLabel(to) })}
                  </button>
                </div>
              )}
            </div>
          ))}
        </div>
        {mayDecide && (
          <div class="field" role="group" aria-label={t('part.changeWish')}>
            <span class="field-label" aria-hidden="true">{t('part.changeWish')}</span>
            <div class="choice">
              {OLD_PARTS.map((wish) => (
                <button type="button" key={wish} class="choice-option" aria-pressed={tag.wish === wish} disabled={busy}
                  onClick={() => tag.wish !== wish && void changeWish(wish)}>{t(`oldParts.${wish}`)}</button>
              ))}
            </div>
          </div>
        )}
      </section>

      <section class="panel" aria-labelledby="tag-print-title">
        <h2 id="tag-print-title">{t('part.print')}</h2>
        <div class="button-row">
          <button type="button" class="button-secondary" disabled={printing !== null}
            onClick={() => void print('thermal', () => tagLabel(code, 'pdf'))}>
            {printing === 'thermal' ? t('part.preparing') : t('part.printThermal')}
          </button>
          <button type="button" class="button-secondary" disabled={printing !== null}
            onClick={() => void print('a4', () => tagLabels([code], 'a4'))}>
            {printing === 'a4' ? t('part.preparing') : t('part.printA4')}
          </button>
        </div>
      </section>

      <section class="panel" aria-labelledby="tag-history-title">
        <h2 id="tag-history-title">{t('part.history')}</h2>
        <ol class="history part-history">
          {[...tag.events].reverse().map((event) => <HistoryItem key={event.event_id} event={event} />)}
        </ol>
      </section>

      <ScanAnother />
    </section>
  );
}

/** One custody event: when, who, what became of the part, where, and the paperwork. */
function HistoryItem({ event }: { event: PartEvent }) {
  const details = [
    event.location,
    event.disposal && [t(`category.${event.disposal.category}`), event.disposal.recycler, event.disposal.manifest_number]
      .filter(Boolean).join(' · '),
    event.supplier_return && [event.supplier_return.supplier, event.supplier_return.batch, event.supplier_return.rma,
      event.supplier_return.tracking].filter(Boolean).join(' · '),
    event.note,
  ].filter(Boolean);
  return (
    <li>
      <time dateTime={event.at}>{formatDateTime(event.at)}</time>
      <span class="history-who">{event.by.name}</span>
      <span class="history-move">{t(`partState.${event.to}`)}</span>
      {details.map((detail, i) => <span key={i} class="muted">{detail}</span>)}
    </li>
  );
}
