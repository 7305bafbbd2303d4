// 目錄設定 (issue 20): the shop's labour rates, labour operations, service menus and single
// parts, as an owner or manager edits them. Read once as the tablets read it (the snapshot) and
// again after each change; each panel sends its change through the write queue.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { loadCatalogue, restoreCatalogue, type Catalogue as Data } from '../../data/catalogueAdmin';
import { errorText } from '../errors';
import { Notice } from '../Notice';
import type { Message } from './useAdminList';
import { CatalogueRates } from './CatalogueRates';
import { CatalogueOperations } from './CatalogueOperations';
import { CatalogueMenus } from './CatalogueMenus';
import { CataloguePart } from './CataloguePart';
import './admin.css';
import './catalogue.css';

/** What every panel gets: the catalogue as read, and `act` to send a change and read again. */
export interface CatalogueProps {
  catalogue: Data;
  act: (work: () => Promise<{ sent: boolean }>, done: string) => Promise<boolean>;
}

export function Catalogue() {
  const [catalogue, setCatalogue] = useState<Data | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const load = () => loadCatalogue().then(setCatalogue, (failure: unknown) =>
    setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  useEffect(() => { void load(); }, []);

  async function act(work: () => Promise<{ sent: boolean }>, done: string): Promise<boolean> {
    setMessage(null);
    try {
      const outcome = await work();
      setMessage(outcome.sent ? { tone: 'ok', text: done } : { tone: 'info', text: t('common.queued') });
      if (outcome.sent) await load();
      return true;
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
      return false;
    }
  }

  return (
    <section class="panel admin catalogue" aria-labelledby="catalogue-title">
      <h2 id="catalogue-title">{t('catalogue.title')}</h2>
      <p class="muted">{t('catalogue.lead')}</p>
      {catalogue && (
        <p class="muted catalogue-counts">
          {tf('catalogue.counts', { parts: catalogue.parts.length, operations: catalogue.operations.length, menus: catalogue.menus.length })}
        </p>
      )}
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      {catalogue && (
        <>
          <CatalogueRates catalogue={catalogue} act={act} />
          <CatalogueOperations catalogue={catalogue} act={act} />
          <CatalogueMenus catalogue={catalogue} act={act} />
          <CataloguePart catalogue={catalogue} act={act} />
          <RestoreFromExport onDone={() => void load()} />
        </>
      )}
    </section>
  );
}

/** 從匯出檔還原: the catalogue of a shop export's shop.json (this shop's, or another branch's)
 * written into this shop; what it names is replaced, nothing is added twice. */
function RestoreFromExport({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  async function chosen(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setBusy(true);
    setMessage(null);
    try {
      const done = await restoreCatalogue(file);
      setMessage({ tone: 'ok', text: tf('catalogue.restored', { parts: done.parts, operations: done.operations, menus: done.menus }) });
      onDone();
    } catch (failure) {
      const text = failure instanceof Error && failure.message === 'not_an_export' ? t('catalogue.notAnExport') : errorText(failure);
      setMessage({ tone: 'error', text });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="catalogue-restore" aria-labelledby="catalogue-restore-title">
      <h3 id="catalogue-restore-title">{t('catalogue.restoreTitle')}</h3>
      <p class="muted">{t('catalogue.restoreLead')}</p>
      <label class="button-secondary import-file">
        {busy ? t('catalogue.restoring') : t('catalogue.restoreChoose')}
        <input type="file" accept=".json,application/json" class="file-input" disabled={busy} onChange={chosen} />
      </label>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
    </section>
  );
}
