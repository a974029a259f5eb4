import { type FakeTelegram, startFakeTelegram } from '../../test/fake-telegram/index.ts';
import { newSession, postJson, type Session } from './http.ts';

export const GROUP = -1001234567890;
export const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';

type Sent = { message_id: number; text?: string };
export type Agent = { id: number; first_name: string; username: string };

/** The fake Bot API with a support group and `agents` members, and the environment pointing a server at it. */
export async function startTelegram(agentCount: number) {
  const fake = await startFakeTelegram({ webhookRetryDelayMs: 50 });
  fake.addGroup({ id: GROUP, title: 'Support team', botStatus: 'administrator' });
  const agents: Agent[] = Array.from({ length: agentCount }, (_, index) => ({
    id: 2001 + index,
    first_name: `Agent${index + 1}`,
    username: `agent${index + 1}`,
  }));
  for (const agent of agents) {
    fake.addUser(agent);
    fake.setChatMember(GROUP, agent.id, 'member');
  }
  const env = {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    BOT_MODE: 'webhook',
    WEBHOOK_SECRET,
    SUPPORT_GROUP_CHAT_ID: String(GROUP),
    AFTER_HOURS_MINUTES: '600',
  };

  const cardOf = (ticketId: number) =>
    fake.sentTo(GROUP).find((m: Sent) => m.text?.split('\n')[0]?.match(new RegExp(`#${ticketId}\\b`))) as
      | Sent
      | undefined;

  let connections = 0;
  return {
    fake,
    agents,
    env,
    cardOf,

    /** Waits for the server's bot to connect, points the webhook at it and has every agent press Start. */
    async connect(serverUrl: string) {
      // Each bot registers its commands (two calls) once it reached the Bot API.
      connections += 1;
      await fake.waitFor(() => fake.callsOf('setMyCommands').length >= 2 * connections, {
        timeoutMs: 60_000,
      });
      await postJson(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
        url: `${serverUrl}/api/telegram/webhook`,
        secret_token: WEBHOOK_SECRET,
        allowed_updates: ['message', 'callback_query', 'my_chat_member'],
      });
      for (const agent of agents) {
        const before = fake.sentTo(agent.id).length;
        fake.sendText({ from: agent.id, text: '/start' });
        await fake.waitFor(() => fake.sentTo(agent.id).length > before, { timeoutMs: 30_000 });
      }
    },

    /** A visitor with a ticket claimed by `agent` (the card posted, Claim pressed, the agent connected). */
    async claimedTicket(serverUrl: string, agent: Agent): Promise<Session & { ticketId: number }> {
      const session = await newSession(serverUrl);
      const sent = await postJson<{ ticket: { id: number } }>(
        `${serverUrl}/api/session/${session.sessionId}/messages`,
        { body: 'Hello, I need help' },
        session.token,
      );
      const ticketId = sent.ticket.id;
      const card = (await fake.waitFor(() => cardOf(ticketId), { timeoutMs: 120_000 })) as Sent;
      fake.clickButton({ from: agent.id, chatId: GROUP, messageId: card.message_id, text: '✅ Claim' });
      await fake.waitFor(
        () => fake.sentTo(agent.id).some((m: Sent) => m.text?.includes(`connected to #${ticketId}`)),
        { timeoutMs: 120_000 },
      );
      return { ...session, ticketId };
    },
  };
}

export type BenchTelegram = Awaited<ReturnType<typeof startTelegram>>;
export type { FakeTelegram };
