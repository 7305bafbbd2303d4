import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import {
  buildIndex, createCatalogue, hoursFor, lineAmount, MENU_DISCOUNT, readSnapshot, SEARCH_LIMIT,
  type CatalogueHead, type Snapshot,
} from '../src/data/catalogue';
import { OfflineError } from '../src/data/http';

function aSnapshot(version = 7, extraParts: [string, string, string, string, string, number][] = []): Snapshot {
  const parts: [string, string, string, string, string, number][] = [
    ['04152YZZA1~TOYOTA', '04152-YZZA1', '機油濾芯', 'oem', 'TOYOTA', 280],
    ['04152YZZA1X~TOYOTA', '04152-YZZA1X', '機油濾芯 (長效)', 'oem', 'TOYOTA', 350],
    ['OF1234~SAKURA', 'OF-1234', '機油濾芯', 'aftermarket', 'SAKURA', 150],
    ['90915YZZE1~TOYOTA', '90915-YZZE1', '高效機油濾芯', 'oem', 'TOYOTA', 320],
    ['04465YZZR3~TOYOTA', '04465-YZZR3', '前來令片', 'oem', 'TOYOTA', 2400],
    ['1704152~', '17041 52', '空氣濾芯', 'aftermarket', '', 300],
    ...extraParts,
  ];
  return {
    version,
    rates: [{ rate_id: 'general', name: '一般工資', name_en: 'General', rate: 1600 },
      { rate_id: 'electric', name: '電系工資', rate: 2000 }],
    operations: [
      { code: 'OIL', name: '更換機油', name_en: 'Oil change', hours: 0.5, by_model: { 'TOYOTA|ALTIS': 0.4, 'TOYOTA|': 0.45 }, rate_id: 'general' },
      { code: 'BAT', name: '更換電瓶', name_en: 'Battery', hours: 0.3, rate_id: 'electric' },
    ],
    menus: [
      { menu_id: 'm10k', name: '10,000 公里保養', name_en: '10,000 km service', mileage_km: 10000, months: 6, make: 'TOYOTA', model: 'ALTIS',
        items: [{ kind: 'labour', code: 'OIL' }, { kind: 'part', part_key: '04152YZZA1~TOYOTA', quantity: 1 }], price: 800 },
      { menu_id: 'm20k', name: '20,000 公里保養', mileage_km: 20000, months: 12, make: null, model: null,
        items: [{ kind: 'labour', code: 'OIL' }, { kind: 'part', part_key: 'OF1234~SAKURA', quantity: 2 }] },
      { menu_id: 'mcrv', name: '10,000 公里保養 CR-V', mileage_km: 10000, make: 'HONDA', model: 'CR-V', items: [] },
    ],
    parts: {
      part_key: parts.map((p) => p[0]), part_number: parts.map((p) => p[1]), name: parts.map((p) => p[2]),
      grade: parts.map((p) => p[3]), brand: parts.map((p) => p[4]), price: parts.map((p) => p[5]),
    },
  };
}

const keys = (hits: ReturnType<ReturnType<typeof buildIndex>['search']>) =>
  hits.map((hit) => (hit.kind === 'part' ? hit.part.part_key : hit.kind === 'labour' ? hit.op.code : hit.menu.menu_id));

describe('searching the catalogue', () => {
  it('ranks an exact part number first, then numbers it begins, then names beginning with the text, then names containing it', () => {
    const index = buildIndex(aSnapshot());
    expect(keys(index.search('04152-yzza1'))).toEqual(['04152YZZA1~TOYOTA', '04152YZZA1X~TOYOTA']);
    // 機油濾芯 begins 3 names; 高效機油濾芯 only contains it; 更換機油 is an operation, listed first.
    expect(keys(index.search('機油'))).toEqual(['OIL', '04152YZZA1~TOYOTA', '04152YZZA1X~TOYOTA', 'OF1234~SAKURA', '90915YZZE1~TOYOTA']);
  });

  it('finds a part number typed with or without dashes and spaces, in any case', () => {
    const index = buildIndex(aSnapshot());
    for (const typed of ['04152YZZA1', '04152 yzza1', '04152-YZZA1', ' 0415-2yzz a1 ']) {
      expect(keys(index.search(typed))[0]).toBe('04152YZZA1~TOYOTA');
    }
    expect(keys(index.search('1704152'))).toEqual(['1704152~']); // stored as "17041 52"
    expect(keys(index.search('of1234'))).toEqual(['OF1234~SAKURA']);
  });

  it('finds operations and menus by English names, menus only for the car', () => {
    const index = buildIndex(aSnapshot());
    expect(keys(index.search('oil ch'))).toEqual(['OIL']);
    expect(keys(index.search('保養', { make: 'TOYOTA', model: 'ALTIS' }))).toEqual(['m10k', 'm20k']);
    expect(keys(index.search('保養', { make: 'honda', model: 'cr-v' }))).toEqual(['m20k', 'mcrv']);
  });

  it('gives at most thirty results and nothing for an empty query', () => {
    const many = Array.from({ length: 100 }, (_, i) => [`X${i}~`, `X${i}`, `火星塞 ${i}`, 'oem', '', 100] as [string, string, string, string, string, number]);
    const index = buildIndex(aSnapshot(7, many));
    expect(index.search('火星塞')).toHaveLength(SEARCH_LIMIT);
    expect(index.search('   ')).toEqual([]);
  });

  it('offers the same part in other grades (same name, another grade), 正廠 first', () => {
    const index = buildIndex(aSnapshot());
    expect(index.alternatives('OF1234~SAKURA').map((p) => p.part_key)).toEqual(['04152YZZA1~TOYOTA']);
    expect(index.alternatives('04152YZZA1~TOYOTA').map((p) => [p.part_key, p.grade])).toEqual([['OF1234~SAKURA', 'aftermarket']]);
    expect(index.alternatives('04465YZZR3~TOYOTA')).toEqual([]);
    // Another maker's 正廠 of the same name is no alternative to a 正廠.
    const more = buildIndex(aSnapshot(7, [['15400RTA003~HONDA', '15400-RTA-003', '機油濾芯', 'oem', 'HONDA', 320]]));
    expect(more.alternatives('04152YZZA1~TOYOTA').map((p) => p.part_key)).toEqual(['OF1234~SAKURA']);
    expect(more.alternatives('OF1234~SAKURA').map((p) => p.part_key)).toEqual(['04152YZZA1~TOYOTA', '15400RTA003~HONDA']);
  });
});

describe('labour hours and menus for a car', () => {
  it('takes the hours of the make and model, else of the make, else the generic ones', () => {
    const oil = aSnapshot().operations[0]!;
    expect(hoursFor(oil, { make: 'toyota', model: 'altis' })).toBe(0.4);
    expect(hoursFor(oil, { make: 'TOYOTA', model: 'VIOS' })).toBe(0.45);
    expect(hoursFor(oil, { make: 'HONDA', model: 'FIT' })).toBe(0.5);
    expect(hoursFor(oil, { make: 'Toyota', model: 'Corolla Altis' })).toBe(0.4); // ALTIS is one word of it
    expect(hoursFor(oil)).toBe(0.5);
  });

  it('lists the menus that fit the car, nearest the mileage first', () => {
    const index = buildIndex(aSnapshot());
    expect(index.menusFor({ make: 'TOYOTA', model: 'ALTIS' }, 18_500).map((m) => m.menu_id)).toEqual(['m20k', 'm10k']);
    expect(index.menusFor({ make: 'TOYOTA', model: 'ALTIS' }, 9_000).map((m) => m.menu_id)).toEqual(['m10k', 'm20k']);
    expect(index.menusFor({ make: 'FORD', model: 'FOCUS' }).map((m) => m.menu_id)).toEqual(['m20k']);
    expect(index.menusFor({ make: 'Toyota', model: 'Corolla Altis' }, 9_800).map((m) => m.menu_id)).toEqual(['m10k', 'm20k']);
    expect(index.menusFor({ make: 'TOYOTA', model: 'ALTISX' }, 9_800).map((m) => m.menu_id)).toEqual(['m20k']);
  });

  it("prices a menu's lines for the car and adds 套餐優惠 so a fixed-price menu totals its price", () => {
    const index = buildIndex(aSnapshot());
    const lines = index.menuLines(index.snapshot.menus[0]!, { make: 'TOYOTA', model: 'ALTIS' });
    expect(lines.map((l) => [l.kind, l.description])).toEqual([['labour', '更換機油'], ['part', '機油濾芯'], ['discount', MENU_DISCOUNT]]);
    expect(lines[0]).toMatchObject({ hours: 0.4, rate: 1600, op_code: 'OIL', menu: { menu_id: 'm10k', mileage_km: 10000, months: 6 } });
    expect(lines[1]).toMatchObject({ quantity: 1, unit_price: 280, part_key: '04152YZZA1~TOYOTA', grade: 'oem', brand: 'TOYOTA' });
    expect(lines[2]!.amount).toBe(640 + 280 - 800);
    expect(lines.reduce((total, line) => total + lineAmount(line), 0)).toBe(800);
  });

  it('adds no discount to a menu without a fixed price, and multiplies a part by its quantity', () => {
    const index = buildIndex(aSnapshot());
    const lines = index.menuLines(index.snapshot.menus[1]!, { make: 'HONDA', model: 'FIT' });
    expect(lines.map((l) => l.kind)).toEqual(['labour', 'part']);
    expect(lines.reduce((total, line) => total + lineAmount(line), 0)).toBe(800 + 300);
  });
});

describe('the device copy', () => {
  let dbCount = 0;
  const freshStore = () => createStore(`catalogue-test-${++dbCount}`, 'snapshots');

  function fakeApi(snapshot: Snapshot) {
    const api = {
      up: true,
      current: snapshot,
      downloads: 0,
      head: async (): Promise<CatalogueHead> => {
        if (!api.up) throw new OfflineError();
        return { version: api.current.version, url: `https://s3.test/catalogue/${api.current.version}.json.gz` };
      },
      download: async (url: string): Promise<Snapshot> => {
        if (!api.up) throw new OfflineError();
        api.downloads += 1;
        expect(url).toContain(`/${api.current.version}.json.gz`);
        return structuredClone(api.current);
      },
    };
    return api;
  }

  it('downloads once when the version changes, however many ask at once, and not again for the same version', async () => {
    const api = fakeApi(aSnapshot(7));
    const device = createCatalogue(api, freshStore(), () => 'shop-1');
    await Promise.all([device.start(), device.refresh(), device.refresh()]);
    expect(api.downloads).toBe(1);
    expect(device.current.value?.version).toBe(7);
    await device.refresh();
    expect(api.downloads).toBe(1);
    api.current = aSnapshot(8);
    await device.refresh();
    expect(api.downloads).toBe(2);
    expect(device.current.value?.version).toBe(8);
  });

  it('starts from the copy kept in IndexedDB with no network, and searches it', async () => {
    const store = freshStore();
    const api = fakeApi(aSnapshot(7));
    await createCatalogue(api, store, () => 'shop-1').start();
    api.up = false;
    const reopened = createCatalogue(api, store, () => 'shop-1');
    await reopened.start();
    expect(reopened.current.value?.version).toBe(7);
    expect(keys(reopened.current.value!.search('前來令'))).toEqual(['04465YZZR3~TOYOTA']);
    // Another shop on the same device has no copy yet: nothing from shop-1's.
    const other = createCatalogue(api, store, () => 'shop-2');
    await other.start();
    expect(other.current.value).toBeNull();
  });

  it('reads the snapshot gzip-compressed as S3 keeps it, or already unpacked', async () => {
    const snapshot = aSnapshot(3);
    const packed = await new Response(new Blob([JSON.stringify(snapshot)]).stream().pipeThrough(new CompressionStream('gzip'))).blob();
    expect(await readSnapshot(packed)).toEqual(snapshot);
    expect(await readSnapshot(new Blob([JSON.stringify(snapshot)]))).toEqual(snapshot);
  });
});
