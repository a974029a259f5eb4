import type { AttachmentState } from '../hooks/use-attachment.ts';

/** An attachment in the conversation: images inline, other files as a download link. */
export function Attachment({ state }: { state: AttachmentState }) {
  if (state === 'loading') return <span className="sb-bubble-media">📎 Loading attachment…</span>;
  if (state === 'failed') return <span className="sb-bubble-media">📎 Attachment could not be loaded</span>;
  if (state.type.startsWith('image/')) {
    return (
      <a className="sb-bubble-image" href={state.url} target="_blank" rel="noopener">
        <img src={state.url} alt="Attachment" />
      </a>
    );
  }
  return (
    <a className="sb-bubble-media" href={state.url} download>
      📎 Download attachment
    </a>
  );
}
