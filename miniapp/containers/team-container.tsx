import type { AgentApi } from '../api/agent-api.ts';
import { localTimeZone, useTeam } from '../hooks/use-team.ts';
import { FullScreenNotice, InlineError, Loading } from '../ui/notice.tsx';
import { TeamView } from '../ui/team-view.tsx';

/** Wires the team (presence, skills, working hours) to the Team screen. */
export function TeamContainer({ api }: { api: AgentApi }) {
  const team = useTeam(api);
  if (team.loading) return <Loading label="Loading the team" />;
  if (!team.data || !team.me) {
    return (
      <FullScreenNotice icon="⚠️" title="Could not load the team" description={team.loadError?.message} />
    );
  }
  const suggested = [...new Set(team.data.category_skills.flatMap((entry) => entry.skills))];
  return (
    <TeamView
      members={team.data.members}
      me={team.me}
      admin={team.data.admin}
      suggestedSkills={suggested}
      busy={team.busy}
      now={Date.now()}
      defaultTimeZone={localTimeZone()}
      notice={team.error ? <InlineError message={team.error} onDismiss={team.dismissError} /> : undefined}
      onPresence={(state) => void team.setPresence(state)}
      onSkills={team.setSkills}
      onHours={team.setWorkingHours}
    />
  );
}
