import { describe, expect, it } from 'vitest';
import { type CategoryOption, SYSTEM_EVENT_CODES, type SystemEventCode } from '../contract/api.ts';
import { systemWording } from '../widget/app/system-wording.ts';
import { categoryLabel, categoryOptionsOf } from '../widget/i18n/category-labels.ts';
import { chatStrings, LANGUAGES, type Language, launcherStrings } from '../widget/i18n/strings.ts';

const event = (code: string, params: { agent_name?: string } = {}) => ({
  body: 'English body',
  event: { code, params },
});

/** What each code says in each language (Alice is the agent). */
const expected: Record<Language, Record<SystemEventCode, string>> = {
  en: {
    agent_joined: 'Alice joined the conversation',
    closed_by_visitor: 'You ended the conversation',
    closed_by_agent: 'Alice ended the conversation',
    contact_requested:
      'All our agents are busy right now. Leave your email or phone number and we will get back to you.',
    returned_to_queue: 'The next available agent will take over the conversation',
  },
  ru: {
    agent_joined: 'Alice теперь в чате',
    closed_by_visitor: 'Вы завершили разговор',
    closed_by_agent: 'Разговор завершён оператором Alice',
    contact_requested: 'Все операторы сейчас заняты. Оставьте почту или телефон — мы свяжемся с вами.',
    returned_to_queue: 'Разговор продолжит первый освободившийся оператор',
  },
};

describe('system messages in the visitor language, from their codes', () => {
  it('words every code in every language', () => {
    expect(Object.keys(expected).sort()).toEqual([...LANGUAGES].sort());
    for (const language of LANGUAGES) {
      for (const code of SYSTEM_EVENT_CODES) {
        expect(
          systemWording(event(code, { agent_name: 'Alice' }), chatStrings[language]),
          `${language} ${code}`,
        ).toBe(expected[language][code]);
      }
    }
  });

  it('without an agent name says "Agent" / "Оператор"', () => {
    expect(systemWording(event('agent_joined'), chatStrings.en)).toBe('Agent joined the conversation');
    expect(systemWording(event('closed_by_agent'), chatStrings.ru)).toBe(
      'Разговор завершён оператором Оператор',
    );
  });

  it('shows the body for an unknown code or none (no guessing from the English text)', () => {
    expect(systemWording(event('ticket_transferred'), chatStrings.ru)).toBe('English body');
    expect(systemWording({ body: 'Conversation closed by the visitor', event: null }, chatStrings.ru)).toBe(
      'Conversation closed by the visitor',
    );
    expect(systemWording({ body: 'Old server', event: undefined }, chatStrings.en)).toBe('Old server');
  });

  it('has every language complete: the same strings as English, none empty', () => {
    const shape = (value: unknown): unknown =>
      typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]))
        : typeof value;
    for (const language of LANGUAGES) {
      expect(shape(chatStrings[language]), language).toEqual(shape(chatStrings.en));
      expect(shape(launcherStrings[language]), language).toEqual(shape(launcherStrings.en));
      for (const text of Object.values(chatStrings[language]))
        if (typeof text === 'string') expect(text).not.toBe('');
    }
  });
});

describe('category labels', () => {
  const options: CategoryOption[] = [
    { key: 'billing', label: 'Billing', labels: { ru: 'Оплата' } },
    { key: 'General', label: 'General', labels: {} },
  ];

  it('shows the label in the language, else the default label, else the key', () => {
    expect(categoryLabel(options, 'billing', 'ru')).toBe('Оплата');
    expect(categoryLabel(options, 'billing', 'en')).toBe('Billing');
    expect(categoryLabel(options, 'General', 'ru')).toBe('General');
    expect(categoryLabel(options, 'retired', 'ru')).toBe('retired');
  });

  it('takes the labels from category_options, or the keys from an older server', () => {
    expect(categoryOptionsOf({ categories: ['billing', 'General'], category_options: options })).toBe(
      options,
    );
    expect(categoryOptionsOf({ categories: ['Sales'] })).toEqual([
      { key: 'Sales', label: 'Sales', labels: {} },
    ]);
  });
});
