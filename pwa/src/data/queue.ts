// The offline write queue: the only path to the API for writes, so online and offline behave
// alike. Each write is kept in IndexedDB until the API has answered it, and writes are sent in
// the order they were made. Replays are safe because every create carries a client-made id
// and the API answers a repeated create as it did the first time.
//
// What happens to a write at the head of the queue:
//   answered 2xx                    → removed; its caller gets the answer
//   answered 4xx (not 401/408/429)  → removed; the error is shown (resending would fail again);
//                                     a fold of several field changes is first split (below)
//   no answer, 5xx, 401, 408, 429   → kept, and the queue waits (network back, or sign-in)
//
// After a kept failure other than 401 the queue tries again by itself: after the seconds the
// API asked for (`Retry-After`, with 503 and 429; at most a minute), else after a backoff that
// doubles from 2 s up to a minute, with jitter so tablets back on the same Wi-Fi do not all try
// at once. An answer resets the backoff. A flush meanwhile (network back) still runs at once;
// a new write waits behind the queue while the API's `Retry-After` runs. A 401 waits for
// sign-in, with no timer. `retryAt` tells screens when the next try is due.
//
// Two kinds of write share the one order:
//   - an API call (method, path, body);
//   - a photo: its downsized bytes are kept apart in the store (not in the list, which is saved
//     whole on every change) until the photo is uploaded and completed.
// Field changes (`{changes: [...]}` bodies) that wait behind each other for the same record are
// folded into one write, so a bay with no Wi-Fi replays a few requests, not one per tap. A fold
// the API refuses for one of its changes (a DOT "in the future" from a tablet whose clock runs
// ahead) is split and sent change by change, so only the refused change is dropped.
import { signal } from '@preact/signals';
import { newId } from './format';
import { ApiError, type Method } from './http';

export interface ApiWrite {
  id: string;
  kind?: 'api';
  method: Exclude<Method, 'GET'>;
  path: string;
  body?: unknown;
  queued_at: string;
  /** Writes with the same key waiting behind each other are folded into one (field changes). */
  merge?: string;
}

export interface PhotoWrite {
  id: string;
  kind: 'photo';
  order_id: string;
  photo_id: string;
  subject: string;
  content_type: string;
  size: number;
  queued_at: string;
  /** The bytes reached storage; only `complete` is left. */
  uploaded?: boolean;
}

export type QueuedWrite = ApiWrite | PhotoWrite;

export type WriteOutcome<T> = { sent: true; body: T } | { sent: false };

/** Where the queue is kept between visits. */
export interface QueueStore {
  load(): Promise<QueuedWrite[]>;
  save(writes: QueuedWrite[]): Promise<void>;
  putBlob(key: string, blob: Blob): Promise<void>;
  getBlob(key: string): Promise<Blob | undefined>;
  deleteBlob(key: string): Promise<void>;
}

/** What a sender may ask of the queue while it sends one write. */
export interface SendTools {
  /** A photo write's bytes. */
  blob(): Promise<Blob | undefined>;
  /** Remember that a photo's bytes are uploaded, so a retry only completes it. */
  markUploaded(): Promise<void>;
}

export interface FailedWrite { write: QueuedWrite; error: ApiError }

/** A field change as the API takes it (docs/api.md, the walk-around). */
export interface FieldChange {
  field: string;
  value: unknown;
  changed_at: string;
  confirm_lower?: boolean;
}

/** Most changes the API takes in one request. */
export const MAX_CHANGES = 100;

/** A refusal that resending cannot change. */
export function isFinalRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 &&
    ![401, 408, 429].includes(error.status);
}

/**
 * Fold `later` changes into `earlier` ones: one change per field, the newest `changed_at` wins
 * (a later tap on the same field replaces the earlier one). Null when the fold would exceed the
 * API's limit per request.
 */
export function foldChanges(earlier: FieldChange[], later: FieldChange[], limit = MAX_CHANGES): FieldChange[] | null {
  const byField = new Map<string, FieldChange>();
  for (const change of [...earlier, ...later]) {
    const kept = byField.get(change.field);
    if (!kept || kept.changed_at <= change.changed_at) {
      byField.delete(change.field); // re-insert: the order of the fold follows the last tap
      byField.set(change.field, change);
    }
  }
  return byField.size > limit ? null : [...byField.values()];
}

const changesOf = (body: unknown): FieldChange[] | null => {
  const changes = (body as { changes?: unknown } | null)?.changes;
  return Array.isArray(changes) ? (changes as FieldChange[]) : null;
};

/**
 * The writes to send instead of a folded write the API refused, one per change; null when
 * splitting cannot help: a single change, or a refusal of the record rather than of a change
 * (403 not allowed, 404 no such order, 409 e.g. the walk-around is frozen).
 */
export function splitRefused(write: QueuedWrite, error: ApiError): ApiWrite[] | null {
  if (write.kind === 'photo' || !write.merge || [403, 404, 409].includes(error.status)) return null;
  const changes = changesOf(write.body);
  if (!changes || changes.length < 2) return null;
  return changes.map((change, i) => ({
    ...write, id: `${write.id}.${i + 1}`, body: { ...(write.body as object), changes: [change] },
  }));
}

export const photoBlobKey = (photoId: string) => `photo:${photoId}`;

export interface RetryOptions {
  /** The first backoff (ms); it doubles on each failure in a row. */
  firstDelayMs?: number;
  /** The longest wait (ms), for the backoff and for the API's `Retry-After` alike. */
  maxDelayMs?: number;
  /** A number in [0, 1) for the jitter (tests pin it). */
  random?: () => number;
}

export const RETRY_FIRST_DELAY_MS = 2_000;
export const RETRY_MAX_DELAY_MS = 60_000;
/** The backoff is spread ±20% around its doubling value. */
const JITTER = 0.2;

/**
 * How long to wait after the `failures`-th kept failure in a row (1 for the first): the API's
 * `Retry-After` when it gave one, else 2 s, 4 s, 8 s… with jitter; at most `maxDelayMs`, and at
 * least a second after a `Retry-After: 0`, so a busy API is never asked in a tight loop.
 */
export function retryDelay(error: unknown, failures: number, options: RetryOptions = {}): number {
  const { firstDelayMs = RETRY_FIRST_DELAY_MS, maxDelayMs = RETRY_MAX_DELAY_MS, random = Math.random } = options;
  const asked = error instanceof ApiError ? error.retryAfter : undefined;
  if (asked !== undefined && Number.isFinite(asked)) return Math.min(maxDelayMs, Math.max(1_000, asked * 1_000));
  const base = firstDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  return Math.round(Math.min(maxDelayMs, base * (1 - JITTER + 2 * JITTER * random())));
}

/** A kept failure after which the queue tries again by itself: all but a 401 (that waits for sign-in). */
const retriesByItself = (error: unknown) => !(error instanceof ApiError && error.status === 401);

export function createWriteQueue(
  store: QueueStore,
  send: (write: QueuedWrite, tools: SendTools) => Promise<unknown>,
  retryOptions: RetryOptions = {},
) {
  /** Every write not yet answered, in order (screens overlay these on what the API last said). */
  const writes = signal<readonly QueuedWrite[]>([]);
  const pending = signal(0);
  /** Refusals nobody was waiting for (a replay after a reload): shown until dismissed. */
  const failures = signal<FailedWrite[]>([]);
  /** When the queue tries again by itself (ms since the epoch); null when no try is planned. */
  const retryAt = signal<number | null>(null);

  let list: QueuedWrite[] = [];
  const loaded = store.load().then((stored) => {
    list = [...stored, ...list];
    publish();
  });
  const waiting = new Map<string, { resolve: (o: WriteOutcome<unknown>) => void; reject: (e: unknown) => void }[]>();
  const listeners = new Set<(write: QueuedWrite, answer: unknown) => void>();
  let flushing: Promise<void> | null = null;
  /** The write being sent now: never folded into, since part of it may be on the wire. */
  let inFlight: string | null = null;
  // Saves run one after another so an older list never overwrites a newer one.
  let saving: Promise<void> = Promise.resolve();
  /** Kept failures in a row, for the backoff; an answer resets it. */
  let failuresInRow = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Until when the API asked to be left alone (`Retry-After`): new writes wait behind the queue. */
  let holdUntil = 0;

  function cancelRetry(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    retryAt.value = null;
  }

  function scheduleRetry(error: unknown): void {
    cancelRetry();
    if (!retriesByItself(error) || list.length === 0) return;
    failuresInRow += 1;
    const delay = retryDelay(error, failuresInRow, retryOptions);
    const at = Date.now() + delay;
    holdUntil = error instanceof ApiError && error.retryAfter !== undefined ? at : 0;
    retryAt.value = at;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void flush();
    }, delay);
  }

  function publish(): void {
    writes.value = [...list];
    pending.value = list.length;
  }

  function persist(): Promise<void> {
    const snapshot = [...list];
    publish();
    saving = saving.then(() => store.save(snapshot)).catch((error: unknown) => {
      console.warn('The write queue could not be saved; it lives in memory until it can.', error);
    });
    return saving;
  }

  function settle(id: string, how: (w: { resolve: (o: WriteOutcome<unknown>) => void; reject: (e: unknown) => void }) => void): boolean {
    const waiters = waiting.get(id);
    waiting.delete(id);
    waiters?.forEach(how);
    return waiters !== undefined;
  }

  const toolsFor = (write: QueuedWrite): SendTools => ({
    blob: () => store.getBlob(photoBlobKey(write.kind === 'photo' ? write.photo_id : write.id)),
    markUploaded: async () => {
      list = list.map((w) => (w.id === write.id ? { ...w, uploaded: true } as QueuedWrite : w));
      await persist();
    },
  });

  async function forget(write: QueuedWrite): Promise<void> {
    list = list.filter((w) => w.id !== write.id);
    await persist();
    if (write.kind === 'photo') {
      await store.deleteBlob(photoBlobKey(write.photo_id)).catch(() => undefined);
    }
  }

  /** Send from the head until the queue is empty or has to wait. */
  async function drainOnce(): Promise<void> {
    cancelRetry(); // this pass is the try; a new one is planned if it has to stop
    holdUntil = 0;
    let kept: { error: unknown } | null = null;
    while (list.length > 0) {
      const write = list[0]!;
      inFlight = write.id;
      let answer: unknown;
      try {
        answer = await send(write, toolsFor(write));
      } catch (error) {
        inFlight = null;
        if (!isFinalRefusal(error)) {
          kept = { error }; // kept: try again later
          break;
        }
        failuresInRow = 0; // the API answered
        const parts = splitRefused(write, error);
        if (parts) {
          list = list.flatMap((w) => (w.id === write.id ? parts : [w]));
          await persist();
          relayTo(write.id, parts);
          continue;
        }
        await forget(write);
        if (!settle(write.id, (w) => w.reject(error))) failures.value = [...failures.value, { write, error }];
        continue;
      }
      inFlight = null;
      failuresInRow = 0;
      // Listeners learn the answer before the write leaves the list, so a screen that overlays
      // waiting writes on the API's last answer never shows the older value in between.
      const sent = list.find((w) => w.id === write.id) ?? write;
      for (const listener of listeners) listener(sent, answer);
      await forget(sent);
      settle(write.id, (w) => w.resolve({ sent: true, body: answer }));
    }
    if (kept) scheduleRetry(kept.error);
    // Whatever is left waits for a later flush: its callers go on as "queued".
    for (const id of [...waiting.keys()]) settle(id, (w) => w.resolve({ sent: false }));
  }

  /**
   * After queueing a write: send at once, unless the API asked to be left alone for now
   * (`Retry-After`); then the write waits for the planned try and its caller hears "queued".
   */
  function flushOrHold(id: string): void {
    if (retryTimer !== null && Date.now() < holdUntil) {
      settle(id, (w) => w.resolve({ sent: false }));
      return;
    }
    void flush();
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
   * The callers of a split write hear once all its parts are answered: the first refusal, else
   * the last answer, else "queued" when a part still waits.
   */
  function relayTo(id: string, parts: ApiWrite[]): void {
    const callers = waiting.get(id);
    waiting.delete(id);
    if (!callers) return; // a replay nobody waits for: refused parts go to `failures`
    const outcomes = parts.map((part) => wait<unknown>(part.id).then(
      (outcome) => ({ outcome }), (error: unknown) => ({ error })));
    void Promise.all(outcomes).then((results) => {
      const refused = results.find((r): r is { error: unknown } => 'error' in r);
      const answers = results.flatMap((r) => ('outcome' in r && r.outcome.sent ? [r.outcome] : []));
      for (const caller of callers) {
        if (refused) caller.reject(refused.error);
        else caller.resolve(answers.length === parts.length ? answers[answers.length - 1]! : { sent: false });
      }
    });
  }

  function wait<T>(id: string): Promise<WriteOutcome<T>> {
    return new Promise<WriteOutcome<unknown>>((resolve, reject) => {
      waiting.set(id, [...(waiting.get(id) ?? []), { resolve, reject }]);
    }) as Promise<WriteOutcome<T>>;
  }

  /** Fold a `{changes}` write into the last one waiting with the same key, if there is one. */
  function foldIntoLast(write: ApiWrite): string | null {
    const last = list[list.length - 1];
    if (!write.merge || !last || last.kind === 'photo' || last.merge !== write.merge || last.id === inFlight) return null;
    const earlier = changesOf(last.body), later = changesOf(write.body);
    const folded = earlier && later ? foldChanges(earlier, later) : null;
    if (!folded) return null;
    list[list.length - 1] = { ...last, body: { ...(last.body as object), changes: folded } };
    return last.id;
  }

  /**
   * Queue a write and try to send it. Resolves with the API's answer when it was sent now, or
   * `{sent: false}` when it waits in the queue; rejects with the ApiError when it was refused.
   * With `merge`, a `{changes}` body joins the write with the same key still waiting, if any.
   */
  async function submit<T>(method: ApiWrite['method'], path: string, body?: unknown, options: { merge?: string } = {}): Promise<WriteOutcome<T>> {
    await loaded;
    const write: ApiWrite = { id: newId(), method, path, body, queued_at: new Date().toISOString(), ...options };
    const id = foldIntoLast(write) ?? (list.push(write), write.id);
    const outcome = wait<T>(id);
    await persist();
    flushOrHold(id);
    return outcome;
  }

  /** Queue a photo: its bytes first (so a write never points at missing bytes), then the write. */
  async function submitPhoto<T>(photo: Omit<PhotoWrite, 'id' | 'kind' | 'queued_at'>, blob: Blob): Promise<WriteOutcome<T>> {
    await loaded;
    await store.putBlob(photoBlobKey(photo.photo_id), blob);
    const write: PhotoWrite = { ...photo, id: newId(), kind: 'photo', queued_at: new Date().toISOString() };
    list.push(write);
    const outcome = wait<T>(write.id);
    await persist();
    flushOrHold(write.id);
    return outcome;
  }

  /** A waiting photo's bytes (to show it before it is uploaded, after a reload too). */
  const photoBlob = (photoId: string) => store.getBlob(photoBlobKey(photoId));

  /** Called with each write the API answered, and its answer (replays included). */
  function onSent(listener: (write: QueuedWrite, answer: unknown) => void): () => void {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  function dismiss(failure: FailedWrite): void {
    failures.value = failures.value.filter((f) => f !== failure);
  }

  return { writes, pending, failures, retryAt, submit, submitPhoto, photoBlob, onSent, flush, dismiss, ready: loaded };
}

export type WriteQueue = ReturnType<typeof createWriteQueue>;
