import { AGENT_AUTH_SCHEME } from '../../contract/agent-api.ts';
import type { Services } from '../../core/services.ts';
import type { AppMiddleware, AppState } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { verifyInitData } from '../init-data.ts';

/** What the agent API needs from the bot; built in the composition root (the server never imports the bot). */
export type AgentAccess = {
  botToken: string;
  /** How old initData's auth_date may be. */
  maxAgeSeconds: number;
  /** False while the bot has not reached Telegram yet (it keeps trying). */
  connected: () => boolean;
  /**
   * Whether a Telegram user is a member of the support group (getChatMember, cached; shared with the bot).
   * Throws when Telegram cannot be asked.
   */
  agentStatus: (userId: number) => Promise<'agent' | 'not_member' | 'no_group'>;
  botUsername: () => string | null;
  /**
   * Whether a Telegram user is an administrator (or the creator) of the support group: such agents may set
   * anyone's skills (getChatMember, cached). Absent: nobody is.
   */
  isGroupAdmin?: (userId: number) => Promise<boolean>;
};

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/**
 * `Authorization: tma <initData>`: the Mini App's launch data, signed by Telegram with the bot token.
 * Missing, forged or stale (auth_date older than `maxAgeSeconds`) → 401; a user who is not a member of
 * the support group → 403; no bot configured, or Telegram unreachable → 503. An agent is created on first
 * contact (as in the bot). Runs inside a RequestContext (the services' entity manager).
 */
export async function authenticateAgent(
  access: AgentAccess | undefined,
  services: Services,
  header: string,
): Promise<NonNullable<AppState['agent']>> {
  const prefix = `${AGENT_AUTH_SCHEME} `;
  if (!access) {
    throw new HttpError(
      503,
      'service_unavailable',
      'The agent API needs a Telegram bot: set TELEGRAM_BOT_TOKEN and restart',
    );
  }
  if (!header.startsWith(prefix) || header.length === prefix.length) {
    throw unauthorized(`Missing Authorization: ${AGENT_AUTH_SCHEME} <initData> (open the app from Telegram)`);
  }
  const check = verifyInitData(header.slice(prefix.length).trim(), access.botToken, access.maxAgeSeconds);
  if (!check.ok) {
    throw unauthorized(
      check.reason === 'expired'
        ? 'Telegram init data has expired: close and reopen the app'
        : check.reason === 'no_user'
          ? 'Telegram init data carries no user'
          : 'Invalid Telegram init data',
    );
  }
  const { user } = check;

  if (!access.connected()) {
    throw new HttpError(503, 'service_unavailable', 'The bot has not reached Telegram yet; try again later');
  }
  const status = await access.agentStatus(user.id).catch(() => {
    throw new HttpError(
      503,
      'service_unavailable',
      'Could not ask Telegram about the support group; try again later',
    );
  });
  if (status === 'no_group') {
    throw new HttpError(403, 'forbidden', 'No support group yet: send /setup in your team’s group first');
  }
  if (status !== 'agent') {
    throw new HttpError(403, 'forbidden', 'Only members of the support group can use this app');
  }
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ') || `User ${user.id}`;
  const agent = await services.agents.upsert({ tgChatId: user.id, name, tgUsername: user.username });
  // "Last seen" for presence (at most one write a minute per agent).
  await services.presence.seen(agent.id);
  return { id: agent.id, name: agent.name, username: agent.tgUsername ?? null };
}

/** The agent API's authentication (`authenticateAgent`) as middleware: the agent goes on `ctx.state.agent`. */
export function agentAuthMiddleware(access: AgentAccess | undefined, services: Services): AppMiddleware {
  return async (ctx, next) => {
    ctx.state.agent = await authenticateAgent(access, services, ctx.get('Authorization'));
    await next();
  };
}
