import { describe, expect, it, vi } from 'vitest';
import { createCancelHolds, HOLDS_KEY, UNDO_MS, type HeldCancel, type HoldTimers } from '../src/ui/cancelHold';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

/** Timers run by hand: `advance(ms)` runs what falls due. */
function manualTimers(): HoldTimers & { advance(ms: number): void } {
  let now = 1_000_000;
  let due: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    after(ms, run) {
      const timer = { at: now + ms, run };
      due.push(timer);
      return () => void (due = due.filter((t) => t !== timer));
    },
    advance(ms) {
      now += ms;
      const ready = due.filter((t) => t.at <= now);
      due = due.filter((t) => t.at > now);
      ready.forEach((t) => t.run());
    },
  };
}

/** A write queue stand-in: records what it is handed, answers when told. */
function fakeQueue() {
  const sent: HeldCancel[] = [];
  const answers: { resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  return {
    sent,
    answers,
    send: (held: HeldCancel) => {
      sent.push(held);
      return new Promise<string>((resolve, reject) => answers.push({ resolve, reject }));
    },
  };
}

const kept = (storage: ReturnType<typeof memoryStorage>) => JSON.parse(storage.data.get(HOLDS_KEY) ?? '[]') as HeldCancel[];

describe('a held cancel', () => {
  it('is kept the moment it is confirmed and reaches the queue only when its undo runs out', async () => {
    const storage = memoryStorage(), timers = manualTimers(), queue = fakeQueue();
    const holds = createCancelHolds(storage, queue.send, timers);
    holds.hold('o-1', '客戶取消', 'c-1');
    expect(kept(storage)).toEqual([{ order_id: 'o-1', client_id: 'c-1', note: '客戶取消', due: 1_000_000 + UNDO_MS }]);

    timers.advance(UNDO_MS - 1);
    expect(queue.sent).toEqual([]);
    timers.advance(1);
    expect(queue.sent.map((h) => [h.order_id, h.client_id, h.note])).toEqual([['o-1', 'c-1', '客戶取消']]);
    // Kept until the queue has it: a page that dies now finds it again, same client_id.
    expect(kept(storage)).toHaveLength(1);
    expect(holds.holds.value['o-1']?.sending).toBe(true);
    queue.answers[0]!.resolve('queued');
    await Promise.resolve();
    expect(storage.data.has(HOLDS_KEY)).toBe(false);
    expect(holds.holds.value).toEqual({});
  });

  it('undone, never reaches the queue', () => {
    const storage = memoryStorage(), timers = manualTimers(), queue = fakeQueue();
    const holds = createCancelHolds(storage, queue.send, timers);
    holds.hold('o-1', '重複開單', 'c-1');
    expect(holds.undo('o-1')).toBe(true);
    timers.advance(UNDO_MS * 10);
    expect(queue.sent).toEqual([]);
    expect(storage.data.has(HOLDS_KEY)).toBe(false);
  });

  it('confirmed twice (a double tap) is one cancel with one client_id', () => {
    const storage = memoryStorage(), timers = manualTimers(), queue = fakeQueue();
    const holds = createCancelHolds(storage, queue.send, timers);
    holds.hold('o-1', '客戶取消', 'c-1');
    timers.advance(1000);
    expect(holds.hold('o-1', '其他', 'c-2').client_id).toBe('c-1');
    timers.advance(UNDO_MS);
    expect(queue.sent.map((h) => h.client_id)).toEqual(['c-1']);
    expect(holds.undo('o-1')).toBe(false); // on its way: too late
  });

  it('found after a reload waits to be asked: not sent by any timer, sent or undone when the advisor says', async () => {
    const storage = memoryStorage(), queue = fakeQueue();
    createCancelHolds(storage, queue.send, manualTimers()).hold('o-1', '車輛未到', 'c-1');
    createCancelHolds(storage, queue.send, manualTimers()).hold('o-2', '客戶取消', 'c-2');

    const timers = manualTimers();
    const reloaded = createCancelHolds(storage, queue.send, timers);
    expect(reloaded.holds.value['o-1']).toEqual({ order_id: 'o-1', client_id: 'c-1', note: '車輛未到' });
    timers.advance(UNDO_MS * 10);
    expect(queue.sent).toEqual([]);

    const heard: string[] = [];
    reloaded.onSend((orderId) => heard.push(orderId));
    const sending = reloaded.release('o-1');
    expect(queue.sent.map((h) => h.client_id)).toEqual(['c-1']);
    expect(heard).toEqual(['o-1']);
    queue.answers[0]!.resolve('sent');
    expect(await sending).toBe('sent');
    expect(reloaded.undo('o-2')).toBe(true);
    expect(storage.data.has(HOLDS_KEY)).toBe(false);
  });

  it('found after a reload is forgotten once it has gone: the order is cancelled, or the queue holds its write', () => {
    const storage = memoryStorage(), queue = fakeQueue();
    const before = createCancelHolds(storage, queue.send, manualTimers());
    before.hold('o-1', '客戶取消', 'c-1');
    before.hold('o-2', '客戶取消', 'c-2');
    before.hold('o-3', '客戶取消', 'c-3');

    const holds = createCancelHolds(storage, queue.send, manualTimers());
    holds.settle('o-1', { cancelled: true, queuedIds: new Set() });
    holds.settle('o-2', { cancelled: false, queuedIds: new Set(['c-2']) });
    holds.settle('o-3', { cancelled: false, queuedIds: new Set(['c-9']) });
    expect(Object.keys(holds.holds.value)).toEqual(['o-3']);
    expect(kept(storage).map((h) => h.order_id)).toEqual(['o-3']);
  });

  it('refused by the API is forgotten, and the refusal reaches whoever shows the order', async () => {
    const storage = memoryStorage(), timers = manualTimers(), queue = fakeQueue();
    const holds = createCancelHolds(storage, queue.send, timers);
    const refusals: unknown[] = [];
    holds.onSend((_, sent) => void sent.catch((error: unknown) => refusals.push(error)));
    holds.hold('o-1', '客戶取消', 'c-1');
    timers.advance(UNDO_MS);
    queue.answers[0]!.reject(new Error('409 已交車'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(refusals).toEqual([new Error('409 已交車')]);
    expect(storage.data.has(HOLDS_KEY)).toBe(false);
  });

  it('survives storage that is unreadable or full', () => {
    const storage = memoryStorage();
    storage.data.set(HOLDS_KEY, '{not json');
    const full = { ...storage, setItem: () => { throw new Error('QuotaExceededError'); } };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const holds = createCancelHolds(full, fakeQueue().send, manualTimers());
    expect(holds.holds.value).toEqual({});
    expect(holds.hold('o-1', '其他', 'c-1').client_id).toBe('c-1');
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});
