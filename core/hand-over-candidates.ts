import type { AgentService } from './agent.service.ts';
import { DomainError } from './errors.ts';
import type { PresenceService, TeamMember } from './presence.service.ts';
import { hasSkill } from './skills.ts';

/** Someone a ticket can be handed to, as the menus show them. */
export type HandOverCandidate = {
  id: number;
  name: string;
  state: TeamMember['state'];
  /** Has the skill the ticket's category needs. */
  skilled: boolean;
  openTickets: number;
};

const STATE_ORDER: Record<TeamMember['state'], number> = { online: 0, away: 1, offline: 2 };

/**
 * Who a ticket of `category` can be handed to by `fromAgentId`: the rest of the team, online agents with
 * the skill first, then other online agents, then away and offline ones; fewest open tickets first within
 * each. Anyone may be chosen (a ticket can wait for someone coming on shift); the order is the advice.
 */
export async function handOverCandidates(
  presence: PresenceService,
  {
    category,
    fromAgentId,
    isMember,
  }: {
    category: string | null;
    fromAgentId: number;
    /** Whether a Telegram user is still in the support group (people who left are not offered). */
    isMember: (tgChatId: number) => Promise<boolean>;
  },
): Promise<HandOverCandidate[]> {
  const needed = presence.skillsOfCategory(category);
  const others = (await presence.team()).filter((member) => member.id !== fromAgentId);
  const inTeam = await Promise.all(others.map((member) => isMember(member.tgChatId)));
  return others
    .filter((_, index) => inTeam[index])
    .map((member) => ({
      id: member.id,
      name: member.name,
      state: member.state,
      skilled: hasSkill(member.skills, needed),
      openTickets: member.openTickets,
    }))
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        Number(b.skilled) - Number(a.skilled) ||
        a.openTickets - b.openTickets ||
        a.name.localeCompare(b.name) ||
        a.id - b.id,
    );
}

/** The chosen agent has left the support group: the ticket (its history, its notes) must not go to them. */
export class NotInTeam extends DomainError {
  constructor(name: string) {
    super('conflict', `${name} is no longer in the support group`);
  }
}

/** Refuses a hand-over to someone who is not (any longer) in the support group. */
export async function assertInTeam(
  agents: AgentService,
  agentId: number,
  isMember: (tgChatId: number) => Promise<boolean>,
): Promise<void> {
  const agent = await agents.get(agentId);
  if (!(await isMember(agent.tgChatId))) throw new NotInTeam(agent.name);
}
