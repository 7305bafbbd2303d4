import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { lineLink } from '../../data/api';
import { formatDateTime } from '../../data/format';
import type { Customer } from '../../data/types';
import { Notice } from '../../ui/Notice';
import { useAction } from '../../ui/useAction';

const CHECK_EVERY_MS = 4000;

/**
 * Binding the customer's LINE to the shop's account at the counter: the tablet shows a QR; the
 * customer scans it with LINE, which opens a chat with the shop's account with the one-time
 * code typed in; they send it, LINE's webhook links them, and the screen says 已綁定 LINE (it
 * asks again every few seconds while the QR is up).
 */
export function LineBinding({ customer, onCheck }: { customer: Customer; onCheck: () => void }) {
  const [link, setLink] = useState<{ code: string; url: string; qr_svg: string; expires_at: string } | null>(null);
  const { busy, error, run } = useAction();
  const linked = Boolean(customer.line_linked_at);

  useEffect(() => {
    if (!link || linked) return undefined;
    const timer = setInterval(onCheck, CHECK_EVERY_MS);
    return () => clearInterval(timer);
  }, [link, linked]);

  const qr = link ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}` : null;
  return (
    <section class="panel line-binding" aria-labelledby="line-title" data-testid="line-binding">
      <h2 id="line-title">{t('customers.line')}</h2>
      {linked ? (
        <p><span class="tag tag-ok">{t('customers.lineLinked')}</span>{' '}
          <span class="muted">{formatDateTime(customer.line_linked_at!)}</span></p>
      ) : (
        <>
          <p class="muted">{t('customers.lineHint')}</p>
          {!link && (
            <button type="button" class="button-secondary" disabled={busy}
              onClick={() => void run(() => lineLink(customer.customer_id), setLink)}>
              {t('customers.lineShowQr')}
            </button>
          )}
          {link && qr && (
            <figure class="customer-link-qr">
              <img src={qr} width={200} height={200} alt={t('customers.lineQrAlt')} />
              <figcaption>{tf('customers.lineCode', { code: link.code })}</figcaption>
            </figure>
          )}
        </>
      )}
      {error && <Notice>{error}</Notice>}
    </section>
  );
}
