// The write queue's home between visits, through idb-keyval: the list of writes as one record,
// and each waiting photo's bytes as a record of its own (so saving the list never copies them).
import { createStore, del, get, set } from 'idb-keyval';
import type { QueuedWrite, QueueStore } from './queue';

const KEY = 'writes';

export function indexedDbQueueStore(dbName = 'servicelane', storeName = 'queue'): QueueStore {
  const store = createStore(dbName, storeName);
  return {
    load: async () => (await get<QueuedWrite[]>(KEY, store)) ?? [],
    save: (writes) => set(KEY, writes, store),
    putBlob: (key, blob) => set(key, blob, store),
    getBlob: (key) => get<Blob>(key, store),
    deleteBlob: (key) => del(key, store),
  };
}

/** For a browser without IndexedDB (some in-app browsers): the queue lasts this visit only. */
export function memoryQueueStore(): QueueStore {
  let kept: QueuedWrite[] = [];
  const blobs = new Map<string, Blob>();
  return {
    load: async () => [...kept],
    save: async (writes) => void (kept = [...writes]),
    putBlob: async (key, blob) => void blobs.set(key, blob),
    getBlob: async (key) => blobs.get(key),
    deleteBlob: async (key) => void blobs.delete(key),
  };
}
