import type { MessageView } from '../../contract/api.ts';
import { wordSystemEvent } from '../../contract/system-wording.ts';
import type { Language } from '../i18n/strings.ts';

/**
 * A system message in the visitor's words and language, from its event code and parameters (the server
 * sends both with every system message), worded by the shared table (contract/system-wording.ts: every
 * widget language must have its entry there, or this does not compile). A code the table does not know,
 * or no code, shows the body the server wrote (English).
 */
export function systemWording(message: Pick<MessageView, 'body' | 'event'>, language: Language): string {
  return wordSystemEvent(message.event, language) ?? message.body;
}
