import type { Menu } from '@grammyjs/menu';
import { Composer } from 'grammy';
import { MEDIA_MAX_BYTES, MEDIA_TYPES } from '../../core/media-store.ts';
import { AGENT_MESSAGE_KINDS, agentAttachmentOf } from '../agent-attachment.ts';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { isPermanentTelegramRefusal } from '../telegram-errors.ts';
import { downloadTelegramFile, FileTooLarge } from '../telegram-files.ts';
import { telegramOrigin } from '../telegram-origin.ts';
import type { TicketRouting } from '../ticket-routing.ts';

/**
 * Agent's chat with the bot → visitor. The ticket is found by stored ids (ticket-routing.ts): the topic,
 * the message replied to, or (single mode) the active ticket; else the agent is told how to pick one.
 * Files (photos, documents, voice, audio, video notes, animations, stickers) are downloaded into the
 * media store; a location becomes a map link (agent-attachment.ts). The agent's message is recorded as the
 * ticket's, so replies to it route there too.
 */
export function relayFeature(deps: BotDeps, switcher: Menu<BotContext>, ticketOf: TicketRouting) {
  const { services, media } = deps;
  const feature = new Composer<BotContext>();

  feature.on([...AGENT_MESSAGE_KINDS], async (ctx) => {
    const message = ctx.message;
    if (message.text?.startsWith('/')) {
      await ctx.reply('Unknown command. /help lists what I can do.');
      return;
    }
    const agentId = (ctx.agent as NonNullable<BotContext['agent']>).id;
    const routed = await ticketOf(ctx, agentId);
    if (routed.ticketId === null) {
      await ctx.reply(routed.why, routed.offerSwitcher ? { reply_markup: switcher } : undefined);
      return;
    }
    const { ticketId } = routed;

    let mediaUrl: string | undefined;
    const attachment = agentAttachmentOf(message);
    const attached = attachment?.file;
    if (attached) {
      if (!MEDIA_TYPES[attached.mimeType]) {
        await ctx.reply(
          'I can pass on photos, PDFs, text files, voice and audio, video notes, GIFs, stickers and locations.',
        );
        return;
      }
      if ((attached.size ?? 0) > MEDIA_MAX_BYTES) {
        await ctx.reply('That file is too large (10 MB at most).');
        return;
      }
      try {
        const bytes = await downloadTelegramFile(ctx.api, deps.apiRoot, deps.token, attached.fileId);
        mediaUrl = await media.save(await services.desk.sessionOf(ticketId), bytes, attached.mimeType);
      } catch (error) {
        if (error instanceof FileTooLarge) {
          await ctx.reply('That file is too large (10 MB at most).');
          return;
        }
        // Telegram will not hand out the file (e.g. over its 20 MB limit for bots): asking again won't help.
        if (!isPermanentTelegramRefusal(error)) throw error;
        await ctx.reply('Telegram would not let me download that file, so it was not passed on.');
        return;
      }
    }

    // The file is kept only when this message is stored: not when it is refused or fails, nor when a
    // redelivered update finds it stored already (with its own file).
    let stored = false;
    let body = message.text ?? message.caption ?? attachment?.text ?? '';
    // A canned reply sent through inline mode: placeholders still in it are filled for this ticket.
    if (message.via_bot?.id === ctx.me.id)
      body = await services.cannedReplies.fillForTicket(body, ticketId, agentId);
    try {
      const sent = await services.messages.sendAgentMessage({
        ticketId,
        agentId,
        body,
        mediaUrl,
        telegram: telegramOrigin(message),
        updateId: ctx.update.update_id,
      });
      stored = !sent.duplicate;
      ctx.recordedHandled = sent.updateRecorded;
    } finally {
      if (mediaUrl && !stored) await media.discard(mediaUrl);
    }
    // Replying to another ticket's message makes it the active one (single mode: where plain messages go).
    if (routed.via === 'reply') await services.agents.setActiveTicket(agentId, ticketId).catch(() => {});
  });

  return feature;
}
