import type { MessageView } from '../../contract/api.ts';
import type { ChatStrings } from '../i18n/strings.ts';

/**
 * A system message in the visitor's words and language, from its event code and parameters (the server
 * sends both with every system message). A code this widget does not know, or no code, shows the body the
 * server wrote (English).
 */
export function systemWording(message: Pick<MessageView, 'body' | 'event'>, strings: ChatStrings): string {
  const event = message.event;
  const agentName = event?.params.agent_name || strings.agent;
  switch (event?.code) {
    case 'agent_joined':
      return strings.agentJoined(agentName);
    case 'closed_by_visitor':
      return strings.youEnded;
    case 'closed_by_agent':
      return strings.agentEnded(agentName);
    case 'contact_requested':
      return strings.agentsBusy;
    case 'returned_to_queue':
      return strings.returnedToQueue;
    default:
      return message.body;
  }
}
