// Asking the browser to keep the app's storage: Safari (iOS above all) may evict IndexedDB of a
// web app not used for a while, and with it the write queue and its photos. Asked once, after
// sign-in (Chromium grants it to an app it sees as used; Safari decides by its own rules).
// Nothing is shown when the browser says no: there is nothing the person could do about it.
import { effect, type ReadonlySignal } from '@preact/signals';

type StorageManagerLike = Pick<StorageManager, 'persist'> & Partial<Pick<StorageManager, 'persisted'>>;

/** True when the storage is kept, false when refused, null when the browser cannot say. */
export async function keepStorage(storage: StorageManagerLike | undefined): Promise<boolean | null> {
  if (typeof storage?.persist !== 'function') return null;
  try {
    if (await storage.persisted?.()) return true;
    return await storage.persist();
  } catch {
    return null;
  }
}

/** Ask once, the first time someone is signed in (now, or later in this visit). */
export function keepStorageOnceSignedIn(
  signedIn: ReadonlySignal<unknown>,
  storage: StorageManagerLike | undefined = globalThis.navigator?.storage,
): Promise<boolean | null> {
  return new Promise((resolve) => {
    let stop: (() => void) | null = null;
    let asked = false;
    stop = effect(() => {
      if (asked || !signedIn.value) return;
      asked = true;
      stop?.(); // null on the first, synchronous run: stopped below
      void keepStorage(storage).then(resolve);
    });
    if (asked) stop();
  });
}
