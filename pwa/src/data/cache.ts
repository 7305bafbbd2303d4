// The last answer of a few reads, kept in IndexedDB so the walk-around opens in a bay with no
// Wi-Fi after a reload: the catalogue, the template, the settings, the inspection itself.
import { createStore, get, set } from 'idb-keyval';
import { OfflineError } from './http';

const store = typeof indexedDB === 'undefined' ? null : createStore('servicelane-reads', 'reads');

/** `read()` when the API answers (and keep the answer); the kept one when there is no network. */
export async function readThrough<T>(key: string, read: () => Promise<T>): Promise<T> {
  try {
    const answer = await read();
    if (store) void set(key, answer, store).catch(() => undefined);
    return answer;
  } catch (error) {
    if (!(error instanceof OfflineError) || !store) throw error;
    const kept = await get<T>(key, store).catch(() => undefined);
    if (kept === undefined) throw error;
    return kept;
  }
}

/** Keep an answer that came another way (a write's answer). */
export function remember(key: string, value: unknown): void {
  if (store) void set(key, value, store).catch(() => undefined);
}
