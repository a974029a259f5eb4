import { useCallback, useState } from 'react';
import type { TransferCandidate } from '../../contract/agent-api.ts';
import { type AgentApi, ApiError } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';

export type TransferTarget = number | 'queue';

const reason = (failure: unknown) =>
  failure instanceof ApiError ? failure.message : 'No connection to the server. Try again in a moment.';

/**
 * Handing the agent's ticket on: opening the form loads who it can go to (advised first); the agent picks
 * someone or the queue, adds an optional note, and sends it. The ticket's live view shows the result.
 */
export function useTransfer(api: AgentApi, ticketId: number) {
  const [open, setOpen] = useState(false);
  const [candidates, setCandidates] = useState<TransferCandidate[] | null>(null);
  const [target, setTarget] = useState<TransferTarget | null>(null);
  const [note, setNote] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = useCallback(async () => {
    setOpen(true);
    setError(null);
    setTarget(null);
    setCandidates(null);
    try {
      const { agents } = await api.transferCandidates(ticketId);
      setCandidates(agents);
      // The advised choice: the first online agent with the skill.
      const advised = agents.find((agent) => agent.state === 'online' && agent.skilled);
      if (advised) setTarget(advised.id);
    } catch (failure) {
      setError(reason(failure));
      setCandidates([]);
    }
  }, [api, ticketId]);

  const cancel = useCallback(() => {
    setOpen(false);
    setError(null);
  }, []);

  const send = useCallback(async () => {
    if (target === null) return;
    setSending(true);
    setError(null);
    try {
      await api.transfer(ticketId, target, note.trim() || undefined);
      haptics.success();
      setOpen(false);
      setNote('');
    } catch (failure) {
      haptics.error();
      setError(reason(failure));
    } finally {
      setSending(false);
    }
  }, [api, ticketId, target, note]);

  return { open, candidates, target, note, sending, error, start, cancel, send, choose: setTarget, setNote };
}
