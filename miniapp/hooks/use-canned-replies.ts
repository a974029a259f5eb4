import { useEffect, useState } from 'react';
import type { CannedReplyInput, CannedReplyView } from '../../contract/canned-replies-api.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { haptics } from './telegram.ts';
import { useResource } from './use-resource.ts';

/** The form: a new snippet (`id: null`) or one being edited. */
export type CannedReplyDraft = { id: number | null; title: string; body: string; category: string };

const EMPTY: CannedReplyDraft = { id: null, title: '', body: '', category: '' };

/**
 * Managing the team's canned replies: the list, one form for adding or editing, deleting with a
 * confirmation. The server's validation message (an unknown placeholder, a missing title) is shown as is.
 */
export function useCannedReplies(api: AgentApi) {
  const list = useResource(() => api.cannedReplies().then((answer) => answer.replies), 'canned-replies');
  const [draft, setDraft] = useState<CannedReplyDraft | null>(null);
  const [busy, setBusy] = useState<'save' | 'delete' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState<number | null>(null);
  const [categories, setCategories] = useState<{ key: string; label: string }[]>([]);

  // The ticket categories a snippet can be for (the public widget config has them, with labels).
  useEffect(() => {
    let alive = true;
    fetch('/api/config')
      .then((response) => (response.ok ? response.json() : null))
      .then((config: { category_options?: { key: string; label: string }[] } | null) => {
        if (alive && config?.category_options) setCategories(config.category_options);
      })
      .catch(() => {});
    return () => {
      alive = false;
    };
  }, []);

  const run = async (action: 'save' | 'delete', call: () => Promise<void>) => {
    setBusy(action);
    setError(null);
    try {
      await call();
      haptics.success();
      return true;
    } catch (failure) {
      setError((failure as Error).message);
      haptics.error();
      return false;
    } finally {
      setBusy(null);
    }
  };

  return {
    replies: list.data ?? ([] as CannedReplyView[]),
    categories,
    loading: list.loading,
    loadError: list.error && !list.data ? list.error.message : null,
    reload: list.reload,
    draft,
    busy,
    error,
    dismissError: () => setError(null),
    confirmingDelete,
    startAdd: () => {
      setError(null);
      setDraft({ ...EMPTY });
    },
    startEdit: (reply: CannedReplyView) => {
      setError(null);
      setDraft({ id: reply.id, title: reply.title, body: reply.body, category: reply.category ?? '' });
    },
    change: (patch: Partial<CannedReplyDraft>) =>
      setDraft((current) => (current ? { ...current, ...patch } : current)),
    cancel: () => {
      setDraft(null);
      setError(null);
    },
    async save() {
      if (!draft) return;
      const input: CannedReplyInput = {
        title: draft.title,
        body: draft.body,
        category: draft.category || null,
      };
      const saved = await run('save', async () => {
        const { reply } = await api.saveCannedReply(draft.id, input);
        const others = (list.data ?? []).filter((existing) => existing.id !== reply.id);
        list.set([...others, reply]);
        list.reload();
      });
      if (saved) setDraft(null);
    },
    askDelete: (id: number) => setConfirmingDelete(id),
    cancelDelete: () => setConfirmingDelete(null),
    async confirmDelete() {
      const id = confirmingDelete;
      if (id === null) return;
      const deleted = await run('delete', async () => {
        await api.deleteCannedReply(id);
        list.set((list.data ?? []).filter((reply) => reply.id !== id));
      });
      if (deleted) {
        setConfirmingDelete(null);
        if (draft?.id === id) setDraft(null);
      }
    },
  };
}
