import { render } from 'preact';
import { App, loadOrderScreen, loadWalkaround } from './App';
import { watchCatalogue } from './data/catalogue';
import { session, watchQueue } from './data/client';
import { keepStorageOnceSignedIn } from './data/persist';
import { watchSystemStatus } from './data/status';
import './styles.css';

render(<App />, document.getElementById('app')!);
watchSystemStatus();
watchQueue();
// The catalogue's copy on the device: the order screen searches it with no network.
watchCatalogue();
// iOS may evict a web app's IndexedDB (the write queue): ask to keep it, once signed in.
void keepStorageOnceSignedIn(session);
// Fetch the order screen's and the walk-around's chunks once the first view is up, so they are
// there with no network (the service worker precaches them too).
const idle = window.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 2000));
idle(() => void Promise.all([loadOrderScreen(), loadWalkaround()]).catch(() => undefined));

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  // updateViaCache "none": the browser asks the server for sw.js every time, never its HTTP cache.
  navigator.serviceWorker.register('/sw.js', { updateViaCache: 'none' }).catch((error: unknown) => {
    console.warn('Service worker not registered; the app will not open offline.', error);
  });
}
