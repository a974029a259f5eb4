import { describe, expect, it } from 'vitest';
import { type CategoryOption, SYSTEM_EVENT_CODES, type SystemEventCode } from '../contract/api.ts';
import { SYSTEM_WORDING, wordSystemEvent } from '../contract/system-wording.ts';
import { systemEventText } from '../core/system-events.ts';
import { renderTranscript } from '../core/transcript.ts';
import type { VisitorExport } from '../core/visitor-data.service.ts';
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
        expect(systemWording(event(code, { agent_name: 'Alice' }), language), `${language} ${code}`).toBe(
          expected[language][code],
        );
      }
    }
  });

  it('without an agent name says "Agent" / "Оператор"', () => {
    expect(systemWording(event('agent_joined'), 'en')).toBe('Agent joined the conversation');
    expect(systemWording(event('closed_by_agent'), 'ru')).toBe('Разговор завершён оператором Оператор');
  });

  it('shows the body for an unknown code or none (no guessing from the English text)', () => {
    expect(systemWording(event('ticket_transferred'), 'ru')).toBe('English body');
    expect(systemWording(event('toString'), 'ru')).toBe('English body');
    expect(systemWording({ body: 'Conversation closed by the visitor', event: null }, 'ru')).toBe(
      'Conversation closed by the visitor',
    );
    expect(systemWording({ body: 'Old server', event: undefined }, 'en')).toBe('Old server');
  });

  it('one table for the widget, the transcripts and the stored body: agents read the record’s words', () => {
    // Every widget language has the table's words, for the visitor and for agents (else tsc fails).
    for (const language of LANGUAGES) {
      expect(Object.keys(SYSTEM_WORDING[language].visitor).sort()).toEqual([...SYSTEM_EVENT_CODES].sort());
      expect(Object.keys(SYSTEM_WORDING[language].agents).sort()).toEqual([...SYSTEM_EVENT_CODES].sort());
    }
    const closed = { code: 'closed_by_visitor', params: {} };
    expect(wordSystemEvent(closed, 'en', 'agents')).toBe('Conversation closed by the visitor');
    expect(wordSystemEvent(closed, 'ru', 'agents')).toBe('Посетитель завершил разговор');
    // The English body stored with each system message (Telegram, older clients) is the agents' English.
    for (const code of SYSTEM_EVENT_CODES) {
      const stored = { code, params: { agent_name: 'Alice' } };
      expect(systemEventText(stored)).toBe(wordSystemEvent(stored, 'en', 'agents'));
    }
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

describe('the transcript words system lines from the same table', () => {
  const exportOf = (agentName: string): VisitorExport => ({
    exported_at: '2026-12-01T10:00:00.000Z',
    session: {
      id: '00000000-0000-4000-8000-000000000001',
      created_at: '2026-12-01T09:00:00.000Z',
      last_seen_at: '2026-12-01T09:30:00.000Z',
      locale: 'ru',
      referrer: null,
      user_agent: null,
      contact: null,
      identity: null,
      page: null,
      utm: null,
      time_zone: null,
    },
    tickets: [
      {
        id: 7,
        status: 'closed',
        category: 'billing',
        created_at: '2026-12-01T09:00:00.000Z',
        claimed_at: '2026-12-01T09:01:00.000Z',
        closed_at: '2026-12-01T09:20:00.000Z',
        agent_name: agentName,
        rating: null,
        rating_comment: null,
        messages: SYSTEM_EVENT_CODES.map((code, index) => ({
          id: index + 1,
          sender: 'system' as const,
          agent_name: null,
          // The stored English body: what the transcript showed before, and must no longer show in Russian.
          body: systemEventText({ code, params: { agent_name: agentName } }),
          event: { code, params: { agent_name: agentName } },
          attachment: null,
          created_at: `2026-12-01T09:0${index + 1}:00.000Z`,
          edited_at: null,
          deleted_at: null,
        })),
      },
    ],
  });
  const systemLines = (text: string) =>
    text
      .split('\n')
      .filter((line) => / (System|Система): /.test(line))
      .map((line) => line.replace(/^\[[^\]]+\] (System|Система): /, ''));

  it('in Russian every system line is Russian, for the visitor and for agents', () => {
    const data = exportOf('Алиса');
    const forVisitor = renderTranscript(data, {
      language: 'ru',
      categoryLabel: (key) => (key === 'billing' ? 'Оплата' : key),
    });
    expect(systemLines(forVisitor)).toEqual([
      'Алиса теперь в чате',
      'Вы завершили разговор',
      'Разговор завершён оператором Алиса',
      'Все операторы сейчас заняты. Оставьте почту или телефон — мы свяжемся с вами.',
      'Разговор продолжит первый освободившийся оператор',
    ]);
    expect(forVisitor).toContain('=== Обращение #7 · Оплата — открыто');
    const forAgents = renderTranscript(data, { language: 'ru', audience: 'agent' });
    expect(systemLines(forAgents)).toContain('Посетитель завершил разговор');
    // Apart from the session id, the UTC marks, the locale (ru) and, for agents, the category key (no
    // labels given), nothing in Latin letters is left.
    for (const text of [forVisitor, forAgents]) {
      const latin = text
        .replace(/00000000-0000-4000-8000-000000000001/g, '')
        .replace(/ UTC/g, '')
        .match(/[A-Za-z]+/g);
      expect(
        (latin ?? []).filter((word) => !['ru', 'billing'].includes(word)),
        text,
      ).toEqual([]);
    }
    expect(forVisitor).not.toContain('billing');
  });

  it('in English: the visitor’s words for the visitor, the stored body for agents', () => {
    const data = exportOf('Alice');
    expect(systemLines(renderTranscript(data, { language: 'en' }))).toEqual(
      SYSTEM_EVENT_CODES.map((code) => expected.en[code]),
    );
    expect(systemLines(renderTranscript(data, { language: 'en', audience: 'agent' }))).toEqual(
      data.tickets[0]?.messages.map((message) => message.body),
    );
  });

  it('a code it does not know shows the stored body', () => {
    const data = exportOf('Alice');
    const message = data.tickets[0]?.messages[0];
    if (message) message.event = { code: 'ticket_transferred', params: {} } as never;
    expect(systemLines(renderTranscript(data, { language: 'ru' }))[0]).toBe('Alice joined the conversation');
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
