import type { FakeTelegram } from '../fake-telegram/index.ts';
import { newVisitor } from './visitor.ts';

type FakeUser = { id: number; first_name: string; username?: string };

/**
 * The usual Telegram side of a test: a support group on the fake Bot API with the bot as an admin and
 * these users as members (agents), and the environment for a server whose bot serves that group.
 */
export function fakeSupportGroup(
  fake: FakeTelegram,
  groupId: number,
  members: FakeUser[],
  { status = 'member' }: { status?: 'member' | 'administrator' } = {},
) {
  fake.addGroup({ id: groupId, title: 'Support team', botStatus: 'administrator' });
  for (const member of members) {
    fake.addUser(member);
    fake.setChatMember(groupId, member.id, status);
  }
  return {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    SUPPORT_GROUP_CHAT_ID: String(groupId),
    // The fake enforces Telegram's limits only where a test asks for it.
    TELEGRAM_THROTTLE: 'false',
  };
}

/** Each agent presses Start in the bot's DM once (Telegram lets a bot write only to users who did). */
export async function agentsStartTheBot(fake: FakeTelegram, agents: FakeUser[]) {
  for (const agent of agents) {
    fake.sendText({ from: agent.id, text: '/start' });
    await fake.waitFor(() => fake.sentTo(agent.id).length > 0, { timeoutMs: 15_000 });
  }
}

/** The group's new-ticket card of the ticket, once posted. */
export const newTicketCard = (fake: FakeTelegram, groupId: number, ticketId: number) =>
  fake
    .messages(groupId)
    .find((m: { text?: string }) => m.text?.startsWith('🆕') && m.text.includes(`#${ticketId}\n`)) as
    | { message_id: number; text: string }
    | undefined;

/** A new ticket claimed by `agent` from its card, once the agent got the "connected" note. */
export async function claimedTicket(
  fake: FakeTelegram,
  {
    appUrl,
    groupId,
    agent,
    timeoutMs,
  }: { appUrl: string; groupId: number; agent: FakeUser; timeoutMs: number },
) {
  const visitor = await newVisitor(appUrl);
  const ticketId = (await visitor.say('Hello, I have a question')).ticket.id;
  const card = await fake.waitFor(() => newTicketCard(fake, groupId, ticketId), { timeoutMs });
  fake.clickButton({ from: agent.id, chatId: groupId, messageId: card.message_id, text: '✅ Claim' });
  await fake.waitFor(
    () => fake.sentTo(agent.id).some((m: { text?: string }) => m.text?.includes(`connected to #${ticketId}`)),
    { timeoutMs },
  );
  return { visitor, ticketId };
}
