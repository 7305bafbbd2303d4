import { effect, signal } from '@preact/signals';
import { en } from './en';
import { zhTW, type MessageKey, type Messages } from './zh-TW';

export type { MessageKey } from './zh-TW';
export type Locale = 'zh-TW' | 'en';

export const DEFAULT_LOCALE: Locale = 'zh-TW';
export const LOCALES: readonly Locale[] = ['zh-TW', 'en'];
export const STORAGE_KEY = 'servicelane.locale';

const CATALOGUES: Record<Locale, Messages> = { 'zh-TW': zhTW, en };
// The value of <html lang>, which also picks the Traditional Chinese glyphs in CJK fonts.
export const HTML_LANG: Record<Locale, string> = { 'zh-TW': 'zh-Hant-TW', en: 'en' };

export type LocaleStorage = Pick<Storage, 'getItem' | 'setItem'>;

function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

/** One language state: the chosen locale, kept in `storage` and mirrored on `root.lang`. */
export function createI18n(storage: LocaleStorage | null, root: { lang: string } | null) {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    // Storage can throw in private modes and some in-app browsers: fall back to the default.
  }
  const locale = signal<Locale>(isLocale(saved) ? saved : DEFAULT_LOCALE);

  effect(() => {
    if (root) root.lang = HTML_LANG[locale.value];
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
    t: (key: MessageKey): string => CATALOGUES[locale.value][key],
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
export const catalogue = (which: Locale): Messages => CATALOGUES[which];
