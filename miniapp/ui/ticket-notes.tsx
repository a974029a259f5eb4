import { Button, Textarea } from '@telegram-apps/telegram-ui';
import type { TicketNoteView } from '../../contract/notes-api.ts';
import { formatTime } from './format.ts';
import './replies-notes.css';

/** One internal note in the conversation: marked as a note, with its author and time (agents only). */
export function NoteItem({ note, now }: { note: TicketNoteView; now: number }) {
  return (
    <li className="sb-note" aria-label={`Internal note by ${note.author_name}`}>
      <span className="sb-note-head">
        <span className="sb-note-label">📝 Internal note · {note.author_name}</span>
        <time className="sb-note-time" dateTime={note.created_at}>
          {formatTime(note.created_at, now)}
        </time>
      </span>
      <span className="sb-note-body">{note.body}</span>
    </li>
  );
}

export type NoteComposerProps = {
  open: boolean;
  value: string;
  maxLength: number;
  adding: boolean;
  onOpen: () => void;
  onChange: (value: string) => void;
  onAdd: () => void;
  onCancel: () => void;
};

/** "Add note": a note for the team on this ticket, never shown to the visitor. */
export function NoteComposer({
  open,
  value,
  maxLength,
  adding,
  onOpen,
  onChange,
  onAdd,
  onCancel,
}: NoteComposerProps) {
  if (!open) {
    return (
      <div className="sb-note-composer">
        <Button mode="gray" size="s" className="sb-canned-toggle" onClick={onOpen}>
          📝 Add note
        </Button>
      </div>
    );
  }
  return (
    <form
      className="sb-note-composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim() && !adding) onAdd();
      }}
    >
      <Textarea
        aria-label="Internal note"
        header="Internal note"
        placeholder="For the team: what was promised, what to check…"
        value={value}
        maxLength={maxLength}
        onChange={(event) => onChange(event.target.value)}
      />
      <p className="sb-note-hint">Only agents see notes — never the visitor.</p>
      <div className="sb-button-row">
        <Button type="submit" mode="filled" size="s" loading={adding} disabled={!value.trim() || adding}>
          Save note
        </Button>
        <Button type="button" mode="plain" size="s" disabled={adding} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
