import type { ChatStrings } from '../../i18n/strings.ts';
import type { OutgoingMessage } from '../hooks/use-outgoing-messages.ts';

/** The state line under a message on its way: sending, waiting for the network, rate limited, or failed with Retry / Discard. */
export function OutgoingStatus({
  message,
  strings,
  onRetry,
  onDiscard,
}: {
  message: OutgoingMessage;
  strings: ChatStrings;
  onRetry(localId: number): void;
  onDiscard(localId: number): void;
}) {
  if (message.state === 'rate_limited') return <>{strings.rateLimited(message.retryInSeconds ?? 0)}</>;
  if (message.state === 'offline') return <>{strings.waitingForNetwork}</>;
  if (message.state !== 'failed') return <>{strings.sending}</>;
  return (
    <span className="outgoing-failed" role="alert">
      {message.error ?? strings.failed}{' '}
      <button type="button" className="link-button" onClick={() => onRetry(message.localId)}>
        {strings.retry}
      </button>{' '}
      <button type="button" className="link-button" onClick={() => onDiscard(message.localId)}>
        {strings.discard}
      </button>
    </span>
  );
}
