// The seed catalogue for the browser tests (tests/builders.py a_catalogue makes the same): the
// general labour rate, two operations, a Toyota 正廠 oil filter and a 副廠 one, engine oil, a
// TOYOTA/ALTIS 10,000 km menu at a fixed price and a generic 10,000 km menu. Every write is a
// PUT by key, so seeding twice changes nothing; the menus carry the demo shop's ids and items
// (devstack/seed.py: toyota-10k, any-10k), so seeding the demo shop replaces its two 10,000 km
// menus with the same rather than adding two more.

/** The part key the API expects (models.part_key): the number and brand without spaces,
 * dashes, dots, slashes or underscores, upper case, joined by `~` when there is a brand. */
export function partKey(number, brand) {
  const clean = (text) => (text || '').replace(/[\s\-./_]+/g, '').toUpperCase();
  return brand && clean(brand) ? `${clean(number)}~${clean(brand)}` : clean(number);
}

export const SEED = {
  rates: [{ rate_id: 'general', name: '一般工資', name_en: 'General', rate: 1600 }],
  operations: [
    { code: 'OIL', name: '更換機油', name_en: 'Oil change', hours: 0.5, rate_id: 'general' },
    { code: 'ROT', name: '輪胎對調', name_en: 'Tyre rotation', hours: 0.5, rate_id: 'general' },
  ],
  parts: [
    { part_number: '04152-YZZA1', name: '機油芯', name_en: 'Oil filter', grade: 'oem', brand: 'TOYOTA', price: 380 },
    { part_number: 'F026407209', name: '機油芯', name_en: 'Oil filter', grade: 'aftermarket', brand: 'BOSCH', price: 220 },
    { part_number: '08880-83715', name: '機油 5W-30 4公升', name_en: 'Engine oil 5W-30 4 L', grade: 'oem', brand: 'TOYOTA', price: 1200 },
  ],
};

const MENU_ITEMS = [
  { kind: 'labour', code: 'OIL' },
  { kind: 'labour', code: 'ROT' },
  { kind: 'part', part_key: partKey('04152-YZZA1', 'TOYOTA'), quantity: 1 },
  { kind: 'part', part_key: partKey('08880-83715', 'TOYOTA'), quantity: 1 },
];

SEED.menus = [
  { menu_id: 'toyota-10k', name: '10,000 公里保養', name_en: '10,000 km service', mileage_km: 10000, months: 6,
    make: 'TOYOTA', model: 'ALTIS', items: MENU_ITEMS, price: 2800 },
  { menu_id: 'any-10k', name: '10,000 公里保養', name_en: '10,000 km service', mileage_km: 10000, months: 6,
    items: [...MENU_ITEMS.slice(0, 3).filter((item) => item.kind === 'labour'),
      { kind: 'part', part_key: partKey('08880-83715', 'TOYOTA'), quantity: 1 },
      { kind: 'part', part_key: partKey('F026407209', 'BOSCH'), quantity: 1 }] },
];

/**
 * The seed catalogue written through the API as a manager or owner (`api` from shop.mjs's
 * apiAs). Answers what the API answered: `{rates, operations, parts, menus, catalogue}`, the
 * parts with their `part_key`, `catalogue` the `GET /api/catalogue` after the writes.
 */
export async function seedCatalogue(api) {
  const rates = (await api.put('/api/catalogue/rates', { rates: SEED.rates })).rates;
  const operations = [];
  for (const { code, ...operation } of SEED.operations) {
    operations.push(await api.put(`/api/catalogue/operations/${code}`, operation));
  }
  const parts = [];
  for (const part of SEED.parts) {
    parts.push(await api.put(`/api/catalogue/parts/${encodeURIComponent(partKey(part.part_number, part.brand))}`, part));
  }
  const menus = [];
  for (const { menu_id, ...menu } of SEED.menus) {
    menus.push(await api.put(`/api/catalogue/menus/${menu_id}`, menu));
  }
  const catalogue = await api.get('/api/catalogue');
  return { rates, operations, parts, menus, catalogue };
}
