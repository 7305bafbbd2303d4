// LINE both ways: a customer's conversation with the shop (what they wrote on LINE, the advisors'
// replies) and the shop's unread conversations, the header's badge. Online only: a reply goes to
// LINE at once (a queued one could reach the customer hours late), so sending offline is off.
import { signal } from '@preact/signals';
import { http } from './client';
import { newId } from './format';

export interface ChatMessage {
  chat_id: string;
  direction: 'in' | 'out';
  kind: string; // text, sticker, image, …: only text is kept word for word
  text: string;
  at: string;
  state?: 'sending' | 'sent' | 'failed';
  error?: string;
  by?: { staff_id: string; name: string };
}

export interface Conversation {
  customer_id: string;
  messages: ChatMessage[];
  unread: number;
  linked: boolean;
  blocked: boolean;
}

export interface InboxEntry {
  customer_id: string;
  name: string;
  unread: number;
  last_at: string;
  last_text: string;
}

export interface Inbox {
  conversations: InboxEntry[];
  unread: number;
}

const q = encodeURIComponent;
export const INBOX_POLL_MS = 20_000;
export const CONVERSATION_POLL_MS = 10_000;

/** The unread LINE messages of the shop (the badge), as last read. */
export const inboxUnread = signal(0);

export const getConversation = (customerId: string) =>
  http.request<Conversation>('GET', `/api/customers/${q(customerId)}/conversation`);

/** The reply, sent once per `clientId` (the same id again on a retry). */
export const sendReply = (customerId: string, text: string, clientId: string = newId()) =>
  http.request<ChatMessage>('POST', `/api/customers/${q(customerId)}/conversation`, { client_id: clientId, text });

export async function markRead(customerId: string): Promise<void> {
  await http.request('POST', `/api/customers/${q(customerId)}/conversation/read`);
  void refreshInbox();
}

export async function loadInbox(): Promise<Inbox> {
  const inbox = await http.request<Inbox>('GET', '/api/inbox');
  inboxUnread.value = inbox.unread;
  return inbox;
}

export async function refreshInbox(): Promise<void> {
  await loadInbox().catch(() => undefined);
}

/** Polls the inbox while the tab is visible (like the board); the stop function. */
export function watchInbox(intervalMs = INBOX_POLL_MS): () => void {
  void refreshInbox();
  const timer = setInterval(() => { if (document.visibilityState === 'visible') void refreshInbox(); }, intervalMs);
  return () => clearInterval(timer);
}
