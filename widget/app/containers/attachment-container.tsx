import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';
import { useMediaUrl } from '../hooks/use-media-url.ts';
import { AttachmentView } from '../ui/attachment-view.tsx';

export function AttachmentContainer(props: {
  api: VisitorApi;
  credentials: VisitorCredentials | null;
  mediaUrl: string;
  label: string;
  openLabel: string;
}) {
  const media = useMediaUrl(props.api, props.credentials, props.mediaUrl);
  return <AttachmentView media={media} label={props.label} openLabel={props.openLabel} />;
}
