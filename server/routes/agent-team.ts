import Router from '@koa/router';
import type { AgentTicketActionResponse } from '../../contract/agent-api.ts';
import { ticketIdSchema } from '../../contract/api.ts';
import {
  presenceRequestSchema,
  priorityRequestSchema,
  skillsRequestSchema,
  type TeamMemberResponse,
  type TeamMemberView,
  type TeamResponse,
  workingHoursRequestSchema,
} from '../../contract/team-api.ts';
import { Forbidden, NotFound } from '../../core/errors.ts';
import type { TeamMember } from '../../core/presence.service.ts';
import type { Services } from '../../core/services.ts';
import type { AppContext, AppState } from '../context.ts';
import { type AgentAccess, agentAuthMiddleware } from '../middleware/agent-auth.ts';
import { agentIdOf, ticketIdOf } from '../route-params.ts';
import { parseInput } from '../validation.ts';

type Ctx = { params: Record<string, string>; state: AppState };

const STATE_ORDER = { online: 0, away: 1, offline: 2 } as const;

const toMemberView = (member: TeamMember, agentId: number): TeamMemberView => ({
  id: member.id,
  name: member.name,
  username: member.username,
  state: member.state,
  chosen: member.chosen,
  reason: member.reason,
  in_hours: member.inHours,
  skills: member.skills,
  open_tickets: member.openTickets,
  last_seen_at: member.lastSeenAt ? member.lastSeenAt.toISOString() : null,
  time_zone: member.timeZone,
  working_hours: member.workingHours,
  me: member.id === agentId,
});

/**
 * The Team screen's API (issue 13 §1–3), for agents only (agent-auth.ts): who is online, one's own
 * presence, skills and working hours; an admin of the support group (Telegram: creator or administrator)
 * also sets other agents' skills. And a ticket's priority.
 */
export function agentTeamRoutes({
  services,
  access,
  categories,
}: {
  services: Services;
  access?: AgentAccess;
  /** The configured categories' keys, for the skills they need. */
  categories: string[];
}) {
  const router = new Router<AppState, AppContext>({ prefix: '/api/agent' });
  const auth = agentAuthMiddleware(access, services);

  /** Whether the asking agent administers the support group (a failed lookup: not now). */
  const isAdmin = async (ctx: Ctx) => {
    if (!access?.isGroupAdmin) return false;
    const agent = await services.agents.get(agentIdOf(ctx));
    return access.isGroupAdmin(agent.tgChatId).catch(() => false);
  };
  /** `me`, or another agent's id (then only for admins). */
  const targetAgent = async (ctx: Ctx) => {
    const raw = ctx.params.agentId ?? '';
    if (raw === 'me') return agentIdOf(ctx);
    const id = ticketIdSchema.safeParse(raw);
    if (!id.success) throw new NotFound('Agent');
    if (id.data === agentIdOf(ctx)) return id.data;
    await services.agents.get(id.data);
    if (!(await isAdmin(ctx))) {
      throw new Forbidden('Only an administrator of the support group can change another agent’s skills');
    }
    return id.data;
  };
  const memberAnswer = (member: TeamMember, ctx: Ctx): TeamMemberResponse => ({
    member: toMemberView(member, agentIdOf(ctx)),
  });

  router.get('/team', auth, async (ctx) => {
    const [members, admin] = await Promise.all([services.presence.team(), isAdmin(ctx)]);
    const me = agentIdOf(ctx);
    ctx.body = {
      members: members
        .map((member) => toMemberView(member, me))
        .sort((a, b) => Number(b.me) - Number(a.me) || STATE_ORDER[a.state] - STATE_ORDER[b.state]),
      admin,
      category_skills: categories.map((category) => ({
        category,
        skills: services.presence.skillsOfCategory(category),
      })),
    } satisfies TeamResponse;
  });

  router.put('/team/me/presence', auth, async (ctx) => {
    const { state } = parseInput(presenceRequestSchema, ctx.request.body, 'body');
    ctx.body = memberAnswer(await services.presence.setPresence(agentIdOf(ctx), state), ctx);
  });

  router.put('/team/me/hours', auth, async (ctx) => {
    const input = parseInput(workingHoursRequestSchema, ctx.request.body, 'body');
    const member = await services.presence.setWorkingHours(agentIdOf(ctx), {
      timeZone: input.time_zone,
      days: input.days,
    });
    ctx.body = memberAnswer(member, ctx);
  });

  router.delete('/team/me/hours', auth, async (ctx) => {
    ctx.body = memberAnswer(await services.presence.setWorkingHours(agentIdOf(ctx), null), ctx);
  });

  router.put('/team/:agentId/skills', auth, async (ctx) => {
    const { skills } = parseInput(skillsRequestSchema, ctx.request.body, 'body');
    const target = await targetAgent(ctx);
    ctx.body = memberAnswer(await services.presence.setSkills(target, skills), ctx);
  });

  router.put('/tickets/:id/priority', auth, async (ctx) => {
    const ticketId = ticketIdOf(ctx);
    const { priority } = parseInput(priorityRequestSchema, ctx.request.body, 'body');
    await services.priority.set(ticketId, priority);
    ctx.body = {
      ticket: await services.agentConsole.ticketView(ticketId, agentIdOf(ctx)),
    } satisfies AgentTicketActionResponse;
  });

  return router;
}
