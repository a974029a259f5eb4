export type AttachmentViewProps = {
  /** `loading`, `failed`, or the attachment as a local URL with its type. */
  media: { url: string; type: string } | 'loading' | 'failed';
  label: string;
  openLabel: string;
};

/**
 * An attachment in a message: images inline (click to open full size), sound as an audio player (voice
 * notes), video inline (video notes, GIF-like animations), other files as a link.
 */
export function AttachmentView({ media, label, openLabel }: AttachmentViewProps) {
  if (media === 'loading') return <div className="attachment attachment--loading" aria-busy="true" />;
  if (media === 'failed') return <div className="attachment attachment--failed">{label}</div>;
  if (media.type.startsWith('image/')) {
    return (
      <a className="attachment" href={media.url} target="_blank" rel="noopener" aria-label={openLabel}>
        <img src={media.url} alt={label} />
      </a>
    );
  }
  if (media.type.startsWith('audio/')) {
    return (
      // biome-ignore lint/a11y/useMediaCaption: people's voice notes come without captions to offer.
      <audio
        className="attachment attachment--audio"
        controls
        preload="metadata"
        src={media.url}
        aria-label={label}
      />
    );
  }
  if (media.type.startsWith('video/')) {
    return (
      // biome-ignore lint/a11y/useMediaCaption: video notes and animations come without captions to offer.
      <video
        className="attachment attachment--video"
        controls
        playsInline
        preload="metadata"
        src={media.url}
        aria-label={label}
      />
    );
  }
  return (
    <a className="attachment attachment--file" href={media.url} download>
      📎 {label}
    </a>
  );
}
