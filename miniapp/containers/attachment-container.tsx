import type { AgentApi } from '../api/agent-api.ts';
import { useAttachment } from '../hooks/use-attachment.ts';
import { Attachment } from '../ui/attachment.tsx';

export function AttachmentContainer(props: { api: AgentApi; ticketId: number; mediaUrl: string }) {
  return <Attachment state={useAttachment(props.api, props.ticketId, props.mediaUrl)} />;
}
