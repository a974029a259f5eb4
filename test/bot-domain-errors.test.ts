import { Bot } from 'grammy';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotContext } from '../bot/context.ts';
import { domainErrorAnswers } from '../bot/middleware.ts';
import { DomainError } from '../core/errors.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram/index.ts';

const ANN = { id: 1001, first_name: 'Ann', username: 'ann' };

let fake: FakeTelegram;
let bot: Bot<BotContext>;

/** A bot whose every handler fails with a domain error, behind the bot's error boundary. */
beforeEach(async () => {
  fake = await startFakeTelegram();
  fake.addUser(ANN);
  fake.setInlineMode(true);
  bot = new Bot<BotContext>(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.use((ctx, next) => {
    ctx.log = pino({ level: 'silent' });
    return next();
  });
  bot.use(domainErrorAnswers);
  bot.use(() => {
    throw new DomainError('not_found', 'Ticket not found');
  });
  await bot.init();
});
afterEach(() => fake.close());

describe('the bot’s error boundary for domain errors', () => {
  it('answers a message with the reason', async () => {
    await bot.handleUpdate(fake.sendText({ from: ANN.id, text: 'hello' }));
    expect(fake.callsOf('sendMessage').map((call) => call.params.text)).toEqual(['Ticket not found']);
  });

  it('answers an inline query (no chat to reply in) with no results, and the update is done', async () => {
    const query = fake.sendInlineQuery({ from: ANN.id, query: 'refund' });
    await bot.handleUpdate(query);
    expect(fake.inlineAnswer(query.inline_query?.id ?? '')?.results).toEqual([]);
    expect(fake.callsOf('sendMessage')).toEqual([]);
  });
});
