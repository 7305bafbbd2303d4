// A printed document's two buttons: the PDF (opened in a tab, to read, save or share) and 列印
// (printed from a frame of the app; a browser with no PDF viewer inside a page opens the PDF in
// its own viewer, which prints, and is told so). The file is made by the API on each tap.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { fileBytes } from '../data/paper';
import type { FileLink } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';
import { openMadeFile } from './OrderParts';
import { printPdf, PrintRefused, printsInPage } from './printPdf';

export function PaperButtons({ make, label, testId }: {
  /** Asks the API for the file (a 15-minute link). */
  make: () => Promise<FileLink>;
  /** What the PDF button says (the document's name). */
  label: string;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setHint(null);
    setError(await openMadeFile(make)); // the tab is opened within the tap
    setBusy(false);
  }

  async function print() {
    setError(null);
    setLink(null);
    if (!printsInPage()) {
      await open();
      setHint(t('doc.printInViewer'));
      return;
    }
    setBusy(true);
    let url: string | null = null;
    try {
      url = (await make()).url;
      await printPdf(await fileBytes(url));
    } catch (failure) {
      if (failure instanceof PrintRefused && url) {
        setHint(t('doc.printFailed'));
        setLink(url); // a link to open the PDF and print it from its viewer
      } else {
        setError(errorText(failure));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="paper-buttons" data-testid={testId}>
      <div class="button-row">
        <button type="button" class="button-secondary" disabled={busy} onClick={() => void open()}>
          {busy ? t('part.preparing') : label}
        </button>
        <button type="button" class="button-secondary" disabled={busy} onClick={() => void print()}>{t('doc.print')}</button>
      </div>
      {hint && <Notice tone="info">{hint}</Notice>}
      {link && <p><a href={link} target="_blank" rel="noopener">{t('doc.openPdf')}</a></p>}
      {error && <Notice>{error}</Notice>}
    </div>
  );
}
