import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, OfflineError, parseRetryAfter } from '../src/data/http';
import {
  createWriteQueue, foldChanges, MAX_CHANGES, retryDelay, type ApiWrite, type FieldChange, type PhotoWrite, type QueuedWrite,
} from '../src/data/queue';
import { indexedDbQueueStore, memoryQueueStore } from '../src/data/store';

let dbCount = 0;
const freshStore = () => indexedDbQueueStore(`queue-test-${++dbCount}`, 'queue');

/** A fake API the test switches between answering, refusing and being unreachable. */
function fakeServer() {
  const received: ApiWrite[] = [];
  const server = {
    mode: 'up' as 'up' | 'down' | 'refuse',
    received,
    send: async (write: QueuedWrite) => {
      if (server.mode === 'down') throw new OfflineError();
      if (server.mode === 'refuse') throw new ApiError(422, 'validation', '車牌格式不正確');
      received.push(write as ApiWrite);
      return { echoed: (write as ApiWrite).body };
    },
  };
  return server;
}

describe('the write queue', () => {
  it('sends a write at once when online and hands back the answer', async () => {
    const server = fakeServer();
    const queue = createWriteQueue(freshStore(), server.send);
    const outcome = await queue.submit('POST', '/api/orders', { order_id: 'o-1' });
    expect(outcome).toEqual({ sent: true, body: { echoed: { order_id: 'o-1' } } });
    expect(queue.pending.value).toBe(0);
  });

  it('keeps writes through a network failure, in IndexedDB, and replays them in order', async () => {
    const store = freshStore();
    const server = fakeServer();
    server.mode = 'down';
    const first = createWriteQueue(store, server.send);
    expect(await first.submit('POST', '/api/customers', { customer_id: 'c-1' })).toEqual({ sent: false });
    expect(await first.submit('POST', '/api/vehicles', { vehicle_id: 'v-1' })).toEqual({ sent: false });
    expect(await first.submit('POST', '/api/orders', { order_id: 'o-1' })).toEqual({ sent: false });
    expect(first.pending.value).toBe(3);

    // The tablet is closed and opened again: the queue comes back from IndexedDB.
    server.mode = 'up';
    const reopened = createWriteQueue(store, server.send);
    await reopened.ready;
    expect(reopened.pending.value).toBe(3);
    await reopened.flush();
    expect(server.received.map((w) => w.path)).toEqual(['/api/customers', '/api/vehicles', '/api/orders']);
    expect(reopened.pending.value).toBe(0);
    expect(await store.load()).toEqual([]);
  });

  it('drops a write the API refuses (4xx) and tells its caller, then goes on with the next', async () => {
    const server = fakeServer();
    const queue = createWriteQueue(freshStore(), server.send);
    server.mode = 'refuse';
    await expect(queue.submit('POST', '/api/vehicles', { plate: '??' })).rejects.toMatchObject({
      status: 422, message: '車牌格式不正確',
    });
    expect(queue.pending.value).toBe(0);
    server.mode = 'up';
    expect(await queue.submit('POST', '/api/vehicles', { plate: 'ABC-1234' })).toMatchObject({ sent: true });
  });

  it('lists a refusal met during a later replay, since no screen is waiting for it', async () => {
    const server = fakeServer();
    server.mode = 'down';
    const queue = createWriteQueue(freshStore(), server.send);
    await queue.submit('POST', '/api/orders/o-1/lines', { line_id: 'l-1' });
    server.mode = 'refuse';
    await queue.flush();
    expect(queue.pending.value).toBe(0);
    expect(queue.failures.value).toHaveLength(1);
    expect(queue.failures.value[0]!.error.message).toBe('車牌格式不正確');
    queue.dismiss(queue.failures.value[0]!);
    expect(queue.failures.value).toEqual([]);
  });

  it('keeps a write answered 401 or 5xx (sign-in or a server hiccup), without losing its place', async () => {
    const answers = [new ApiError(401, 'unauthorized', 'expired'), new ApiError(503, 'unavailable', 'down')];
    const sent: string[] = [];
    const queue = createWriteQueue(freshStore(), async (write) => {
      const next = answers.shift();
      if (next) throw next;
      sent.push((write as ApiWrite).path);
      return {};
    });
    expect(await queue.submit('POST', '/api/a')).toEqual({ sent: false });
    expect(await queue.submit('POST', '/api/b')).toEqual({ sent: false });
    expect(queue.pending.value).toBe(2);
    await queue.flush();
    expect(sent).toEqual(['/api/a', '/api/b']);
  });

  it('sends writes made while a replay is under way after the older ones', async () => {
    const server = fakeServer();
    server.mode = 'down';
    const queue = createWriteQueue(freshStore(), server.send);
    await queue.submit('POST', '/api/one');
    server.mode = 'up';
    const replay = queue.flush();
    const second = queue.submit('POST', '/api/two');
    await replay;
    expect(await second).toMatchObject({ sent: true });
    expect(server.received.map((w) => w.path)).toEqual(['/api/one', '/api/two']);
  });
});

const jpeg = (text = 'jpeg-bytes') => new Blob([text], { type: 'image/jpeg' });
const photoOf = (photoId: string, subject = 'tyre.LF') =>
  ({ order_id: 'o-1', photo_id: photoId, subject, content_type: 'image/jpeg', size: 10 });

describe('photos in the write queue', () => {
  it('keeps a photo taken offline, with its bytes in IndexedDB apart from the list, through a reopen', async () => {
    const store = freshStore();
    const down = createWriteQueue(store, async () => { throw new OfflineError(); });
    expect(await down.submitPhoto(photoOf('p-1'), jpeg())).toEqual({ sent: false });
    const saved = await store.load();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ kind: 'photo', photo_id: 'p-1', subject: 'tyre.LF' });
    expect(JSON.stringify(saved)).not.toContain('jpeg-bytes'); // the list holds no bytes

    const sent: { photo: string; bytes: string }[] = [];
    const reopened = createWriteQueue(store, async (write, tools) => {
      const blob = await tools.blob();
      sent.push({ photo: (write as PhotoWrite).photo_id, bytes: await blob!.text() });
      return { photo_id: 'p-1' };
    });
    await reopened.ready;
    expect(await (await reopened.photoBlob('p-1'))!.text()).toBe('jpeg-bytes'); // shown before upload
    await reopened.flush();
    expect(sent).toEqual([{ photo: 'p-1', bytes: 'jpeg-bytes' }]);
    expect(await store.getBlob('photo:p-1')).toBeUndefined(); // bytes gone once completed
    expect(reopened.pending.value).toBe(0);
  });

  it('sends photos and field changes in the order they were made', async () => {
    const order: string[] = [];
    const queue = createWriteQueue(freshStore(), async (write) => {
      order.push(write.kind === 'photo' ? `photo ${write.photo_id}` : `${write.method} ${write.path}`);
      return {};
    });
    await queue.submit('PATCH', '/api/orders/o-1/inspection', { changes: [] });
    await queue.submitPhoto(photoOf('p-1'), jpeg());
    await queue.submit('PATCH', '/api/orders/o-1/inspection', { changes: [] });
    await queue.flush();
    expect(order).toEqual(['PATCH /api/orders/o-1/inspection', 'photo p-1', 'PATCH /api/orders/o-1/inspection']);
  });

  it('remembers an upload that got through, so the retry after a lost complete only completes', async () => {
    const store = freshStore();
    const steps: string[] = [];
    let completeFails = true;
    const queue = createWriteQueue(store, async (write, tools) => {
      const photo = write as PhotoWrite;
      if (!photo.uploaded) {
        steps.push('upload');
        await tools.markUploaded();
      }
      steps.push('complete');
      if (completeFails) throw new OfflineError();
      return { photo_id: photo.photo_id };
    });
    expect(await queue.submitPhoto(photoOf('p-1'), jpeg())).toEqual({ sent: false });
    expect((await store.load())[0]).toMatchObject({ uploaded: true });
    completeFails = false;
    await queue.flush();
    expect(steps).toEqual(['upload', 'complete', 'complete']);
  });

  it('drops a photo the API refuses, bytes and all, and says why', async () => {
    const store = freshStore();
    const queue = createWriteQueue(store, async () => { throw new ApiError(422, 'not_an_image', '不是圖片'); });
    await expect(queue.submitPhoto(photoOf('p-1'), jpeg())).rejects.toMatchObject({ code: 'not_an_image' });
    expect(await store.getBlob('photo:p-1')).toBeUndefined();
    expect(queue.pending.value).toBe(0);
  });

  it('tells listeners of every answer, replays included, while the write is still listed', async () => {
    const server = fakeServer();
    server.mode = 'down';
    const queue = createWriteQueue(freshStore(), server.send);
    await queue.submit('PATCH', '/api/orders/o-1/inspection', { changes: [] });
    const heard: { path: string; listed: boolean }[] = [];
    queue.onSent((write, answer) => {
      heard.push({ path: (write as ApiWrite).path, listed: queue.writes.value.some((w) => w.id === write.id) });
      expect(answer).toMatchObject({ echoed: { changes: [] } });
    });
    server.mode = 'up';
    await queue.flush();
    expect(heard).toEqual([{ path: '/api/orders/o-1/inspection', listed: true }]);
  });
});

const change = (field: string, value: unknown, at: string): FieldChange => ({ field, value, changed_at: at });

describe('field changes batched while they wait', () => {
  it('folds changes into one per field, the newest tap winning whatever order they come in', () => {
    const folded = foldChanges(
      [change('fuel_eighths', 4, '2026-11-22T01:00:00.000Z'), change('lights.abs', true, '2026-11-22T01:00:01.000Z')],
      [change('fuel_eighths', 6, '2026-11-22T01:00:05.000Z'), change('lights.abs', false, '2026-11-22T01:00:00.500Z')],
    );
    expect(folded).toEqual([
      change('lights.abs', true, '2026-11-22T01:00:01.000Z'),
      change('fuel_eighths', 6, '2026-11-22T01:00:05.000Z'),
    ]);
  });

  it('will not fold past the API limit of changes per request', () => {
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => change(`${prefix}${i}`, i, '2026-11-22T01:00:00Z'));
    expect(foldChanges(many(60, 'a'), many(40, 'b'))).toHaveLength(MAX_CHANGES);
    expect(foldChanges(many(60, 'a'), many(41, 'b'))).toBeNull();
    expect(foldChanges(many(60, 'a'), many(60, 'a'))).toHaveLength(60);
  });

  it('sends taps made with no network as one request per record, each change keeping its tap time', async () => {
    const server = fakeServer();
    server.mode = 'down';
    const queue = createWriteQueue(freshStore(), server.send);
    const path = '/api/orders/o-1/inspection';
    const merge = 'inspection:o-1';
    await queue.submit('PATCH', path, { changes: [change('fuel_eighths', 4, '2026-11-22T01:00:00Z')] }, { merge });
    await queue.submit('PATCH', path, { changes: [change('tyres.LF.inner', 6, '2026-11-22T01:00:02Z')] }, { merge });
    await queue.submit('PATCH', path, { changes: [change('fuel_eighths', 5, '2026-11-22T01:00:03Z')] }, { merge });
    await queue.submit('PATCH', '/api/orders/o-2/inspection', { changes: [change('fuel_eighths', 1, '2026-11-22T01:00:04Z')] }, { merge: 'inspection:o-2' });
    expect(queue.pending.value).toBe(2);
    server.mode = 'up';
    await queue.flush();
    expect(server.received.map((w) => [w.path, (w.body as { changes: FieldChange[] }).changes])).toEqual([
      [path, [change('tyres.LF.inner', 6, '2026-11-22T01:00:02Z'), change('fuel_eighths', 5, '2026-11-22T01:00:03Z')]],
      ['/api/orders/o-2/inspection', [change('fuel_eighths', 1, '2026-11-22T01:00:04Z')]],
    ]);
  });

  it('never folds into a write already on its way, nor into or across a write meant to go alone', async () => {
    const path = '/api/orders/o-1/inspection';
    const merge = 'inspection:o-1';
    const bodies: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let started!: () => void;
    const onTheWire = new Promise<void>((resolve) => { started = resolve; });
    const queue = createWriteQueue(freshStore(), async (write) => {
      if (bodies.length === 0) {
        started();
        await gate;
      }
      bodies.push((write as ApiWrite).body);
      return {};
    });
    const first = queue.submit('PATCH', path, { changes: [change('fuel_eighths', 4, 'T1')] }, { merge });
    await onTheWire; // the first is now being sent
    const second = queue.submit('PATCH', path, { changes: [change('fuel_eighths', 5, 'T2')] }, { merge });
    const mileage = queue.submit('PATCH', path, { changes: [change('mileage_km', 900, 'T3')] }); // alone
    const third = queue.submit('PATCH', path, { changes: [change('fuel_eighths', 6, 'T4')] }, { merge });
    await queue.ready;
    await new Promise((resolve) => setTimeout(resolve, 0)); // the three are listed
    release();
    await Promise.all([first, second, mileage, third]);
    expect(bodies).toEqual([
      { changes: [change('fuel_eighths', 4, 'T1')] },
      { changes: [change('fuel_eighths', 5, 'T2')] },
      { changes: [change('mileage_km', 900, 'T3')] },
      { changes: [change('fuel_eighths', 6, 'T4')] },
    ]);
  });

  it('answers every caller whose changes were folded together', async () => {
    const server = fakeServer();
    server.mode = 'down';
    const queue = createWriteQueue(freshStore(), server.send);
    const path = '/api/orders/o-1/inspection';
    await queue.submit('PATCH', path, { changes: [change('a', 1, 'T1')] }, { merge: 'm' });
    server.mode = 'up';
    // Folded into the waiting write, then sent with it: both callers hear the one answer.
    const [a, b] = await Promise.all([
      queue.submit('PATCH', path, { changes: [change('b', 2, 'T2')] }, { merge: 'm' }),
      queue.submit('PATCH', path, { changes: [change('c', 3, 'T3')] }, { merge: 'm' }),
    ]);
    expect(a).toMatchObject({ sent: true });
    expect(b).toEqual(a);
  });
});

describe('a folded change the API refuses', () => {
  const path = '/api/orders/o-1/inspection';
  const merge = 'inspection:o-1';
  const futureDot = change('tyres.LF.dot', '5299', '2026-11-22T01:00:02Z');

  /** An API that refuses any request holding the DOT from the future, as the server does. */
  function dotCheckingServer() {
    const bodies: FieldChange[][] = [];
    const server = {
      online: false,
      bodies,
      send: async (write: QueuedWrite) => {
        if (!server.online) throw new OfflineError();
        const changes = ((write as ApiWrite).body as { changes: FieldChange[] }).changes;
        bodies.push(changes);
        if (changes.some((c) => c.value === '5299')) throw new ApiError(422, 'validation', 'DOT 週年不能晚於今天');
        return { values: Object.fromEntries(changes.map((c) => [c.field, c.value])) };
      },
    };
    return server;
  }

  it('is split and sent change by change, so only the refused change is dropped and listed', async () => {
    const server = dotCheckingServer();
    const queue = createWriteQueue(freshStore(), server.send);
    await queue.submit('PATCH', path, { changes: [change('fuel_eighths', 5, '2026-11-22T01:00:01Z')] }, { merge });
    await queue.submit('PATCH', path, { changes: [futureDot] }, { merge });
    await queue.submit('PATCH', path, { changes: [change('tyres.LF.inner', 6, '2026-11-22T01:00:03Z')] }, { merge });
    expect(queue.pending.value).toBe(1);

    // A replay after a reload: nobody waits, so the refusal is listed for the screen to show.
    const store = freshStore();
    await store.save(queue.writes.value as QueuedWrite[]);
    const reopened = createWriteQueue(store, server.send);
    server.online = true;
    await reopened.flush();

    expect(server.bodies).toEqual([
      [change('fuel_eighths', 5, '2026-11-22T01:00:01Z'), futureDot, change('tyres.LF.inner', 6, '2026-11-22T01:00:03Z')],
      [change('fuel_eighths', 5, '2026-11-22T01:00:01Z')],
      [futureDot],
      [change('tyres.LF.inner', 6, '2026-11-22T01:00:03Z')],
    ]);
    expect(reopened.pending.value).toBe(0);
    expect(reopened.failures.value).toHaveLength(1);
    const [failure] = reopened.failures.value;
    expect(failure!.error.message).toBe('DOT 週年不能晚於今天');
    expect((failure!.write as ApiWrite).body).toEqual({ changes: [futureDot] });
  });

  it('tells the waiting callers the refusal, once the good changes are sent', async () => {
    const server = dotCheckingServer();
    const queue = createWriteQueue(freshStore(), server.send);
    await queue.submit('PATCH', path, { changes: [change('fuel_eighths', 5, 'T1')] }, { merge });
    server.online = true;
    const [first, second] = await Promise.allSettled([
      queue.submit('PATCH', path, { changes: [futureDot] }, { merge }),
      queue.submit('PATCH', path, { changes: [change('lights.abs', true, 'T3')] }, { merge }),
    ]);
    expect(first).toMatchObject({ status: 'rejected', reason: { status: 422, code: 'validation' } });
    expect(second).toEqual(first);
    expect(server.bodies.slice(-3)).toEqual([[change('fuel_eighths', 5, 'T1')], [futureDot], [change('lights.abs', true, 'T3')]]);
    expect(queue.pending.value).toBe(0);
    expect(queue.failures.value).toEqual([]); // the callers heard it: not listed twice
  });

  it('keeps the parts not yet sent when the network drops halfway, and answers "queued"', async () => {
    let calls = 0;
    const queue = createWriteQueue(freshStore(), async () => {
      calls += 1;
      if (calls === 1) throw new ApiError(422, 'validation', 'bad');
      if (calls === 2) return {};
      throw new OfflineError();
    });
    const outcome = await queue.submit('PATCH', path, { changes: [change('a', 1, 'T1'), change('b', 2, 'T2'), change('c', 3, 'T3')] }, { merge });
    expect(outcome).toEqual({ sent: false });
    expect(queue.writes.value.map((w) => ((w as ApiWrite).body as { changes: FieldChange[] }).changes)).toEqual([
      [change('b', 2, 'T2')], [change('c', 3, 'T3')],
    ]);
  });

  it('is not split when the refusal is about the record (frozen, forbidden), nor when it held one change', async () => {
    for (const error of [new ApiError(409, 'inspection_frozen', 'frozen'), new ApiError(403, 'forbidden', 'no')]) {
      const sent: unknown[] = [];
      const queue = createWriteQueue(freshStore(), async (write) => {
        sent.push((write as ApiWrite).body);
        throw error;
      });
      await expect(queue.submit('PATCH', path, { changes: [change('a', 1, 'T1'), change('b', 2, 'T2')] }, { merge }))
        .rejects.toBe(error);
      expect(sent).toHaveLength(1);
    }
    const sent: unknown[] = [];
    const queue = createWriteQueue(freshStore(), async (write) => {
      sent.push((write as ApiWrite).body);
      throw new ApiError(422, 'validation', 'bad');
    });
    await expect(queue.submit('PATCH', path, { changes: [futureDot] }, { merge })).rejects.toMatchObject({ status: 422 });
    await expect(queue.submit('POST', '/api/orders', { order_id: 'o-9' })).rejects.toMatchObject({ status: 422 });
    expect(sent).toHaveLength(2);
  });
});

describe('the queue trying again by itself', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-22T01:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An API answering from a script of errors (one per call), then 200 once the script runs out. */
  function scriptedServer(script: unknown[]) {
    const calls: { path: string; at: number }[] = [];
    const send = async (write: QueuedWrite) => {
      calls.push({ path: (write as ApiWrite).path, at: Date.now() });
      const next = script.shift();
      if (next) throw next;
      return {};
    };
    return { calls, send, script };
  }
  const busy = (retryAfter?: number) => new ApiError(503, 'unavailable', 'busy', retryAfter);
  const start = Date.parse('2026-11-22T01:00:00Z');

  it('tries a write answered 503 with Retry-After: 5 again after 5 s, not before', async () => {
    const server = scriptedServer([busy(5)]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    expect(await queue.submit('POST', '/api/orders', { order_id: 'o-1' })).toEqual({ sent: false });
    expect(queue.retryAt.value).toBe(start + 5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(server.calls).toHaveLength(1);
    expect(queue.pending.value).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.calls.map((c) => c.at - start)).toEqual([0, 5_000]);
    expect(queue.pending.value).toBe(0);
    expect(queue.retryAt.value).toBeNull();
  });

  it('caps a long Retry-After (and a 429\'s) at a minute', async () => {
    const server = scriptedServer([new ApiError(429, 'rate_limited', 'slow down', 3_600)]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    await queue.submit('POST', '/api/orders');
    expect(queue.retryAt.value).toBe(start + 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.calls.map((c) => c.at - start)).toEqual([0, 60_000]);
    expect(queue.pending.value).toBe(0);
  });

  it('backs off 2 s, 4 s, 8 s… up to a minute without Retry-After, and starts over after a success', async () => {
    const server = scriptedServer([busy(), new OfflineError(), busy(), busy(), new ApiError(500, 'internal', 'x'), busy(), busy()]);
    const queue = createWriteQueue(memoryQueueStore(), server.send, { random: () => 0.5 });
    await queue.submit('POST', '/api/a');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const gaps = server.calls.slice(1).map((c, i) => c.at - server.calls[i]!.at);
    expect(gaps).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(queue.pending.value).toBe(0);
    expect(queue.retryAt.value).toBeNull();

    // Sent at last: the next failure starts from 2 s again.
    server.script.push(busy());
    const before = Date.now();
    await queue.submit('POST', '/api/b');
    expect(queue.retryAt.value).toBe(before + 2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(queue.pending.value).toBe(0);
  });

  it('spreads the backoff ±20% so tablets do not all come back at once', () => {
    expect(retryDelay(busy(), 1, { random: () => 0 })).toBe(1_600);
    expect(retryDelay(busy(), 1, { random: () => 0.999_999 })).toBe(2_400);
    expect(retryDelay(busy(), 3, { random: () => 0 })).toBe(6_400);
    expect(retryDelay(busy(), 40, { random: () => 0.999_999 })).toBe(60_000);
    expect(retryDelay(busy(0), 1)).toBe(1_000); // "now" is never a tight loop
  });

  it('still drops a write answered 409, and plans no try', async () => {
    const server = scriptedServer([new ApiError(409, 'inspection_frozen', 'frozen')]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    await expect(queue.submit('POST', '/api/a')).rejects.toMatchObject({ status: 409 });
    expect(queue.pending.value).toBe(0);
    expect(queue.retryAt.value).toBeNull();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.calls).toHaveLength(1);
  });

  it('waits for sign-in after a 401, with no timer', async () => {
    const server = scriptedServer([new ApiError(401, 'unauthorized', 'expired')]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    expect(await queue.submit('POST', '/api/a')).toEqual({ sent: false });
    expect(queue.retryAt.value).toBeNull();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.calls).toHaveLength(1);
    await queue.flush(); // signed in again
    expect(queue.pending.value).toBe(0);
  });

  it('runs a flush meanwhile at once (network back), dropping the planned try', async () => {
    const server = scriptedServer([busy(30)]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    await queue.submit('POST', '/api/a');
    await vi.advanceTimersByTimeAsync(1_000);
    await queue.flush();
    expect(server.calls.map((c) => c.at - start)).toEqual([0, 1_000]);
    expect(queue.retryAt.value).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.calls).toHaveLength(2); // the old timer did not send again
  });

  it('drops the planned try when a flush starts first, so never two sends at once', async () => {
    let onTheWire = 0, most = 0;
    const script: unknown[] = [busy(5)];
    const queue = createWriteQueue(memoryQueueStore(), async () => {
      onTheWire += 1;
      most = Math.max(most, onTheWire);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // a slow answer
      onTheWire -= 1;
      const next = script.shift();
      if (next) throw next;
      return {};
    });
    const first = queue.submit('POST', '/api/a');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await first).toEqual({ sent: false });
    await vi.advanceTimersByTimeAsync(4_000); // 1 s before the planned try, a flush starts
    const flushed = queue.flush();
    await vi.advanceTimersByTimeAsync(10_000);
    await flushed;
    expect(most).toBe(1);
    expect(queue.pending.value).toBe(0);
  });

  it('keeps a new write behind the queue while the API\'s Retry-After runs, its caller hearing "queued"', async () => {
    const server = scriptedServer([busy(10)]);
    const queue = createWriteQueue(memoryQueueStore(), server.send);
    await queue.submit('POST', '/api/a');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await queue.submit('POST', '/api/b')).toEqual({ sent: false });
    expect(server.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(server.calls.map((c) => [c.path, c.at - start])).toEqual([['/api/a', 0], ['/api/a', 10_000], ['/api/b', 10_000]]);
    expect(queue.pending.value).toBe(0);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(' 120 ')).toBe(120);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('Sun, 22 Nov 2026 01:00:12 GMT', start)).toBe(12);
  });
});
