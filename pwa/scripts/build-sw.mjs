// After `vite build`: write dist/sw.js, a Workbox service worker that precaches the app shell
// so the app opens with no network. It is not in its own precache list, and main.tsx registers
// it with updateViaCache "none", so a new build reaches devices on their next visit.
import { generateSW } from 'workbox-build';

const { count, size, warnings } = await generateSW({
  globDirectory: 'dist',
  globPatterns: ['**/*.{html,js,css,webmanifest,png,svg}'],
  swDest: 'dist/sw.js',
  mode: 'production',
  sourcemap: false,
  inlineWorkboxRuntime: true, // one file, no workbox-*.js beside it
  // Vite names assets by content hash: no need for Workbox's own revision query on those.
  dontCacheBustURLsMatching: /^assets\//,
  navigateFallback: '/index.html',
  // The customer's pages (/t/ progress, /o/ opt-out, /b/ booking, /m/ a booking's manage link)
  // and the API must always reach the network; a part tag's link (/q/<code>) is a route of this
  // app, so it opens offline too.
  navigateFallbackDenylist: [/^\/api\//, /^\/t\//, /^\/o\//, /^\/b\//, /^\/m\//],
  cleanupOutdatedCaches: true,
  // The whole shell is precached as one version, the lazily loaded walk-around chunk (JS and CSS)
  // included, so it opens with no network. A new worker takes over at once: an open page has
  // fetched the chunk of its own version at start (main.tsx), and reloads if that ever failed.
  skipWaiting: true,
  clientsClaim: true,
  // The front desk's alerts (a finding to price, a call for help): public/staff-push.js.
  importScripts: ['staff-push.js'],
});

for (const warning of warnings) console.warn(`sw: ${warning}`);
console.log(`sw: dist/sw.js precaches ${count} files, ${(size / 1024).toFixed(1)} KiB`);
