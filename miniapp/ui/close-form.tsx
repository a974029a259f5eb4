import { Button, Textarea } from '@telegram-apps/telegram-ui';

export type CloseFormProps = {
  note: string;
  maxLength: number;
  closing: boolean;
  onNoteChange: (note: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
};

/** Closing a ticket, with an optional last note for the visitor. */
export function CloseForm({ note, maxLength, closing, onNoteChange, onConfirm, onCancel }: CloseFormProps) {
  return (
    <div className="sb-close-form">
      <Textarea
        aria-label="Closing note"
        header="Closing note (optional)"
        placeholder="Thanks for reaching out!"
        value={note}
        maxLength={maxLength}
        onChange={(event) => onNoteChange(event.target.value)}
      />
      <div className="sb-button-row">
        <Button mode="filled" size="m" loading={closing} onClick={onConfirm}>
          Close ticket
        </Button>
        <Button mode="plain" size="m" disabled={closing} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
