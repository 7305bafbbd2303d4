import { describe, expect, it } from 'vitest';
import { createI18n, DEFAULT_LOCALE, ready, STORAGE_KEY, tf, setLocale, type LocaleStorage } from '../src/i18n';
import { en as english } from '../src/i18n/en';
import { zhTW } from '../src/i18n/zh-TW';

function memoryStorage(initial: Record<string, string> = {}): LocaleStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => void (data[key] = value),
  };
}

describe('catalogues', () => {
  it('has every zh-TW key in English, with text', () => {
    const zh = zhTW;
    const en = english;
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(en[key], key).toBeTypeOf('string');
      expect(en[key].trim(), key).not.toBe('');
      expect(zh[key].trim(), key).not.toBe('');
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
  });

  it('says the shop words as a Taiwanese shop does, with English beside them', () => {
    const zh = zhTW;
    const en = english;
    expect([zh['nav.newOrder'], zh['appointments.title'], zh['role.advisor'], zh['role.technician']])
      .toEqual(['新工單', '預約表', '服務顧問', '技師']);
    expect([zh['order.concerns'], zh['line.labour'], zh['line.part']]).toEqual(['問診', '工資', '零件']);
    expect([zh['order.total'], zh['order.sales'], zh['order.tax']]).toEqual(['合計（含稅）', '銷售額', '稅額（5%）']);
    expect([en['order.total'], en['line.labour']]).toEqual(['Total (tax included)', 'Labour']);
  });

  it('keeps the same {placeholders} in both languages', () => {
    const zh = zhTW;
    const en = english;
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) expect(names(en[key]), key).toEqual(names(zh[key]));
  });
});

describe('locale', () => {
  it('starts in Traditional Chinese on a first visit', () => {
    const root = { lang: '' };
    const i18n = createI18n(memoryStorage(), root);
    expect(DEFAULT_LOCALE).toBe('zh-TW');
    expect(i18n.locale.value).toBe('zh-TW');
    expect(root.lang).toBe('zh-Hant-TW');
    expect(i18n.t('status.ok')).toBe('系統正常');
  });

  it('switches to English with one toggle and remembers it on the next visit', async () => {
    const storage = memoryStorage();
    const root = { lang: '' };
    const first = createI18n(storage, root);
    first.toggleLocale();
    expect(first.t('status.ok')).toBe('系統正常'); // until the English strings arrive
    await first.ready();
    expect(first.t('status.ok')).toBe('All systems normal');
    expect(root.lang).toBe('en');
    expect(storage.data[STORAGE_KEY]).toBe('en');

    const nextVisit = createI18n(storage, { lang: '' });
    expect(nextVisit.locale.value).toBe('en');
    nextVisit.toggleLocale();
    expect(createI18n(storage, null).locale.value).toBe('zh-TW');
  });

  it('ignores an unknown stored locale and a storage that throws', () => {
    expect(createI18n(memoryStorage({ [STORAGE_KEY]: 'fr' }), null).locale.value).toBe('zh-TW');
    const broken: LocaleStorage = {
      getItem: () => { throw new Error('denied'); },
      setItem: () => { throw new Error('denied'); },
    };
    const i18n = createI18n(broken, null);
    expect(i18n.locale.value).toBe('zh-TW');
    i18n.setLocale('en');
    expect(i18n.locale.value).toBe('en');
  });
});

describe('loading English', () => {
  it('stays in the shop\'s language when the English strings cannot be fetched (offline, not cached)', async () => {
    const root = { lang: '' };
    const i18n = createI18n(memoryStorage(), root, () => Promise.reject(new Error('offline')));
    i18n.setLocale('en');
    await expect(i18n.ready()).rejects.toThrow('offline');
    expect(i18n.locale.value).toBe('en');
    expect(i18n.t('status.ok')).toBe('系統正常');
    expect(root.lang).toBe('zh-Hant-TW');
  });
});

describe('tf', () => {
  it('fills placeholders in the current language', async () => {
    setLocale('zh-TW');
    expect(tf('queue.waiting', { n: 3 })).toBe('3 筆待上傳');
    setLocale('en');
    await ready();
    expect(tf('queue.waiting', { n: 3 })).toBe('3 waiting to upload');
    setLocale('zh-TW');
  });
});
