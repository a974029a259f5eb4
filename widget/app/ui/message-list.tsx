import type { ReactNode } from 'react';

/** The conversation: a live region, so screen readers announce new messages. */
export function MessageList({ children, label }: { children: ReactNode; label: string }) {
  return (
    <ol className="messages" role="log" aria-live="polite" aria-label={label}>
      {children}
    </ol>
  );
}

/** A line across the conversation with a label: a new day ("Today", "Yesterday", "3 March"). */
export function Divider({ text }: { text: string }) {
  return (
    <li className="divider">
      <span>{text}</span>
    </li>
  );
}
