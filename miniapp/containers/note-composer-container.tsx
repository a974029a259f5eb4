import { useState } from 'react';
import { NOTE_MAX_LENGTH } from '../../contract/canned-notes-limits.ts';
import { useDraft } from '../hooks/use-draft.ts';
import type { useNotes } from '../hooks/use-notes.ts';
import { InlineError } from '../ui/notice.tsx';
import { NoteComposer } from '../ui/ticket-notes.tsx';

/** "Add note" under the conversation, wired to the ticket's notes (useNotes) and a kept draft. */
export function NoteComposerContainer({
  ticketId,
  notes,
}: {
  ticketId: number;
  notes: ReturnType<typeof useNotes>;
}) {
  const draft = useDraft(`internal-note:${ticketId}`);
  const [open, setOpen] = useState(() => draft.value !== '');
  return (
    <>
      {notes.error && <InlineError message={notes.error} onDismiss={notes.dismissError} />}
      <NoteComposer
        open={open}
        value={draft.value}
        maxLength={NOTE_MAX_LENGTH}
        adding={notes.adding}
        onOpen={() => setOpen(true)}
        onChange={draft.change}
        onAdd={async () => {
          if (await notes.add(draft.value)) {
            draft.clear();
            setOpen(false);
          }
        }}
        onCancel={() => {
          draft.clear();
          setOpen(false);
        }}
      />
    </>
  );
}
