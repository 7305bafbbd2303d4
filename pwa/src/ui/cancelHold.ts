// A confirmed cancel waits a few seconds before it joins the write queue, with an undo: the
// server takes `cancelled` as final, and a gloved thumb taps what it did not mean to.
//
// The hold is kept in localStorage, written as the cancel is confirmed (synchronously, so a
// reload a moment later cannot lose it). Its countdown lives only in the page that confirmed it.
// A hold found when a page starts is one whose page was reloaded or closed in its window: it is
// neither dropped nor sent unseen, but waits for the advisor to send or undo it on the order's
// screen. Each hold carries the transition's client_id from the start, so sending it twice (a
// double tap, or a page that died after queueing it) is one cancel on the server.
import { signal } from '@preact/signals';
import type { KeyValueStorage } from '../data/http';

/** How long a confirmed cancel can be undone before it is queued. */
export const UNDO_MS = 5000;

/** Why an order is cancelled, as a Taiwanese shop would pick it; the note says the rest. */
export const CANCEL_REASONS = ['customer', 'duplicate', 'no_show', 'other'] as const;
export type CancelReason = typeof CANCEL_REASONS[number];

export const HOLDS_KEY = 'servicelane.heldCancels';

/** A confirmed cancel not yet handed to the write queue. */
export interface HeldCancel {
  order_id: string;
  /** The transition's own id: a second send of the same hold is a no-op on the server. */
  client_id: string;
  /** The reason and the advisor's words, as the order's history will show them. */
  note: string;
  /** When it goes (ms); absent for a hold found after a reload, which waits to be asked. */
  due?: number;
  /** Handed to the queue: too late to undo. */
  sending?: boolean;
}

export interface HoldTimers {
  now(): number;
  after(ms: number, run: () => void): () => void;
}

const browserTimers: HoldTimers = {
  now: () => Date.now(),
  after: (ms, run) => {
    const handle = setTimeout(run, ms);
    return () => clearTimeout(handle);
  },
};

/**
 * The holds of this tablet. `send` queues the cancel (the write queue's answer, or its refusal);
 * whoever shows the order hears of a send through `onSend`.
 */
export function createCancelHolds<T>(
  storage: KeyValueStorage | null,
  send: (held: HeldCancel) => Promise<T>,
  timers: HoldTimers = browserTimers,
) {
  const holds = signal<Readonly<Record<string, HeldCancel>>>(load());
  const stops = new Map<string, () => void>();
  const listeners = new Set<(orderId: string, sent: Promise<T>) => void>();

  function load(): Record<string, HeldCancel> {
    try {
      const kept = JSON.parse(storage?.getItem(HOLDS_KEY) ?? '[]') as HeldCancel[];
      // Their countdowns ended with the page that started them.
      return Object.fromEntries(kept.map(({ order_id, client_id, note }) => [order_id, { order_id, client_id, note }]));
    } catch {
      return {};
    }
  }

  function set(next: Record<string, HeldCancel>): void {
    holds.value = next;
    const kept = Object.values(next);
    try {
      if (kept.length) storage?.setItem(HOLDS_KEY, JSON.stringify(kept));
      else storage?.removeItem(HOLDS_KEY);
    } catch (error) {
      console.warn('A held cancel could not be kept; it lives in this page until it is sent.', error);
    }
  }

  function without(orderId: string): Record<string, HeldCancel> {
    const { [orderId]: _gone, ...rest } = holds.value;
    return rest;
  }

  /** Confirm a cancel: it goes in UNDO_MS unless undone. A second confirm keeps the first. */
  function hold(orderId: string, note: string, clientId: string): HeldCancel {
    const existing = holds.value[orderId];
    if (existing) return existing;
    const held: HeldCancel = { order_id: orderId, client_id: clientId, note, due: timers.now() + UNDO_MS };
    set({ ...holds.value, [orderId]: held });
    stops.set(orderId, timers.after(UNDO_MS, () => void release(orderId).catch(() => undefined)));
    return held;
  }

  /** Take a cancel back before it is sent: nothing of it reaches the queue. */
  function undo(orderId: string): boolean {
    const held = holds.value[orderId];
    if (!held || held.sending) return false;
    stops.get(orderId)?.();
    stops.delete(orderId);
    set(without(orderId));
    return true;
  }

  /**
   * Hand the cancel to the write queue now (its countdown ran out, or the advisor sent it after a
   * reload). The hold is kept until the queue has answered or kept the write, so a page that dies
   * in between finds it again, with the same client_id.
   */
  function release(orderId: string): Promise<T> {
    const held = holds.value[orderId];
    if (!held || held.sending) return Promise.reject(new Error(`no cancel waits for ${orderId}`));
    stops.get(orderId)?.();
    stops.delete(orderId);
    holds.value = { ...holds.value, [orderId]: { ...held, sending: true } };
    const sent = send(held);
    const done = () => {
      if (holds.value[orderId]?.client_id === held.client_id) set(without(orderId));
    };
    sent.then(done, done);
    for (const listener of listeners) listener(orderId, sent);
    return sent;
  }

  /**
   * Drop a kept hold that has already gone: the order is cancelled, or the write queue holds its
   * client_id (the page died after queueing it, before it could forget the hold).
   */
  function settle(orderId: string, { cancelled, queuedIds }: { cancelled: boolean; queuedIds: ReadonlySet<string> }): void {
    const held = holds.value[orderId];
    if (held && !held.sending && held.due === undefined && (cancelled || queuedIds.has(held.client_id))) {
      set(without(orderId));
    }
  }

  function onSend(listener: (orderId: string, sent: Promise<T>) => void): () => void {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  return { holds, hold, undo, release, settle, onSend };
}

export type CancelHolds<T> = ReturnType<typeof createCancelHolds<T>>;
