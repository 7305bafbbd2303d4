// The staff app's alerts (imported by the Workbox service worker, scripts/build-sw.mjs): a
// technician's finding to price or a call for support, shown as a notification; a tap opens the
// order in the app (only the app's own order routes).
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data ? event.data.text() : '' }; }
  event.waitUntil(self.registration.showNotification(data.title || 'ServiceLane', {
    body: data.body || '', tag: data.tag || undefined, lang: 'zh-TW', data: { url: data.url || '/' },
  }));
});
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data || {}).url || '/';
  if (!/^\/#\/orders\/[A-Za-z0-9_-]{8,64}$/.test(url)) return;
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const app = open.find((client) => new URL(client.url).origin === self.location.origin);
    if (app) { await app.focus(); return app.navigate(url); }
    return self.clients.openWindow(url);
  })());
});
