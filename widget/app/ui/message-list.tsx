import type { ReactNode } from 'react';

/** The conversation: a live region, so screen readers announce new messages. */
export function MessageList({ children, label }: { children: ReactNode; label: string }) {
  return (
    <ol className="messages" role="log" aria-live="polite" aria-label={label}>
      {children}
    </ol>
  );
}

/** A line between conversations ("Conversation #3 closed"). */
export function Divider({ text }: { text: string }) {
  return (
    <li className="divider">
      <span>{text}</span>
    </li>
  );
}
