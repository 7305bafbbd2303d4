import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../src/data/http';
import { createWriteQueue, type QueuedWrite } from '../src/data/queue';
import { indexedDbQueueStore } from '../src/data/store';

let dbCount = 0;
const freshStore = () => indexedDbQueueStore(`queue-test-${++dbCount}`, 'queue');

/** A fake API the test switches between answering, refusing and being unreachable. */
function fakeServer() {
  const received: QueuedWrite[] = [];
  const server = {
    mode: 'up' as 'up' | 'down' | 'refuse',
    received,
    send: async (write: QueuedWrite) => {
      if (server.mode === 'down') throw new OfflineError();
      if (server.mode === 'refuse') throw new ApiError(422, 'validation', '車牌格式不正確');
      received.push(write);
      return { echoed: write.body };
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
      sent.push(write.path);
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
