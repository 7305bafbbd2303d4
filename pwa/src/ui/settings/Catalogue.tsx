// 目錄設定 (issue 20): the shop's labour rates, labour operations, service menus and single
// parts, as an owner or manager edits them. Read once as the tablets read it (the snapshot) and
// again after each change; each panel sends its change through the write queue.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { loadCatalogue, type Catalogue as Data } from '../../data/catalogueAdmin';
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
        </>
      )}
    </section>
  );
}
