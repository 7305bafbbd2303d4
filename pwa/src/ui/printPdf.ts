// Printing a PDF from the app, within its Content-Security-Policy (`frame-src 'self' blob:`, in
// devstack/server.py and infra/web.json alike).
//
// The PDF's bytes go into a frame of the app as a blob: URL, which has the app's own origin, so
// the app may call the frame's print(): the browser's PDF viewer prints the document itself
// (desktop browsers, Safari on iPad). A browser with no PDF viewer inside a page (Chrome on
// Android: navigator.pdfViewerEnabled is false) shows nothing in such a frame and never loads
// it; there the PDF is opened in the system's viewer instead, which prints (see `printsInPage`).

/** Whether this browser shows a PDF inside a page, so that a frame of the app can print it. */
export function printsInPage(): boolean {
  return navigator.pdfViewerEnabled !== false; // unknown (an older browser): try the frame
}

const LOAD_MS = 15_000;

/** The browser would not print the frame: the PDF has to be opened and printed from its viewer. */
export class PrintRefused extends Error {}

/** Ask the browser to print `pdf` from a hidden frame of this page; resolves once asked. */
export function printPdf(pdf: Blob): Promise<void> {
  const url = URL.createObjectURL(pdf);
  document.querySelector('iframe.print-frame')?.remove();
  const frame = document.createElement('iframe');
  frame.className = 'print-frame';
  frame.title = 'PDF';
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  // Kept a minute: the print dialog may still be reading the document when print() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return new Promise((resolve, reject) => {
    // A browser that cannot show the PDF in a frame may never load it (older Chrome on Android).
    const stuck = setTimeout(() => reject(new PrintRefused('the PDF frame did not load')), LOAD_MS);
    frame.addEventListener('load', () => {
      clearTimeout(stuck);
      try {
        frame.contentWindow!.focus();
        frame.contentWindow!.print();
        resolve();
      } catch (error) {
        reject(new PrintRefused(String(error)));
      }
    }, { once: true });
    frame.src = url;
    document.body.appendChild(frame);
  });
}
