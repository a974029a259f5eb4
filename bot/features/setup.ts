import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';

/** `/setup` in a group, by one of its admins, binds it as the support group. */
export function setupFeature({ supportGroup }: Pick<BotDeps, 'supportGroup'>) {
  const feature = new Composer<BotContext>();

  feature.chatType(['group', 'supergroup']).command('setup', async (ctx) => {
    const member = await ctx.getChatMember(ctx.from.id);
    if (member.status !== 'creator' && member.status !== 'administrator') {
      await ctx.reply('Only an admin of this group can make it the support group.');
      return;
    }
    await supportGroup.bind(ctx.chat.id);
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
