import { describe, expect, it } from 'vitest';
import { fromSnapshot, itemsTotal, partKey } from '../src/data/catalogueAdmin';
import { hoursFor } from '../src/data/catalogueIndex';

const snapshot = {
  version: 3,
  rates: [{ rate_id: 'general', name: '一般工資', rate: 1600 }],
  operations: [{ code: 'OIL', name: '更換機油', hours: 0.5, by_model: { 'TOYOTA|ALTIS': 0.4, 'HONDA|': 0.6 }, rate_id: 'general' }],
  menus: [],
  parts: {
    part_key: ['04152YZZA1~TOYOTA', 'F026407209~BOSCH'], part_number: ['04152-YZZA1', 'F026407209'],
    name: ['機油芯', '機油芯'], grade: ['oem', 'aftermarket'] as ('oem' | 'aftermarket')[], brand: ['TOYOTA', 'BOSCH'], price: [380, 220],
  },
};

describe('the catalogue as Settings reads it', () => {
  it('turns the snapshot\'s columns of parts into rows', () => {
    const catalogue = fromSnapshot(snapshot);
    expect(catalogue.parts[1]).toEqual({
      part_key: 'F026407209~BOSCH', part_number: 'F026407209', name: '機油芯', grade: 'aftermarket', brand: 'BOSCH', price: 220,
    });
    expect(catalogue.version).toBe(3);
  });

  it('makes part keys as the API does', () => {
    expect(partKey('04152-YZZA1', 'toyota')).toBe('04152YZZA1~TOYOTA');
    expect(partKey('p83 150', '')).toBe('P83150');
  });

  it('takes the shop\'s hours for the model, then the make, then the standard', () => {
    const [oil] = snapshot.operations;
    expect(hoursFor(oil!, { make: 'toyota', model: 'altis' })).toBe(0.4);
    expect(hoursFor(oil!, { make: 'Honda', model: 'Fit' })).toBe(0.6);
    expect(hoursFor(oil!, { make: 'Nissan', model: 'Sentra' })).toBe(0.5);
  });

  it('adds up a menu\'s items at the car\'s hours and the parts\' prices', () => {
    const catalogue = fromSnapshot(snapshot);
    const items = [{ kind: 'labour' as const, code: 'OIL' }, { kind: 'part' as const, part_key: '04152YZZA1~TOYOTA', quantity: 2 }];
    expect(itemsTotal({ items, make: 'TOYOTA', model: 'ALTIS' }, catalogue)).toBe(0.4 * 1600 + 760);
    expect(itemsTotal({ items, make: null, model: null }, catalogue)).toBe(800 + 760);
  });
});
