import { computed, effect, signal } from '@preact/signals';
import { zhTW, type MessageKey, type Messages } from './zh-TW';

export type { MessageKey } from './zh-TW';
export type Locale = 'zh-TW' | 'en';

export const DEFAULT_LOCALE: Locale = 'zh-TW';
export const LOCALES: readonly Locale[] = ['zh-TW', 'en'];
export const STORAGE_KEY = 'servicelane.locale';

// English is a chunk of its own, fetched when chosen: the first view carries one language only
// (the service worker precaches both, so switching works offline).
const loadEnglish = (): Promise<Messages> => import('./en').then((module) => module.en);
// The value of <html lang>, which also picks the Traditional Chinese glyphs in CJK fonts.
export const HTML_LANG: Record<Locale, string> = { 'zh-TW': 'zh-Hant-TW', en: 'en' };

export type LocaleStorage = Pick<Storage, 'getItem' | 'setItem'>;

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

/** One language state: the chosen locale, kept in `storage` and mirrored on `root.lang` once its
 * strings are there (until then the shop's language shows). */
export function createI18n(storage: LocaleStorage | null, root: { lang: string } | null,
  load: (which: Locale) => Promise<Messages> = loadEnglish) {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage can throw in private modes and some in-app browsers: fall back to the default.
  }
  const locale = signal<Locale>(isLocale(saved) ? saved : DEFAULT_LOCALE);
  const catalogues = signal<Partial<Record<Locale, Messages>>>({ 'zh-TW': zhTW });
  const pending = new Map<Locale, Promise<void>>();
  // The language on screen: the chosen one once its catalogue has arrived.
  const shown = computed<Locale>(() => (catalogues.value[locale.value] ? locale.value : DEFAULT_LOCALE));

  /** Resolves when `which`'s strings are loaded (at once for the default language). */
  function ready(which: Locale = locale.value): Promise<void> {
    if (catalogues.value[which]) return Promise.resolve();
    if (!pending.has(which)) {
      pending.set(which, load(which).then((messages) => {
        catalogues.value = { ...catalogues.value, [which]: messages };
      }).finally(() => pending.delete(which)));
    }
    return pending.get(which)!;
  }

  effect(() => {
    void ready(locale.value).catch(() => undefined); // offline and not cached: stay in zh-TW
  });
  effect(() => {
    if (root) root.lang = HTML_LANG[shown.value];
  });

  function setLocale(next: Locale): void {
    locale.value = next;
    try {
      storage?.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered, but the switch still applies to this visit.
    }
  }

  return {
    locale,
    setLocale,
    toggleLocale: () => setLocale(locale.value === 'zh-TW' ? 'en' : 'zh-TW'),
    ready,
    t: (key: MessageKey): string => (catalogues.value[shown.value] ?? zhTW)[key],
  };
}

function browserStorage(): LocaleStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const i18n = createI18n(
  browserStorage(),
  typeof document === 'undefined' ? null : document.documentElement,
);
export const { locale, setLocale, toggleLocale, t } = i18n;

/** `t` with `{name}` placeholders filled in. */
export function tf(key: MessageKey, values: Record<string, string | number>): string {
  return t(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
export const ready = i18n.ready;
