// A hash router: `#/board`, `#/orders/new`, `#/orders/<id>`, … The path part of the URL stays `/`,
// so the service worker's shell answers every screen, online or not.
import { signal } from '@preact/signals';
import { DOCUMENT_KINDS, type DocumentKind } from '../data/types';
import { codeFromPath, normaliseCode } from '../data/parts';

export type Route =
  | { name: 'board' }
  | { name: 'new-order' }
  | { name: 'order'; orderId: string }
  | { name: 'walkaround'; orderId: string }
  | { name: 'sign'; orderId: string; kind: DocumentKind }
  | { name: 'appointments' }
  | { name: 'jobs' }
  | { name: 'settings' }
  | { name: 'scan'; batch: boolean }
  /** An old-part tag; `code` as given when it is not a valid code (the screen says so). */
  | { name: 'part'; code: string; signIn: boolean }
  | { name: 'parts-report' }
  | { name: 'dashboard' }
  | { name: 'followups' }
  | { name: 'invitations' }
  | { name: 'customer'; customerId: string }
  | { name: 'vehicle-history'; vehicleId: string }
  | { name: 'inbox' }
  | { name: 'stock' }
  | { name: 'cashup' }
  | { name: 'sign-in' }
  /** A new shop owner's one-time link, `/welcome#<token>` (the token never leaves the browser
   * but to redeem it). */
  | { name: 'welcome'; token: string }
  | { name: 'home' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third, fourth] = parts;
  switch (first) {
    case 'board': return { name: 'board' };
    case 'orders':
      if (second === 'new') return { name: 'new-order' };
      if (second && third === 'walkaround') return { name: 'walkaround', orderId: second };
      if (second && third === 'sign' && DOCUMENT_KINDS.includes(fourth as DocumentKind)) {
        return { name: 'sign', orderId: second, kind: fourth as DocumentKind };
      }
      return second ? { name: 'order', orderId: second } : { name: 'board' };
    case 'appointments': return { name: 'appointments' };
    case 'jobs': return { name: 'jobs' };
    case 'settings': return { name: 'settings' };
    case 'scan': return { name: 'scan', batch: second === 'batch' };
    case 'q': return second ? { name: 'part', code: normaliseCode(second) ?? second, signIn: third === 'sign-in' } : { name: 'scan', batch: false };
    case 'parts': return second === 'report' ? { name: 'parts-report' } : { name: 'scan', batch: false };
    case 'customers': return second ? { name: 'customer', customerId: second } : { name: 'board' };
    case 'vehicles': return second && third === 'history' ? { name: 'vehicle-history', vehicleId: second } : { name: 'home' };
    case 'followups': return { name: 'followups' };
    case 'invitations': return { name: 'invitations' };
    case 'inbox': return { name: 'inbox' };
    case 'dashboard': return { name: 'dashboard' };
    case 'stock': return { name: 'stock' };
    case 'cashup': return { name: 'cashup' };
    case 'sign-in': return { name: 'sign-in' };
    default: return { name: 'home' };
  }
}

/**
 * The route of an address: its hash, or with none the path `/q/<CODE>` that a tag's QR opens in a
 * plain phone camera (the server answers it with the app).
 */
export function routeOf(hash: string, pathname: string): Route {
  if (pathname === '/welcome') return { name: 'welcome', token: hash.replace(/^#/, '') };
  if (hash.replace(/^#\/?/, '') === '') {
    const code = codeFromPath(pathname);
    if (code) return { name: 'part', code, signIn: false };
  }
  return parseRoute(hash);
}

const currentRoute = () => (typeof location === 'undefined' ? parseRoute('') : routeOf(location.hash, location.pathname));
export const route = signal<Route>(currentRoute());
if (typeof addEventListener !== 'undefined') {
  addEventListener('hashchange', () => {
    route.value = currentRoute();
  });
}

export function navigate(path: string): void {
  const hash = `#${path}`;
  if (location.hash === hash) route.value = parseRoute(hash);
  else location.hash = hash;
}

export const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;
export const walkaroundPath = (orderId: string) => `${orderPath(orderId)}/walkaround`;
export const signPath = (orderId: string, kind: DocumentKind) => `${orderPath(orderId)}/sign/${kind}`;
export const tagPath = (code: string) => `/q/${encodeURIComponent(code)}`;
export const scanPath = (batch = false) => (batch ? '/scan/batch' : '/scan');
export const partsReportPath = '/parts/report';
export const dashboardPath = '/dashboard';
export const customerPath = (customerId: string) => `/customers/${encodeURIComponent(customerId)}`;
export const followupsPath = '/followups';
export const invitationsPath = '/invitations';
export const vehicleHistoryPath = (vehicleId: string) => `/vehicles/${encodeURIComponent(vehicleId)}/history`;
export const cashUpPath = '/cashup';
