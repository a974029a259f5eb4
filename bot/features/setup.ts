import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';

const isAdmin = (ctx: BotContext, chatId: number, userId: number) =>
  ctx.api.getChatMember(chatId, userId).then(
    (member) => member.status === 'creator' || member.status === 'administrator',
    () => false,
  );

/**
 * `/setup` in a group binds it as the support group. It takes an admin of that group — and, when another
 * group is bound already, an admin of that one too (so nobody can pull the tickets into their own group).
 * Then every open ticket without a card gets one.
 */
export function setupFeature({ supportGroup, services }: Pick<BotDeps, 'supportGroup' | 'services'>) {
  const feature = new Composer<BotContext>();

  feature.chatType(['group', 'supergroup']).command('setup', async (ctx) => {
    const current = await supportGroup.chatId();
    if (current === ctx.chat.id) {
      await ctx.reply('This group already is the support group.');
      return;
    }
    if (supportGroup.fixed) {
      await ctx.reply('The support group is fixed by the server’s configuration (SUPPORT_GROUP_CHAT_ID).');
      return;
    }
    if (!(await isAdmin(ctx, ctx.chat.id, ctx.from.id))) {
      await ctx.reply('Only an admin of this group can make it the support group.');
      return;
    }
    if (current && !(await isAdmin(ctx, current, ctx.from.id))) {
      await ctx.reply('Another group is the support group; only one of its admins can move it here.');
      return;
    }
    await supportGroup.bind(ctx.chat.id);
    await services.tickets.requestMissingCards();
    ctx.log.info({ chatId: ctx.chat.id }, 'support group bound');
    await ctx.reply(
      '✅ This group is now the support group. New tickets will appear here with Claim / Pass buttons.\n' +
        'Agents: open a chat with me and press Start once, so I can send you your conversations.',
    );
  });

  // Added to a group: say how to bind it.
  feature.on('my_chat_member', async (ctx) => {
    const { old_chat_member: before, new_chat_member: after } = ctx.myChatMember;
    const joined =
      ['left', 'kicked'].includes(before.status) && ['member', 'administrator'].includes(after.status);
    if (!joined || ctx.chat.type === 'private' || ctx.chat.type === 'channel') return;
    if ((await supportGroup.chatId()) === ctx.chat.id) return;
    await ctx.reply('Hi! To receive new support tickets here, a group admin sends /setup.');
  });

  feature
    .chatType('private')
    .command('setup', (ctx) =>
      ctx.reply(
        'Send /setup in the group your support team works in (as a group admin), after adding me to it.',
      ),
    );

  return feature;
}
