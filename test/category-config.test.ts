import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../app/config.ts';

const fail = (CATEGORIES: string) => {
  try {
    parseConfig({ CATEGORIES });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('CATEGORIES', () => {
  it('plain names: each is its key and its label in every language (as before)', () => {
    const config = parseConfig({ CATEGORIES: 'Sales, Support' });
    expect(config.categories).toEqual(['Sales', 'Support']);
    expect(config.categoryOptions).toEqual([
      { key: 'Sales', label: 'Sales', labels: {} },
      { key: 'Support', label: 'Support', labels: {} },
    ]);
    expect(parseConfig({}).categories).toEqual(['General', 'Billing', 'Technical']);
  });

  it('key:Label|ru=Метка: a stable key, a default label and labels per language; mixed with plain names', () => {
    const config = parseConfig({
      CATEGORIES: 'general:General|ru=Общее, billing: Billing | RU=Оплата | de=Zahlung ,Technical',
    });
    expect(config.categories).toEqual(['general', 'billing', 'Technical']);
    expect(config.categoryOptions).toEqual([
      { key: 'general', label: 'General', labels: { ru: 'Общее' } },
      { key: 'billing', label: 'Billing', labels: { ru: 'Оплата', de: 'Zahlung' } },
      { key: 'Technical', label: 'Technical', labels: {} },
    ]);
  });

  it('bad input: one readable line naming CATEGORIES and the item', () => {
    expect(fail('general:|ru=Общее')).toBe('Invalid configuration: CATEGORIES item 1 has an empty label');
    expect(fail('General,billing:Billing|Оплата')).toMatch(
      /^Invalid configuration: CATEGORIES item 2: each label after \| must be language=Label, e\.g\. ru=Оплата$/,
    );
    expect(fail(':General')).toMatch(/CATEGORIES item 1 has no key/);
    expect(fail('billing:Billing|ru=')).toMatch(/CATEGORIES item 1 has an empty label for ru/);
    expect(fail('billing:Billing|ru=Оплата|ru=Счета')).toMatch(/gives ru twice/);
    expect(fail('Billing,billing:Счета')).toMatch(/CATEGORIES item 2 repeats a key/);
    expect(fail(`${'k'.repeat(65)}:Long`)).toMatch(/64 characters at most/);
    expect(fail('a=b:Label')).toMatch(/cannot contain \| or =/);
  });
});
