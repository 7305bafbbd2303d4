// Shared by the end-to-end tests: where the product runs, how Chromium starts, what a device is.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = (process.env.SL_BASE_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const CHROMIUM = process.env.SL_CHROMIUM || '/usr/bin/chromium';

export const DEVICES = {
  tablet: { viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1, hasTouch: true },
  tabletPortrait: { viewport: { width: 768, height: 1024 }, deviceScaleFactor: 1, hasTouch: true },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true },
};

// docs/screenshots/ is written by `make screenshots` only (it names the folder in SL_SCREENSHOTS):
// a plain test run leaves the committed pictures alone and keeps its own in a temporary folder.
const SCREENSHOTS = process.env.SL_SCREENSHOTS || join(tmpdir(), 'servicelane-screenshots');

/** Chromium, headless; `extraArgs` add switches (a fake camera fed from a file, for instance).
 * The PDF viewer runs in the page's own process (PdfOopif off): headless, printing a PDF from its
 * out-of-process viewer crashed the page or detached its frames in 2 of 5 runs (0 of 6 without). */
export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
      '--disable-features=PdfOopif', ...extraArgs],
  });
}

/** A fresh context (own storage, own service worker) on one device, and its first page. */
export async function openPage(browser, device) {
  const context = await browser.newContext({ ...DEVICES[device], locale: 'zh-TW' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The status line (role=status) once it says `text`. */
export async function statusSaying(page, text) {
  const status = page.getByRole('status').filter({ hasText: text });
  await status.waitFor();
  return (await status.innerText()).replace(/\s+/g, ' ');
}

/** Layout faults a person would see: sideways scrolling, a status line below the fold, controls too small to tap. */
export function layoutFaults(page) {
  return page.evaluate(() => {
    const faults = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) {
      faults.push(`page is ${root.scrollWidth}px wide in a ${root.clientWidth}px viewport`);
    }
    const status = document.querySelector('[role="status"]')?.getBoundingClientRect();
    if (!status || status.bottom > innerHeight) faults.push('the status line is not on screen without scrolling');
    for (const el of document.querySelectorAll('button, input, select, textarea, a[href], [role="button"]')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not rendered
      if (box.height < 48 || box.width < 48) {
        const name = el.getAttribute('aria-label') || el.textContent?.trim() || el.getAttribute('name');
        faults.push(`<${el.tagName.toLowerCase()}> "${name}" is ${Math.round(box.width)}×${Math.round(box.height)}px`);
      }
    }
    return faults;
  });
}

/** Every request of the page fails as with no network. `context.setOffline` alone is not
 * enough in Chromium: it can miss the first requests of a page reloaded while offline (and
 * does not reach requests a service worker makes), so requests are also aborted by route. */
async function noNetwork(route) {
  await route.abort('internetdisconnected');
}

export async function cutNetwork(context) {
  await context.route('**/*', noNetwork);
  await context.setOffline(true);
}

export async function restoreNetwork(context) {
  // Unrouted first: going online fires `online`, and the app's queue sends at once.
  await context.unroute('**/*', noNetwork);
  await context.setOffline(false);
}

/**
 * A push message delivered to the page's service worker of `scope` through DevTools (no push
 * service here), as a push service would; the notifications it then shows. A push delivered while
 * the worker is being restarted is dropped (seen on a loaded machine): it is delivered again
 * every 2 s until shown (the notification's tag keeps one on screen).
 */
export async function pushToWorker(context, page, scope, payload) {
  const cdp = await context.newCDPSession(page);
  const registrations = new Promise((resolve) => cdp.on('ServiceWorker.workerRegistrationUpdated',
    ({ registrations: found }) => {
      const ours = found.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    }));
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registrations;
  // Delivered to an active worker only: one still installing (a loaded machine) drops it.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const origin = new URL(scope).origin;
  const deliver = () => cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) });
  await deliver();
  let delivered = Date.now();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await page.evaluate(async () => {
      const notes = await (await navigator.serviceWorker.ready).getNotifications();
      return notes.map((n) => ({ title: n.title, body: n.body, data: n.data }));
    });
    if (shown.length) return shown;
    if (Date.now() > deadline) throw new Error('the notification did not show within 10 s');
    if (Date.now() - delivered > 2_000) {
      delivered = Date.now();
      await deliver();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
