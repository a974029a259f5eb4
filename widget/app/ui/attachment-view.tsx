export type AttachmentViewProps = {
  /** `loading`, `failed`, or the attachment as a local URL with its type. */
  media: { url: string; type: string } | 'loading' | 'failed';
  label: string;
  openLabel: string;
};

/** An attachment in a message: images inline (click to open full size), other files as a link. */
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
  return (
    <a className="attachment attachment--file" href={media.url} download>
      📎 {label}
    </a>
  );
}
