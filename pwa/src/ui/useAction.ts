// One action at a time on a panel: busy while it runs, its error in the person's language.
import { useState } from 'preact/hooks';
import { errorText } from './errors';

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  /** Run `work`; `done` gets its answer, or the error is kept for the panel to show. */
  async function run<T>(work: () => Promise<T>, done: (value: T) => void): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      done(await work());
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, setError, run };
}
