import { render } from 'preact';
import { App } from './App';
import { watchQueue } from './data/client';
import { watchSystemStatus } from './data/status';
import './styles.css';

render(<App />, document.getElementById('app')!);
watchSystemStatus();
watchQueue();

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  // updateViaCache "none": the browser asks the server for sw.js every time, never its HTTP cache.
  navigator.serviceWorker.register('/sw.js', { updateViaCache: 'none' }).catch((error: unknown) => {
    console.warn('Service worker not registered; the app will not open offline.', error);
  });
}
