export type ChatHeaderProps = {
  title: string;
  status: string;
  /** Shown while a conversation is open. */
  endLabel?: string;
  onEnd?: () => void;
  ending?: boolean;
  /** "Download transcript", shown once there is a conversation. */
  downloadLabel?: string;
  onDownload?: () => void;
  downloading?: boolean;
  /** Shown when the chat sits in the loader's iframe. */
  closeLabel?: string;
  onClose?: () => void;
};

export function ChatHeader({
  title,
  status,
  endLabel,
  onEnd,
  ending,
  downloadLabel,
  onDownload,
  downloading,
  closeLabel,
  onClose,
}: ChatHeaderProps) {
  return (
    <header className="header">
      <div className="header__text">
        <h1 className="header__title">{title}</h1>
        <p className="header__status" aria-live="polite">
          {status}
        </p>
      </div>
      {onDownload && (
        <button
          type="button"
          className="header__icon"
          onClick={onDownload}
          disabled={downloading}
          aria-label={downloadLabel}
          title={downloadLabel}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />
          </svg>
        </button>
      )}
      {onEnd && (
        <button type="button" className="header__action" onClick={onEnd} disabled={ending}>
          {endLabel}
        </button>
      )}
      {onClose && (
        <button
          type="button"
          className="header__close"
          onClick={onClose}
          aria-label={closeLabel}
          title={closeLabel}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      )}
    </header>
  );
}
