import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { formatDateTime } from '../data/format';
import {
  CONVERSATION_POLL_MS, getConversation, markRead, sendReply, type ChatMessage, type Conversation as Chat,
} from '../data/line';
import { errorText } from './errors';
import { Notice } from './Notice';
import './conversation.css';

const MAX_REPLY = 1000;

function useOnline(): boolean {
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    addEventListener('online', on);
    addEventListener('offline', off);
    return () => { removeEventListener('online', on); removeEventListener('offline', off); };
  }, []);
  return online;
}

/** What a message that is not text says (its content stays on LINE). */
function shown(message: ChatMessage): string {
  if (message.kind === 'text') return message.text;
  const key = `chat.kind.${message.kind}`;
  const words = t(key as never);
  return words === key ? t('chat.kind.other') : words;
}

/**
 * The customer's LINE conversation (both ways, newest last) and the advisor's reply box. Opening it
 * reads what was unread (the badge goes down); it looks again every few seconds while shown. A
 * reply goes to LINE at once, so it needs the network: offline, the box says so and waits.
 */
export function Conversation({ customerId, canReply }: { customerId: string; canReply: boolean }) {
  const [chat, setChat] = useState<Chat | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const online = useOnline();
  const list = useRef<HTMLOListElement>(null);

  const load = () => getConversation(customerId).then((answer) => {
    setChat(answer);
    if (answer.unread > 0) void markRead(customerId).catch(() => undefined);
  }, (failure: unknown) => setError(errorText(failure)));

  useEffect(() => {
    void load();
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void load(); }, CONVERSATION_POLL_MS);
    return () => clearInterval(timer);
  }, [customerId]);

  useEffect(() => {
    const end = list.current;
    if (end) end.scrollTop = end.scrollHeight;
  }, [chat?.messages.length]);

  async function send(event: Event) {
    event.preventDefault();
    const words = text.trim();
    if (!words) return;
    setBusy(true);
    setError(null);
    try {
      await sendReply(customerId, words);
      setText('');
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
      void load();
    }
  }

  const messages = chat?.messages ?? [];
  return (
    <section class="panel chat" aria-labelledby={`chat-title-${customerId}`} data-testid="conversation">
      <h2 id={`chat-title-${customerId}`}>{t('chat.title')}</h2>
      {chat && !chat.linked && <p class="muted">{t('chat.notLinked')}</p>}
      {chat?.blocked && <Notice tone="info">{t('chat.blocked')}</Notice>}
      {chat && chat.linked && messages.length === 0 && <p class="muted">{t('chat.empty')}</p>}
      {messages.length > 0 && (
        <ol class="chat-messages" ref={list}>
          {messages.map((message) => (
            <li key={message.chat_id} class={`chat-bubble chat-${message.direction}${message.state === 'failed' ? ' chat-failed' : ''}`}
              data-testid={`chat-${message.direction}`}>
              <span class={message.kind === 'text' ? 'chat-text' : 'chat-text chat-placeholder'}>{shown(message)}</span>
              <span class="chat-meta">
                {message.direction === 'out' && message.by && <span>{message.by.name} · </span>}
                <time dateTime={message.at}>{formatDateTime(message.at)}</time>
                {message.state === 'failed' && <span class="chat-error"> · {tf('chat.failed', { reason: message.error ?? '' })}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
      {canReply && chat?.linked && (
        <form class="chat-reply" onSubmit={(event) => void send(event)}>
          <label class="visually-hidden" for={`chat-reply-${customerId}`}>{t('chat.reply')}</label>
          <textarea id={`chat-reply-${customerId}`} rows={2} maxLength={MAX_REPLY} value={text}
            placeholder={t('chat.placeholder')} disabled={!online || busy}
            onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} />
          <button type="submit" class="button-primary" disabled={!online || busy || !text.trim()}>
            {busy ? t('chat.sending') : t('chat.send')}
          </button>
        </form>
      )}
      {canReply && chat?.linked && !online && <p class="muted" data-testid="chat-offline">{t('chat.offline')}</p>}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
