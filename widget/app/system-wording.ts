import type { ChatStrings } from '../i18n/strings.ts';

/**
 * System messages in the visitor's words and language. The server stores them in English, written for
 * both sides ("Conversation closed by the visitor"); the few it writes are recognised here, in this one
 * place, and anything else is shown as the server wrote it.
 */
export function systemWording(body: string, strings: ChatStrings): string {
  if (body === 'Conversation closed by the visitor') return strings.youEnded;
  const closedBy = /^Conversation closed by (.+)$/.exec(body)?.[1];
  if (closedBy) return strings.agentEnded(closedBy);
  const joined = /^(.+) joined the conversation$/.exec(body)?.[1];
  if (joined) return strings.agentJoined(joined);
  if (body.startsWith('All our agents are busy right now.')) return strings.agentsBusy;
  return body;
}
