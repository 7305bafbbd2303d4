// A hash router: `#/board`, `#/orders/new`, `#/orders/<id>`, … The path part of the URL stays `/`,
// so the service worker's shell answers every screen, online or not.
import { signal } from '@preact/signals';

export type Route =
  | { name: 'board' }
  | { name: 'new-order' }
  | { name: 'order'; orderId: string }
  | { name: 'walkaround'; orderId: string }
  | { name: 'appointments' }
  | { name: 'jobs' }
  | { name: 'settings' }
  | { name: 'sign-in' }
  | { name: 'home' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  switch (first) {
    case 'board': return { name: 'board' };
    case 'orders':
      if (second === 'new') return { name: 'new-order' };
      if (second && third === 'walkaround') return { name: 'walkaround', orderId: second };
      return second ? { name: 'order', orderId: second } : { name: 'board' };
    case 'appointments': return { name: 'appointments' };
    case 'jobs': return { name: 'jobs' };
    case 'settings': return { name: 'settings' };
    case 'sign-in': return { name: 'sign-in' };
    default: return { name: 'home' };
  }
}

const currentHash = () => (typeof location === 'undefined' ? '' : location.hash);
export const route = signal<Route>(parseRoute(currentHash()));
if (typeof addEventListener !== 'undefined') {
  addEventListener('hashchange', () => {
    route.value = parseRoute(currentHash());
  });
}

export function navigate(path: string): void {
  const hash = `#${path}`;
  if (location.hash === hash) route.value = parseRoute(hash);
  else location.hash = hash;
}

export const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;
export const walkaroundPath = (orderId: string) => `${orderPath(orderId)}/walkaround`;
