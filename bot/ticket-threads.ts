import type { UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';

/**
 * Where a ticket's conversation lives in Telegram (`TICKET_THREADS`):
 * - `private-topics`: each claimed ticket is its own topic in the agent's private chat with the bot;
 * - `group-topics`: each ticket is a topic of the support group (a forum), where the team sees it and
 *   the agent who claimed it answers;
 * - `single`: one private chat per agent, `/tickets` switches the active ticket.
 */
export const TICKET_THREAD_MODES = ['private-topics', 'group-topics', 'single'] as const;
export type TicketThreadMode = (typeof TICKET_THREAD_MODES)[number];

/**
 * The mode the bot runs in: the configured one when Telegram allows it, else the best it allows —
 * private topics need the bot's topic mode (@BotFather → Bot Settings → Threads), which getMe reports as
 * `has_topics_enabled`. The choice and its reason are logged.
 */
export function chooseTicketThreads(
  me: Pick<UserFromGetMe, 'username' | 'has_topics_enabled'>,
  configured: TicketThreadMode | undefined,
  logger: Logger,
): TicketThreadMode {
  const topics = Boolean(me.has_topics_enabled);
  if (configured === 'group-topics') {
    logger.info(
      { ticketThreads: 'group-topics' },
      'Ticket threads: group-topics: each ticket is a topic of the support group (make it a forum and the bot an admin who may manage topics)',
    );
    return 'group-topics';
  }
  if (configured === 'single') {
    logger.info(
      { ticketThreads: 'single' },
      'Ticket threads: single (TICKET_THREADS=single): one chat per agent, /tickets switches',
    );
    return 'single';
  }
  if (topics) {
    logger.info(
      { ticketThreads: 'private-topics' },
      'Ticket threads: private-topics: each claimed ticket gets its own topic in the agent’s chat with the bot',
    );
    return 'private-topics';
  }
  const how = `enable topics for @${me.username} in @BotFather (Bot Settings → Threads) to give each ticket its own topic`;
  if (configured === 'private-topics') {
    logger.warn(
      { ticketThreads: 'single' },
      `TICKET_THREADS=private-topics, but topics are off for the bot: using single; ${how}`,
    );
  } else {
    logger.info(
      { ticketThreads: 'single' },
      `Ticket threads: single (one chat per agent, /tickets switches); ${how}`,
    );
  }
  return 'single';
}
