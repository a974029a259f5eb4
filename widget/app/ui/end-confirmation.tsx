import { useEffect, useId, useRef } from 'react';

export type EndConfirmationProps = {
  onConfirm(): void;
  onCancel(): void;
  busy?: boolean;
  labels: { title: string; text: string; confirm: string; cancel: string };
};

/** "End this conversation?" in place of the message box; Cancel has the focus, Escape cancels. */
export function EndConfirmation({ onConfirm, onCancel, busy, labels }: EndConfirmationProps) {
  const titleId = useId();
  const textId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        onCancel();
      }}
    >
      <p className="confirm__title" id={titleId}>
        {labels.title}
      </p>
      <p className="confirm__text" id={textId}>
        {labels.text}
      </p>
      <div className="confirm__actions">
        <button ref={cancelRef} type="button" className="button button--secondary" onClick={onCancel}>
          {labels.cancel}
        </button>
        <button type="button" className="button button--danger" onClick={onConfirm} disabled={busy}>
          {labels.confirm}
        </button>
      </div>
    </div>
  );
}
