import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { topicName } from '../bot/render/topic-name.ts';
import { chooseTicketThreads } from '../bot/ticket-threads.ts';

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('choosing where tickets live (TICKET_THREADS)', () => {
  const withTopics = { username: 'help_bot', has_topics_enabled: true };
  const withoutTopics = { username: 'help_bot', has_topics_enabled: false };

  it('unset: private topics when the bot has them, else single — and the log says how to turn them on', () => {
    const on = recordingLogger();
    expect(chooseTicketThreads(withTopics, undefined, on.logger)).toBe('private-topics');
    expect(on.lines[0]?.msg).toMatch(/private-topics/);
    const off = recordingLogger();
    expect(chooseTicketThreads(withoutTopics, undefined, off.logger)).toBe('single');
    expect(off.lines[0]?.msg).toMatch(/single.*@BotFather/);
  });

  it('private-topics asked for but not enabled in @BotFather: single, with a warning', () => {
    const { logger, lines } = recordingLogger();
    expect(chooseTicketThreads(withoutTopics, 'private-topics', logger)).toBe('single');
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(lines[0]?.msg).toMatch(/enable topics for @help_bot in @BotFather/);
  });

  it('single and group-topics are taken as configured', () => {
    expect(chooseTicketThreads(withTopics, 'single', recordingLogger().logger)).toBe('single');
    expect(chooseTicketThreads(withoutTopics, 'group-topics', recordingLogger().logger)).toBe('group-topics');
  });
});

describe('topic names', () => {
  it('say the ticket, its category and the visitor’s language, within Telegram’s 128 characters', () => {
    expect(topicName({ id: 12, category: 'Billing', locale: 'ru-RU' })).toBe('#12 · Billing · Visitor (ru)');
    expect(topicName({ id: 7, category: null, locale: null })).toBe('#7 · Visitor');
    const long = topicName({ id: 1, category: 'x'.repeat(200), locale: 'en' });
    expect(long).toHaveLength(128);
    expect(long.endsWith('…')).toBe(true);
  });
});
