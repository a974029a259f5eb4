import type { FakeTelegram } from '../fake-telegram/index.ts';

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
