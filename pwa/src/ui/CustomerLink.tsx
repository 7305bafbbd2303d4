import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { getCustomerLink, reissueCustomerLink, revokeCustomerLink } from '../data/api';
import { formatDateTime } from '../data/format';
import type { CustomerLink as Link, Order } from '../data/types';
import { errorText } from './errors';
import { Notice } from './Notice';

/**
 * The customer's progress link (/t/<token>) for the front desk: the URL to copy, its QR to scan at
 * the counter, re-issue (the old link stops working) and revoke. Mount it on the order screen:
 * `<CustomerLink order={order} />` (front desk only: other roles get a 403 and it shows nothing).
 */
export function CustomerLink({ order }: { order: Pick<Order, 'order_id'> }) {
  const [link, setLink] = useState<Link | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    getCustomerLink(order.order_id).then(
      (answer) => { if (live) { setLink(answer); setError(null); } },
      (failure) => { if (live) setError(errorText(failure)); });
    return () => { live = false; };
  }, [order.order_id]);

  async function act(action: () => Promise<Link>, confirmKey: 'customerLink.reissueConfirm' | 'customerLink.revokeConfirm') {
    if (!window.confirm(t(confirmKey))) return;
    setBusy(true);
    try {
      setLink(await action());
      setError(null);
      setCopied(false);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!link?.url) return;
    try {
      await navigator.clipboard.writeText(link.url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const qr = link?.qr_svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}` : null;
  return (
    <section class="panel customer-link" aria-labelledby="customer-link-title">
      <h2 id="customer-link-title">{t('customerLink.title')}</h2>
      <p class="muted">{t('customerLink.hint')}</p>
      {error && <Notice>{error}</Notice>}
      {link?.revoked && <Notice tone="info">{t('customerLink.revoked')}</Notice>}
      {link?.expired && <Notice tone="info">{t('customerLink.expired')}</Notice>}
      {link?.url && (
        <>
          <div class="field customer-link-url">
            <input type="text" readOnly value={link.url} aria-label={t('customerLink.title')}
              onFocus={(event) => (event.currentTarget as HTMLInputElement).select()} />
          </div>
          <div class="button-row">
            <button type="button" class="button-secondary" onClick={copy}>{t('customerLink.copy')}</button>
            {copied && <span class="muted" role="status">{t('customerLink.copied')}</span>}
          </div>
          {qr && (
            <figure class="customer-link-qr">
              <img src={qr} width={200} height={200} alt={link.url} />
              <figcaption>{t('customerLink.qr')}</figcaption>
            </figure>
          )}
          {link.expires_at && <p class="muted">{tf('customerLink.expires', { date: formatDateTime(link.expires_at) })}</p>}
        </>
      )}
      {link && (
        <div class="button-row">
          <button type="button" class="button-secondary" disabled={busy}
            onClick={() => act(() => reissueCustomerLink(order.order_id), 'customerLink.reissueConfirm')}>
            {t('customerLink.reissue')}
          </button>
          {!link.revoked && (
            <button type="button" class="button-danger" disabled={busy}
              onClick={() => act(() => revokeCustomerLink(order.order_id), 'customerLink.revokeConfirm')}>
              {t('customerLink.revoke')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
