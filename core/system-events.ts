import type { SystemEvent } from '../contract/api.ts';

/**
 * System messages are stored as an event (a code with parameters, which each client words in its own
 * language) and as this English text: the body older clients, the transcript and Telegram show.
 */
export function systemEventText(event: SystemEvent): string {
  switch (event.code) {
    case 'agent_joined':
      return `${event.params.agent_name ?? 'An agent'} joined the conversation`;
    case 'closed_by_visitor':
      return 'Conversation closed by the visitor';
    case 'closed_by_agent':
      return `Conversation closed by ${event.params.agent_name ?? 'an agent'}`;
    case 'contact_requested':
      return CONTACT_REQUEST_TEXT;
    case 'returned_to_queue':
      return 'The next available agent will take over the conversation';
  }
}

export const CONTACT_REQUEST_TEXT =
  'All our agents are busy right now. Leave your email or phone number and we will get back to you.';
