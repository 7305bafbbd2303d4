import { useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { resendMessage } from '../data/api';
import { formatDateTime } from '../data/format';
import type { OrderMessage } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';

/**
 * The order's messages to the customer (channel, step, state, time, why one failed) with a
 * resend for the front desk. The screen passes the messages from the order it loaded and is
 * told when a resend was answered, so it can show the order again.
 */
export function OrderMessages({ orderId, messages, canResend, onResent }: {
  orderId: string;
  messages: readonly OrderMessage[];
  canResend: boolean;
  onResent?: (message: OrderMessage) => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  async function resend(message: OrderMessage) {
    setBusy(message.message_id);
    setError(null);
    setNote(null);
    try {
      const outcome = await resendMessage(orderId, message.message_id);
      if (outcome.sent) {
        setNote(t('messages.resent'));
        onResent?.(outcome.body);
      } else {
        setNote(t('messages.queuedOffline'));
      }
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="panel" aria-labelledby="messages-title" data-testid="order-messages">
      <h2 id="messages-title">{t('messages.title')}</h2>
      {messages.length === 0 && <p class="muted">{t('messages.empty')}</p>}
      {messages.length > 0 && (
        <ul class="messages">
          {messages.map((message) => (
            <li key={message.message_id} class={`message message-${message.state}`}>
              <span class="message-channel">{t(`messages.channel.${message.channel}`)}</span>
              <span class="message-step">{stepName(message.step)}</span>
              <span class={message.state === 'failed' ? 'tag tag-bad' : message.state === 'sent' || message.state === 'read' ? 'tag tag-ok' : 'tag'}>
                {t(`messages.state.${message.state}`)}
              </span>
              <time class="muted" dateTime={message.sent_at ?? message.updated_at ?? message.created_at}>
                {formatDateTime(message.sent_at ?? message.updated_at ?? message.created_at)}
              </time>
              {message.read_at ? (
                <span class="tag tag-ok" data-testid="message-read">
                  {tf('messages.readAt', { time: formatDateTime(message.read_at) })}
                </span>
              ) : message.delivered_at ? (
                <span class="tag tag-ok" data-testid="message-delivered">
                  {tf('messages.deliveredAt', { time: formatDateTime(message.delivered_at) })}
                </span>
              ) : null}
              {message.state === 'queued' && message.not_before && (
                <span class="muted">{tf('messages.until', { time: formatDateTime(message.not_before) })}</span>
              )}
              {message.state === 'failed' && message.error && <span class="message-error">{message.error}</span>}
              {canResend && message.channel !== 'none' && (
                <button type="button" class="button-secondary" disabled={busy !== null}
                  onClick={() => void resend(message)}>
                  {t('messages.resend')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && <Notice>{error}</Notice>}
      {note && <Notice tone="info">{note}</Notice>}
    </section>
  );
}

/** What a message was about: an order's step, the texted code, or a reminder (`reminder:tyres:2027-03-24`). */
function stepName(step: OrderMessage['step']): string {
  if (step === 'approval_code') return t('messages.approvalCode');
  if (step.startsWith('reminder:')) {
    const kind = step.split(':')[1] ?? 'service';
    return tf('messages.reminder', { what: t(`messages.reminderKind.${kind}` as 'messages.reminderKind.service') });
  }
  return t(`state.${step as 'ready'}`);
}
