// Cancelling a repair order: apart from the step buttons, with a reason, and an undo for a few
// seconds before the cancel joins the write queue (the hold: ./cancelHold.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { queue } from '../data/client';
import { newId } from '../data/format';
import type { KeyValueStorage } from '../data/http';
import type { WriteOutcome } from '../data/queue';
import type { Order } from '../data/types';
import { CANCEL_REASONS, createCancelHolds, type CancelReason, type HeldCancel } from './cancelHold';
import { Choice } from './Choice';
import { Field } from './Field';

function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

// The transition as data/api.ts `transition` queues it, with the hold's own client_id and the
// reason as its note (that helper makes its own id and takes no note).
const queueCancel = (held: HeldCancel) => queue.submit<Order>(
  'POST', `/api/orders/${encodeURIComponent(held.order_id)}/transitions`,
  { to: 'cancelled', client_id: held.client_id, note: held.note });

/** This tablet's held cancels: the order screen reads them to hold its steps meanwhile. */
export const cancelHolds = createCancelHolds(browserStorage(), queueCancel);

type Change = (write: () => Promise<WriteOutcome<Order>>) => Promise<boolean>;

/** The ids of the transitions waiting in the write queue. */
function queuedClientIds(): Set<string> {
  return new Set(queue.writes.value.flatMap((write) => {
    const id = write.kind === 'photo' ? undefined : (write.body as { client_id?: unknown } | undefined)?.client_id;
    return typeof id === 'string' ? [id] : [];
  }));
}

/**
 * The order's cancel, at the end of its screen: the button opens a reason to pick and a note;
 * once confirmed, a bar at the bottom of the screen offers 復原 until the cancel is sent. `change`
 * is the screen's way of sending a write and showing its answer.
 */
export function CancelOrder({ order, canCancel, busy, change }: {
  order: Order; canCancel: boolean; busy: boolean; change: Change;
}) {
  const orderId = order.order_id;
  const held = cancelHolds.holds.value[orderId];
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<CancelReason | ''>('');
  const [note, setNote] = useState('');
  const changeRef = useRef(change);
  changeRef.current = change;

  // A send (the countdown ran out, or 送出取消) is shown like any other change of the screen.
  useEffect(() => cancelHolds.onSend((id, sent) => {
    if (id === orderId) void changeRef.current(() => sent);
  }), [orderId]);

  // A hold kept from an earlier page that has in fact gone is forgotten, not asked about.
  useEffect(() => {
    void queue.ready.then(() => cancelHolds.settle(orderId, { cancelled: order.state === 'cancelled', queuedIds: queuedClientIds() }));
  }, [orderId, order.state]);

  function close() {
    setOpen(false);
    setReason('');
    setNote('');
  }

  function confirm(event: Event) {
    event.preventDefault();
    if (!reason) return;
    const label = t(`cancel.reason.${reason}`);
    cancelHolds.hold(orderId, note.trim() ? tf('cancel.noteWith', { reason: label, note: note.trim() }) : label, newId());
    close();
  }

  return (
    <>
      {canCancel && !held && (
        <section class="panel order-more" aria-labelledby="order-more-title">
          <h2 id="order-more-title">{t('cancel.more')}</h2>
          {!open ? (
            <>
              <p class="muted">{t('cancel.lead')}</p>
              <button type="button" class="button-danger" disabled={busy} aria-expanded="false" onClick={() => setOpen(true)}>
                {t('action.cancelled')}
              </button>
            </>
          ) : (
            <form class="form cancel-form" noValidate onSubmit={confirm} aria-label={t('action.cancelled')}>
              <Choice label={t('cancel.reason')} value={reason} onChange={setReason}
                options={CANCEL_REASONS.map((value) => ({ value, label: t(`cancel.reason.${value}`) }))} />
              <Field id="cancel-note" label={t('cancel.note')} value={note} onValue={setNote} autoComplete="off" maxLength={300} />
              <div class="button-row">
                <button type="submit" class="button-danger" disabled={!reason || busy}>{t('cancel.confirm')}</button>
                <button type="button" class="button-secondary" onClick={close}>{t('cancel.keep')}</button>
              </div>
            </form>
          )}
        </section>
      )}
      {held && !held.sending && <HeldBar held={held} />}
    </>
  );
}

/** At the bottom of the screen while a cancel waits: the countdown with 復原, or after a reload the question. */
function HeldBar({ held }: { held: HeldCancel }) {
  const orderId = held.order_id;
  if (held.due === undefined) {
    return (
      <div class="cancel-bar cancel-bar-asking" role="status">
        <p>{t('cancel.interrupted')}<br /><span class="muted">{held.note}</span></p>
        <div class="button-row">
          <button type="button" class="button-danger" onClick={() => void cancelHolds.release(orderId).catch(() => undefined)}>
            {t('cancel.send')}
          </button>
          <button type="button" class="button-secondary" onClick={() => cancelHolds.undo(orderId)}>{t('cancel.undo')}</button>
        </div>
      </div>
    );
  }
  const left = Math.max(0, held.due - Date.now());
  return (
    <div class="cancel-bar" role="status">
      <p>{t('cancel.done')}</p>
      <button type="button" class="button-secondary" onClick={() => cancelHolds.undo(orderId)}>{t('cancel.undo')}</button>
      <span class="cancel-bar-time" key={held.client_id} style={{ animationDuration: `${left}ms` }} aria-hidden="true" />
    </div>
  );
}
