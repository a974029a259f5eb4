import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';

const isAdmin = (ctx: BotContext, chatId: number, userId: number) =>
  ctx.api.getChatMember(chatId, userId).then(
    (member) => member.status === 'creator' || member.status === 'administrator',
    () => false,
  );

const ASK_FOR_CODE =
  'To make this group the support group, send /setup followed by the setup code from the ' +
  'Switchboard server’s log, like /setup XXXX-XXXX-XXXX-XXXX (as a group admin).';

/**
 * `/setup CODE` in a group binds it as the support group. Being a group admin is not enough: anyone can
 * make a group and add the bot, and the support group receives visitors' messages and contact details.
 * The proof of operator rights is the one-time setup code the server logs at start; using it binds the
 * group and replaces the code, so moving the group later takes the fresh code from the log. Then every
 * open ticket without a card gets one. SUPPORT_GROUP_CHAT_ID fixes the group instead.
 */
export function setupFeature({ supportGroup, services }: Pick<BotDeps, 'supportGroup' | 'services'>) {
  const feature = new Composer<BotContext>();

  feature.chatType(['group', 'supergroup']).command('setup', async (ctx) => {
    if (supportGroup.fixed) {
      await ctx.reply('The support group is fixed by the server’s configuration (SUPPORT_GROUP_CHAT_ID).');
      return;
    }
    if ((await supportGroup.chatId()) === ctx.chat.id) {
      await ctx.reply('This group already is the support group.');
      return;
    }
    const code = ctx.match.trim();
    if (!code) {
      await ctx.reply(ASK_FOR_CODE);
      return;
    }
    if (!(await isAdmin(ctx, ctx.chat.id, ctx.from.id))) {
      await ctx.reply('Only an admin of this group can make it the support group.');
      return;
    }
    const nextCode = await supportGroup.bindWithCode(ctx.chat.id, code);
    if (!nextCode) {
      await ctx.reply(
        'That setup code is not valid (each code works once). The current one is in the Switchboard ' +
          'server’s log.',
      );
      return;
    }
    // At warn, like the first code at start: the operator must see it whatever LOG_LEVEL says.
    ctx.log.warn(
      { chatId: ctx.chat.id },
      `Support group bound. To move it to another group later, send /setup ${nextCode} there`,
    );
    await services.tickets.requestMissingCards();
    await ctx.reply(
      '✅ This group is now the support group. New tickets will appear here with Claim / Pass buttons.\n' +
        'Agents: open a chat with me and press Start once, so I can send you your conversations.',
    );
  });

  // Added to a group: say how to bind it (nothing to do when the configuration fixes the group).
  feature.on('my_chat_member', async (ctx) => {
    const { old_chat_member: before, new_chat_member: after } = ctx.myChatMember;
    const joined =
      ['left', 'kicked'].includes(before.status) && ['member', 'administrator'].includes(after.status);
    if (!joined || ctx.chat.type === 'private' || ctx.chat.type === 'channel') return;
    if (supportGroup.fixed || (await supportGroup.chatId()) === ctx.chat.id) return;
    await ctx.reply(
      'Hi! To receive new support tickets here, a group admin sends /setup with the setup code from ' +
        'the Switchboard server’s log.',
    );
  });

  feature
    .chatType('private')
    .command('setup', (ctx) =>
      ctx.reply(
        'Add me to the group your support team works in, then send /setup there with the setup code ' +
          'from the Switchboard server’s log, like /setup XXXX-XXXX-XXXX-XXXX (as a group admin).',
      ),
    );

  return feature;
}
