// The write queue's home between visits: one IndexedDB record, through idb-keyval.
import { createStore, get, set } from 'idb-keyval';
import type { QueuedWrite, QueueStore } from './queue';

const KEY = 'writes';

export function indexedDbQueueStore(dbName = 'servicelane', storeName = 'queue'): QueueStore {
  const store = createStore(dbName, storeName);
  return {
    load: async () => (await get<QueuedWrite[]>(KEY, store)) ?? [],
    save: (writes) => set(KEY, writes, store),
  };
}

/** For a browser without IndexedDB (some in-app browsers): the queue lasts this visit only. */
export function memoryQueueStore(): QueueStore {
  let kept: QueuedWrite[] = [];
  return {
    load: async () => [...kept],
    save: async (writes) => void (kept = [...writes]),
  };
}
