import { describe, expect, it } from 'vitest';
import { maskPlate, renderTemplate } from '../src/data/admin';
// The same cases the server's rule is tested on (tests/unit/test_notify_render.py).
import casesFile from '../../tests/unit/notify_render_cases.json?raw';

const { cases } = JSON.parse(casesFile) as {
  cases: { template: string; shop: string; plate: string; link: string; total: number; text: string }[];
};

describe('renderTemplate', () => {
  it.each(cases)('fills $template as the server sends it', (c) => {
    expect(renderTemplate(c.template, c)).toBe(c.text);
  });

  it('leaves a name the server would refuse as typed', () => {
    expect(renderTemplate('{oops} {shop}', { shop: 'A', plate: '', link: '', total: 0 })).toBe('{oops} A');
  });
});

describe('maskPlate', () => {
  it('keeps the last two characters of the longer part, as the customer pages show a plate', () => {
    expect(maskPlate('ABC-1234')).toBe('ABC-**34');
    expect(maskPlate('1234-AB')).toBe('**34-AB');
    expect(maskPlate('AB-12')).toBe('AB-12');
  });
});
