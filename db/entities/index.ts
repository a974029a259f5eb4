import { Agent } from './agent.entity.ts';
import { BotConversation } from './bot-conversation.entity.ts';
import { CannedReply } from './canned-reply.entity.ts';
import { MediaFile } from './media-file.entity.ts';
import { Message } from './message.entity.ts';
import { Pass } from './pass.entity.ts';
import { ProcessedUpdate } from './processed-update.entity.ts';
import { Setting } from './setting.entity.ts';
import { SupportSession } from './support-session.entity.ts';
import { TelegramMessage } from './telegram-message.entity.ts';
import { Ticket } from './ticket.entity.ts';
import { TicketNote } from './ticket-note.entity.ts';
import { TicketOffer } from './ticket-offer.entity.ts';
import { TicketTag } from './ticket-tag.entity.ts';
import { TicketThread } from './ticket-thread.entity.ts';

export {
  Agent,
  BotConversation,
  CannedReply,
  MediaFile,
  Message,
  Pass,
  ProcessedUpdate,
  Setting,
  SupportSession,
  TelegramMessage,
  Ticket,
  TicketNote,
  TicketOffer,
  TicketTag,
  TicketThread,
};

export const entities = [
  SupportSession,
  Agent,
  Ticket,
  Message,
  Pass,
  Setting,
  ProcessedUpdate,
  BotConversation,
  TelegramMessage,
  TicketThread,
  CannedReply,
  TicketNote,
  TicketOffer,
  TicketTag,
  MediaFile,
];
