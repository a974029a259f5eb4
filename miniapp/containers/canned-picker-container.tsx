import type { AgentApi } from '../api/agent-api.ts';
import { useCannedPicker } from '../hooks/use-canned-picker.ts';
import { CannedPicker } from '../ui/canned-picker.tsx';

/** The reply box's canned replies: a picked snippet (filled for the ticket) goes into the draft. */
export function CannedPickerContainer({
  api,
  ticketId,
  category,
  onInsert,
  onManage,
}: {
  api: AgentApi;
  ticketId: number;
  category: string | null;
  onInsert: (text: string) => void;
  onManage: () => void;
}) {
  const picker = useCannedPicker(api, ticketId);
  return (
    <CannedPicker
      open={picker.open}
      loading={picker.loading}
      error={picker.error}
      filter={picker.filter}
      replies={picker.replies}
      total={picker.total}
      category={category}
      onToggle={picker.toggle}
      onFilter={picker.setFilter}
      onPick={(reply) => {
        onInsert(reply.text);
        picker.close();
      }}
      onManage={onManage}
      onRetry={picker.retry}
    />
  );
}
