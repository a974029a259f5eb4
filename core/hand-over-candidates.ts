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
  { category, fromAgentId }: { category: string | null; fromAgentId: number },
): Promise<HandOverCandidate[]> {
  const needed = presence.skillsOfCategory(category);
  return (await presence.team())
    .filter((member) => member.id !== fromAgentId)
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
