import type { SystemEvent } from '../contract/api.ts';
import { wordSystemEvent } from '../contract/system-wording.ts';

/**
 * System messages are stored as an event (a code with parameters, which each client words in its own
 * language) and as this English text, as agents read it (contract/system-wording.ts): the body older
 * clients and Telegram show.
 */
export function systemEventText(event: SystemEvent): string {
  return wordSystemEvent(event, 'en', 'agents') as string;
}

export const CONTACT_REQUEST_TEXT = systemEventText({ code: 'contact_requested', params: {} });
