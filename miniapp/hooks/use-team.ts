import { useCallback, useEffect, useState } from 'react';
import type {
  PresenceStateView,
  TeamMemberView,
  TeamResponse,
  WorkingDayView,
} from '../../contract/team-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import { useResource } from './use-resource.ts';

/** Presence changes with the clock too (working hours, inactivity): the screen refreshes this often. */
const REFRESH_MS = 30_000;

export type TeamBusy = 'presence' | 'skills' | 'hours' | null;

/** The browser's IANA time zone: the default for new working hours. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The Team screen's logic: everyone's presence (refreshed every 30 s), the agent's own toggle, skills and
 * working hours, and — for admins — other agents' skills. Each change answers with the member as the team
 * now sees them, which replaces them in the list at once.
 */
export function useTeam(api: AgentApi) {
  const team = useResource(() => api.team(), api);
  const [busy, setBusy] = useState<TeamBusy>(null);
  const [error, setError] = useState<string | null>(null);
  const { reload, set, data } = team;

  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const replace = useCallback(
    (member: TeamMemberView) => {
      if (!data) return reload();
      set({
        ...data,
        members: data.members.map((current) =>
          current.id === member.id ? { ...member, me: current.me } : current,
        ),
      } satisfies TeamResponse);
    },
    [data, set, reload],
  );

  const run = useCallback(
    async (what: Exclude<TeamBusy, null>, action: () => Promise<{ member: TeamMemberView }>) => {
      setBusy(what);
      setError(null);
      try {
        replace((await action()).member);
        haptics.success();
        return true;
      } catch (failure) {
        setError((failure as Error).message);
        haptics.error();
        return false;
      } finally {
        setBusy(null);
      }
    },
    [replace],
  );

  const me = data?.members.find((member) => member.me) ?? null;
  return {
    data,
    me,
    loading: team.loading,
    loadError: team.error,
    busy,
    error,
    dismissError: () => setError(null),
    setPresence: (state: PresenceStateView) => run('presence', () => api.setPresence(state)),
    setSkills: (agentId: number | 'me', skills: string[]) =>
      run('skills', () => api.setSkills(agentId, skills)),
    setWorkingHours: (timeZone: string, days: WorkingDayView[]) =>
      run('hours', () => (days.length ? api.setWorkingHours(timeZone, days) : api.clearWorkingHours())),
  };
}

export type Team = ReturnType<typeof useTeam>;
