import { ActionMenu, type MenuAction } from './action-menu.tsx';
import { Avatar } from './avatar.tsx';

export type ChatHeaderProps = {
  /** The team's name. */
  title: string;
  /** Who answers and how soon, or the conversation's state. */
  status: string;
  /** The agent who took the conversation: their initials replace the team's mark. */
  agentName?: string | null;
  /** Less frequent actions (download transcript, end conversation), behind a "⋯" button. */
  actions: MenuAction[];
  actionsLabel: string;
  /** Shown when the chat sits in the loader's iframe. */
  closeLabel?: string;
  onClose?: () => void;
};

export function ChatHeader({
  title,
  status,
  agentName,
  actions,
  actionsLabel,
  closeLabel,
  onClose,
}: ChatHeaderProps) {
  return (
    <header className="header">
      <Avatar name={agentName} />
      <div className="header__text">
        <h1 className="header__title">{title}</h1>
        <p className="header__status" aria-live="polite">
          {status}
        </p>
      </div>
      {actions.length > 0 && <ActionMenu label={actionsLabel} actions={actions} />}
      {onClose && (
        <button
          type="button"
          className="header__icon"
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
