import type { AgentApi } from '../api/agent-api.ts';
import { ApiError } from '../api/agent-api.ts';
import { useResource } from './use-resource.ts';

export type AccessProblem = { kind: 'expired' | 'not_agent' | 'unavailable' | 'offline'; message: string };

/** Who the server sees; an answer that keeps the agent out becomes an `AccessProblem`. */
export function useMe(api: AgentApi) {
  const me = useResource(() => api.me(), api);
  let problem: AccessProblem | null = null;
  const error = me.error;
  if (error instanceof ApiError) {
    if (error.status === 401) problem = { kind: 'expired', message: error.message };
    else if (error.status === 403) problem = { kind: 'not_agent', message: error.message };
    else if (error.code === 'service_unavailable') problem = { kind: 'unavailable', message: error.message };
    else problem = { kind: 'offline', message: `The server answered ${error.status}.` };
  } else if (error) {
    problem = { kind: 'offline', message: 'Cannot reach the server.' };
  }
  return { me: me.data, loading: me.loading, problem, retry: me.reload };
}
