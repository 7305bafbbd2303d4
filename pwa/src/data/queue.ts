// The offline write queue: the only path to the API for writes, so online and offline behave
// alike. Each write is kept in IndexedDB until the API has answered it, and writes are sent in
// the order they were made. Replays are safe because every create carries a client-made id
// and the API answers a repeated create as it did the first time.
//
// What happens to a write at the head of the queue:
//   answered 2xx                    → removed; its caller gets the answer
//   answered 4xx (not 401/408/429)  → removed; the error is shown (resending would fail again)
//   no answer, 5xx, 401, 408, 429   → kept, and the queue waits (network back, or sign-in)
import { signal } from '@preact/signals';
import { newId } from './format';
import { ApiError, type Method } from './http';

export interface QueuedWrite {
  id: string;
  method: Exclude<Method, 'GET'>;
  path: string;
  body?: unknown;
  queued_at: string;
}

export type WriteOutcome<T> = { sent: true; body: T } | { sent: false };

/** Where the queue is kept between visits. */
export interface QueueStore {
  load(): Promise<QueuedWrite[]>;
  save(writes: QueuedWrite[]): Promise<void>;
}

export interface FailedWrite { write: QueuedWrite; error: ApiError }

/** A refusal that resending cannot change. */
export function isFinalRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 &&
    ![401, 408, 429].includes(error.status);
}

export function createWriteQueue(store: QueueStore, send: (write: QueuedWrite) => Promise<unknown>) {
  const pending = signal(0);
  /** Refusals nobody was waiting for (a replay after a reload): shown until dismissed. */
  const failures = signal<FailedWrite[]>([]);

  let writes: QueuedWrite[] = [];
  const loaded = store.load().then((stored) => {
    writes = [...stored, ...writes];
    pending.value = writes.length;
  });
  const waiting = new Map<string, { resolve: (o: WriteOutcome<unknown>) => void; reject: (e: unknown) => void }>();
  let flushing: Promise<void> | null = null;
  // Saves run one after another so an older list never overwrites a newer one.
  let saving: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    const snapshot = [...writes];
    pending.value = snapshot.length;
    saving = saving.then(() => store.save(snapshot)).catch((error: unknown) => {
      console.warn('The write queue could not be saved; it lives in memory until it can.', error);
    });
    return saving;
  }

  /** Send from the head until the queue is empty or has to wait. */
  async function drainOnce(): Promise<void> {
    while (writes.length > 0) {
      const write = writes[0]!;
      let answer: unknown;
      try {
        answer = await send(write);
      } catch (error) {
        if (!isFinalRefusal(error)) break; // kept: try again later
        writes.shift();
        await persist();
        const waiter = waiting.get(write.id);
        waiting.delete(write.id);
        if (waiter) waiter.reject(error);
        else failures.value = [...failures.value, { write, error }];
        continue;
      }
      writes.shift();
      await persist();
      waiting.get(write.id)?.resolve({ sent: true, body: answer });
      waiting.delete(write.id);
    }
    // Whatever is left waits for a later flush: its callers go on as "queued".
    for (const waiter of waiting.values()) waiter.resolve({ sent: false });
    waiting.clear();
  }

  let followUp: Promise<void> | null = null;

  /**
   * Send what is queued, in order; resolves when the queue is empty or has to wait. A call during
   * a replay gets one more pass after it, shared by all such calls.
   */
  function flush(): Promise<void> {
    if (!flushing) {
      flushing = loaded.then(drainOnce).finally(() => {
        flushing = null;
      });
      return flushing;
    }
    followUp ??= flushing.then(() => {
      followUp = null;
      return flush();
    });
    return followUp;
  }

  /**
   * Queue a write and try to send it. Resolves with the API's answer when it was sent now, or
   * `{sent: false}` when it waits in the queue; rejects with the ApiError when it was refused.
   */
  async function submit<T>(method: QueuedWrite['method'], path: string, body?: unknown): Promise<WriteOutcome<T>> {
    await loaded;
    const write: QueuedWrite = { id: newId(), method, path, body, queued_at: new Date().toISOString() };
    const outcome = new Promise<WriteOutcome<unknown>>((resolve, reject) => waiting.set(write.id, { resolve, reject }));
    writes.push(write);
    await persist();
    void flush();
    return outcome as Promise<WriteOutcome<T>>;
  }

  function dismiss(failure: FailedWrite): void {
    failures.value = failures.value.filter((f) => f !== failure);
  }

  return { pending, failures, submit, flush, dismiss, ready: loaded };
}

export type WriteQueue = ReturnType<typeof createWriteQueue>;
