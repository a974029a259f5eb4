import { Button } from '@telegram-apps/telegram-ui';
import type { TicketCannedReply } from '../../contract/canned-replies-api.ts';
import './replies-notes.css';

export type CannedPickerProps = {
  open: boolean;
  loading: boolean;
  error: string | null;
  filter: string;
  /** The snippets shown (filtered), the ticket's category first; their `text` is filled for the ticket. */
  replies: TicketCannedReply[];
  /** How many there are before filtering. */
  total: number;
  category: string | null;
  onToggle: () => void;
  onFilter: (filter: string) => void;
  onPick: (reply: TicketCannedReply) => void;
  onManage: () => void;
  onRetry: () => void;
};

/** The reply box's canned replies: pick one to put it in the draft; "Manage replies…" edits them. */
export function CannedPicker(props: CannedPickerProps) {
  const { open, replies } = props;
  return (
    <div className="sb-canned-picker">
      <Button
        mode="gray"
        size="s"
        className="sb-canned-toggle"
        aria-expanded={open}
        aria-controls="sb-canned-panel"
        onClick={props.onToggle}
      >
        {open ? 'Hide canned replies' : '⚡ Canned replies'}
      </Button>
      {open && (
        <div className="sb-canned-panel" id="sb-canned-panel">
          {props.total > 0 && (
            <input
              className="sb-canned-search"
              type="search"
              aria-label="Find a canned reply"
              placeholder="Find a reply…"
              value={props.filter}
              onChange={(event) => props.onFilter(event.target.value)}
            />
          )}
          {props.loading && <p className="sb-canned-hint">Loading replies…</p>}
          {props.error && (
            <p className="sb-canned-hint" role="alert">
              Could not load the replies: {props.error}{' '}
              <button type="button" className="sb-canned-manage" onClick={props.onRetry}>
                Try again
              </button>
            </p>
          )}
          {!props.loading && !props.error && props.total === 0 && (
            <p className="sb-canned-hint">No canned replies yet: add the team’s first one.</p>
          )}
          {!props.loading && props.total > 0 && replies.length === 0 && (
            <p className="sb-canned-hint">No reply matches “{props.filter}”.</p>
          )}
          {replies.length > 0 && (
            <ul className="sb-canned-list" aria-label="Canned replies">
              {replies.map((reply) => (
                <li key={reply.id}>
                  <button type="button" className="sb-canned-item" onClick={() => props.onPick(reply)}>
                    <span className="sb-canned-title">
                      {reply.title}
                      {reply.category && <span className="sb-chip">{reply.category}</span>}
                    </span>
                    <span className="sb-canned-text">{reply.text}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="sb-canned-manage" onClick={props.onManage}>
            Manage replies…
          </button>
        </div>
      )}
    </div>
  );
}
