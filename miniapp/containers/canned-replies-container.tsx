import { CANNED_BODY_MAX_LENGTH, CANNED_TITLE_MAX_LENGTH } from '../../contract/canned-notes-limits.ts';
import type { AgentApi } from '../api/agent-api.ts';
import { hasNativeBackButton } from '../hooks/telegram.ts';
import { useCannedReplies } from '../hooks/use-canned-replies.ts';
import { CannedRepliesView } from '../ui/canned-replies-view.tsx';
import { BackLink } from '../ui/notice.tsx';

/** The "Canned replies" screen (from the reply box's "Manage replies…"). */
export function CannedRepliesContainer({ api, onBack }: { api: AgentApi; onBack: () => void }) {
  const replies = useCannedReplies(api);
  return (
    <CannedRepliesView
      replies={replies.replies}
      loading={replies.loading}
      loadError={replies.loadError}
      categories={replies.categories}
      titleMaxLength={CANNED_TITLE_MAX_LENGTH}
      bodyMaxLength={CANNED_BODY_MAX_LENGTH}
      draft={replies.draft}
      busy={replies.busy}
      error={replies.error}
      confirmingDelete={replies.confirmingDelete}
      notice={hasNativeBackButton() ? undefined : <BackLink label="Back" onClick={onBack} />}
      onAdd={replies.startAdd}
      onEdit={replies.startEdit}
      onChange={replies.change}
      onSave={() => void replies.save()}
      onCancel={replies.cancel}
      onAskDelete={replies.askDelete}
      onConfirmDelete={() => void replies.confirmDelete()}
      onCancelDelete={replies.cancelDelete}
      onDismissError={replies.dismissError}
      onRetry={replies.reload}
    />
  );
}
