import { Button, Placeholder, Spinner } from '@telegram-apps/telegram-ui';

export type FullScreenNoticeProps = {
  icon: string;
  title: string;
  description?: string;
  action?: { label: string; onClick: () => void };
};

/** A whole-screen message: outside Telegram, not an agent, expired launch data… */
export function FullScreenNotice({ icon, title, description, action }: FullScreenNoticeProps) {
  return (
    <div className="sb-fullscreen" role="alert">
      <Placeholder
        header={title}
        description={description}
        action={
          action && (
            <Button size="m" onClick={action.onClick}>
              {action.label}
            </Button>
          )
        }
      >
        <span className="sb-notice-icon" aria-hidden="true">
          {icon}
        </span>
      </Placeholder>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="sb-loading" role="status" aria-label={label}>
      <Spinner size="m" />
    </div>
  );
}

/** A problem shown above the content, which stays usable. */
export function InlineError({ message, onDismiss }: { message: string; onDismiss?: () => void }) {
  return (
    <div className="sb-inline-error" role="alert">
      <span>{message}</span>
      {onDismiss && (
        <button type="button" className="sb-link-button" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}

/** Back for clients without Telegram's native back button. */
export function BackLink({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="sb-back-link" onClick={onClick}>
      ‹ {label}
    </button>
  );
}
