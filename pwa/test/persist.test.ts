import { signal } from '@preact/signals';
import { describe, expect, it, vi } from 'vitest';
import { keepStorage, keepStorageOnceSignedIn } from '../src/data/persist';

const storageManager = (granted: boolean, already = false) => ({
  persist: vi.fn(async () => granted),
  persisted: vi.fn(async () => already),
});

describe('asking the browser to keep the app storage', () => {
  it('asks once someone signs in, and not again on a later sign-in', async () => {
    const who = signal<string | null>(null);
    const storage = storageManager(true);
    const answer = keepStorageOnceSignedIn(who, storage);
    expect(storage.persist).not.toHaveBeenCalled(); // nobody signed in yet
    who.value = 'owner';
    expect(await answer).toBe(true);
    who.value = null;
    who.value = 'technician';
    expect(storage.persist).toHaveBeenCalledTimes(1);
  });

  it('asks at once when a session is already there (a reload)', async () => {
    const storage = storageManager(false);
    expect(await keepStorageOnceSignedIn(signal('owner'), storage)).toBe(false);
    expect(storage.persist).toHaveBeenCalledTimes(1);
  });

  it('does not ask again when the storage is kept already', async () => {
    const storage = storageManager(true, true);
    expect(await keepStorage(storage)).toBe(true);
    expect(storage.persist).not.toHaveBeenCalled();
  });

  it('says nothing where the browser lacks it or throws', async () => {
    expect(await keepStorage(undefined)).toBeNull();
    expect(await keepStorage({} as never)).toBeNull();
    expect(await keepStorage({ persist: async () => { throw new Error('denied'); } })).toBeNull();
  });
});
