// The shop's catalogue on the device: labour operations, parts (30,000 and more) and service menus
// (保養套餐), kept in IndexedDB so the order screen searches it in a bay with no Wi-Fi. The API
// says which version is current (GET /api/catalogue); a different one is downloaded once, as the
// gzip snapshot S3 holds, and replaces the kept copy. Search runs over haystacks normalised once
// when a copy is installed, so a keystroke costs one pass over plain strings and no big array.
import { effect, signal } from '@preact/signals';
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { http, queue, session } from './client';
import { buildIndex, type CatalogueIndex, type Snapshot, type CatalogueHead } from './catalogueIndex';

export * from './catalogueIndex';

/** The snapshot's bytes as JSON: gunzipped here unless the browser already did (a Content-Encoding). */
export async function readSnapshot(body: Blob): Promise<Snapshot> {
  const head = new Uint8Array(await body.slice(0, 2).arrayBuffer());
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzipped ? body.stream().pipeThrough(new DecompressionStream('gzip')) : body.stream();
  return (await new Response(stream).json()) as Snapshot;
}

export interface CatalogueSource {
  /** GET /api/catalogue. */
  head(): Promise<CatalogueHead>;
  /** The snapshot at the head's url. */
  download(url: string): Promise<Snapshot>;
}

/**
 * The device's copy of one shop's catalogue: `start()` installs the kept copy (no network needed)
 * and then refreshes; `refresh()` downloads only when the version moved, one download however
 * many ask at once.
 */
export function createCatalogue(source: CatalogueSource, store: UseStore | null, shopKey: () => string | null) {
  const current = signal<CatalogueIndex | null>(null);
  let running: Promise<void> | null = null;
  let installedFor: string | null = null;

  function install(shop: string, snapshot: Snapshot) {
    installedFor = shop;
    current.value = buildIndex(snapshot);
  }

  async function loadKept(): Promise<void> {
    const shop = shopKey();
    if (!shop || !store || installedFor === shop) return;
    const kept = await get<Snapshot>(`snapshot/${shop}`, store).catch(() => undefined);
    if (kept && shopKey() === shop) install(shop, kept);
  }

  async function pull(): Promise<void> {
    const shop = shopKey();
    if (!shop) return;
    await loadKept();
    const head = await source.head();
    if (installedFor === shop && current.value?.version === head.version) return;
    const snapshot = await source.download(head.url);
    if (shopKey() !== shop) return; // signed into another shop meanwhile
    if (store) await set(`snapshot/${shop}`, snapshot, store).catch(() => undefined);
    install(shop, snapshot);
  }

  /** Brings the copy up to the API's version; a failure (offline) leaves the kept copy. */
  function refresh(): Promise<void> {
    running ??= pull().catch(() => undefined).finally(() => { running = null; });
    return running;
  }

  async function start(): Promise<void> {
    await loadKept();
    await refresh();
  }

  return { current, start, refresh, loadKept };
}

export type DeviceCatalogue = ReturnType<typeof createCatalogue>;

/** The signed-in device's copy: started once signed in, refreshed when back online and after an edit. */
export const catalogue = createCatalogue(
  {
    head: () => http.request<CatalogueHead>('GET', '/api/catalogue'),
    download: async (url) => {
      const answer = await fetch(url);
      if (!answer.ok) throw new Error(`catalogue snapshot: HTTP ${answer.status}`);
      return readSnapshot(await answer.blob());
    },
  },
  typeof indexedDB === 'undefined' ? null : createStore('servicelane-catalogue', 'snapshots'),
  () => session.value?.shop.shop_id ?? null,
);

/** The copy as last installed (null before the first), for the screens. */
export const deviceCatalogue = catalogue.current;

let watching = false;
/** Start the copy and keep it current: back online, and after any catalogue edit this device sent. */
export function watchCatalogue(): void {
  if (watching) return;
  watching = true;
  // Once signed in (and again when another shop signs in on this device).
  effect(() => { if (session.value?.shop.shop_id) void catalogue.start(); });
  addEventListener('online', () => void catalogue.refresh());
  queue.onSent((write) => {
    if ('path' in write && write.path.startsWith('/api/catalogue')) void catalogue.refresh();
  });
}
