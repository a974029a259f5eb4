import { Agent } from '../../db/entities/index.ts';
import type { EntityManager } from '../../db/orm.ts';

/**
 * What handling an update reads first, in one statement: whether it was handled before, the sender's
 * conversation state (grammY conversations, read by every update of a private chat) and the sender's
 * agent row (the agent gate's). Separate reads cost a statement each on every agent reply.
 */
const UPDATE_START = `
select
  exists (select 1 from processed_telegram_updates where update_id = ? and processed_at is not null) as handled,
  (select state from bot_conversations where key = ?) as conversation,
  (select to_jsonb(agents) from agents where tg_chat_id = ?) as agent`;

type Row = { handled: boolean; conversation: unknown; agent: Record<string, unknown> | string | null };

/**
 * Read at an update's start. `conversation`: the stored state under the key (undefined: none stored).
 * `agent`: the sender's agent, mapped into the update's entity manager (undefined: no agent yet).
 */
export type UpdateStart = { handled: boolean; conversation: unknown; agent: Agent | undefined };

export function createUpdateStart(em: EntityManager) {
  return async (
    updateId: number,
    { conversationKey, userId }: { conversationKey?: string; userId?: number },
  ): Promise<UpdateStart> => {
    const [row] = await em.execute<Row[]>(UPDATE_START, [updateId, conversationKey ?? null, userId ?? null]);
    const json = <T>(value: T | string | null | undefined): T | undefined =>
      typeof value === 'string' ? (JSON.parse(value) as T) : (value ?? undefined);
    const agent = json(row?.agent);
    return {
      handled: Boolean(row?.handled),
      conversation: json(row?.conversation),
      agent: agent ? em.map(Agent, agent) : undefined,
    };
  };
}
