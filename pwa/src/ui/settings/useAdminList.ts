// A settings list an owner or manager acts on (staff, tablets): read on open, and after each
// action read again, with one message saying how the last action went.
import { useEffect, useState } from 'preact/hooks';
import { tf } from '../../i18n';
import { errorText } from '../errors';

export type Message = { tone: 'error' | 'ok' | 'info'; text: string };

export function useAdminList<T>(read: () => Promise<T[]>) {
  const [list, setList] = useState<T[] | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const load = () => read().then(setList, (failure: unknown) =>
    setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  useEffect(() => { void load(); }, []);

  /** Do `work`; say `done` when it went through (and read the list again), or why not. */
  async function act(work: () => Promise<unknown>, done: string) {
    setMessage(null);
    try {
      await work();
      setMessage({ tone: 'ok', text: done });
      await load();
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    }
  }

  return { list, message, act };
}
