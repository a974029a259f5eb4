import type { ReactNode } from 'react';
import { LinkifiedText } from './linkified-text.tsx';

export type MessageBubbleProps = {
  mine: boolean;
  author: string;
  /** First of a run: the author's name is shown (never for the visitor's own messages). */
  showAuthor?: boolean;
  /** Continues the previous message's run: drawn closer to it. */
  follows?: boolean;
  body: string;
  /** Last of a run: when it was written. */
  time?: string;
  /** The visitor's latest message: "Sent". */
  receipt?: string;
  attachment?: ReactNode;
  /** For a message still on its way: its state line and actions. */
  status?: ReactNode;
  /** "edited", when its author changed it. */
  edited?: string;
  /** Reactions under it. */
  reactions?: ReactNode;
  /** Its ⋯ menu (edit, delete, react), where there is one. */
  actions?: ReactNode;
};

/** One message: who wrote it, its text with clickable links, an attachment, when, and its state. */
export function MessageBubble(props: MessageBubbleProps) {
  const { mine, author, showAuthor, follows, body, time, receipt, attachment, status, edited } = props;
  const authorShown = showAuthor && !mine;
  return (
    <li className={`message message--${mine ? 'mine' : 'theirs'}${follows ? ' message--follows' : ''}`}>
      {authorShown && <span className="message__author">{author}</span>}
      <div className="message__row">
        <div className="message__bubble">
          {!authorShown && <span className="visually-hidden">{author}: </span>}
          {attachment}
          {body && (
            <p className="message__body">
              <LinkifiedText text={body} />
            </p>
          )}
        </div>
        {props.actions}
      </div>
      {props.reactions}
      {(time || status || edited) && (
        <span className="message__meta">
          {status ?? (
            <>
              {[edited, time].filter(Boolean).join(' · ')}
              {receipt && (
                <>
                  {' · '}
                  <span className="message__receipt">{receipt}</span>
                </>
              )}
            </>
          )}
        </span>
      )}
    </li>
  );
}
