// The app's one HTTP client and one write queue, wired to the browser.
import { signal } from '@preact/signals';
import { locale } from '../i18n';
import { createHttp, type KeyValueStorage } from './http';
import { sendPhoto } from './photos';
import { createWriteQueue } from './queue';
import { indexedDbQueueStore, memoryQueueStore } from './store';
import type { RegisteredDevice } from './types';

function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

const storage = browserStorage();

export const http = createHttp({ storage, language: () => locale.value });
export const session = http.current;

export const queue = createWriteQueue(
  typeof indexedDB === 'undefined' ? memoryQueueStore() : indexedDbQueueStore(),
  (write, tools) => write.kind === 'photo'
    ? sendPhoto(write, tools, http.request)
    : http.request(write.method, write.path, write.body),
);

/**
 * Replay queued writes when the network comes back, now and then while any wait, and at start
 * (no Background Sync: Safari lacks it). Closing the tab with writes waiting asks first: iOS may
 * evict what a closed web app kept in IndexedDB.
 */
export function watchQueue(intervalMs = 15_000): void {
  const flush = () => void (session.value && queue.flush());
  addEventListener('online', flush);
  // The queue retries on its own after a 503 or 429 (honouring Retry-After): the interval only
  // picks up what waits without a planned retry (no answer at all, a sign-in since).
  setInterval(() => queue.pending.value > 0 && (queue.retryAt.value ?? 0) <= Date.now() && flush(), intervalMs);
  addEventListener('beforeunload', (event) => {
    if (queue.pending.value === 0) return;
    event.preventDefault();
    event.returnValue = ''; // older Safari and Chromium still want it set
  });
  void queue.ready.then(flush);
}

// The shared tablet's registration: its secret proves "a device of this shop" to the PIN sign-in.
const DEVICE_KEY = 'servicelane.device';

function loadDevice(): RegisteredDevice | null {
  try {
    const raw = storage?.getItem(DEVICE_KEY);
    return raw ? (JSON.parse(raw) as RegisteredDevice) : null;
  } catch {
    return null;
  }
}

export const device = signal<RegisteredDevice | null>(loadDevice());

export function rememberDevice(registered: RegisteredDevice | null): void {
  try {
    if (registered) storage?.setItem(DEVICE_KEY, JSON.stringify(registered));
    else storage?.removeItem(DEVICE_KEY);
  } catch {
    // not kept past this visit
  }
  device.value = registered;
}
