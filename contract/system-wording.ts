import type { SystemEventCode, SystemEventParams } from './api.ts';

/**
 * What each system event (SYSTEM_EVENT_CODES) says, in every language: the one table the widget, the
 * transcripts and the stored English body (Telegram, older clients) all word system messages from.
 * Each language words each event twice: for the visitor (“You ended the conversation”: the widget, the
 * visitor's transcript) and for agents and the record (“Conversation closed by the visitor”: the agents'
 * transcript; in English, the body stored with the message). Adding a language is one more entry here
 * (its widget strings are in widget/i18n/); a language without all codes does not compile.
 */
export type SystemWording = {
  /** The name for an agent the event does not name. */
  agent: string;
  /** For the visitor. */
  visitor: EventWords;
  /** For agents and the record. */
  agents: EventWords;
};

/** A text per code; an event that names an agent is a function of their name. */
type EventWords = Record<SystemEventCode, string | ((agent: string) => string)>;

const contactRequested = {
  en: 'All our agents are busy right now. Leave your email or phone number and we will get back to you.',
  ru: 'Все операторы сейчас заняты. Оставьте почту или телефон — мы свяжемся с вами.',
};
const returnedToQueue = {
  en: 'The next available agent will take over the conversation',
  ru: 'Разговор продолжит первый освободившийся оператор',
};

export const SYSTEM_WORDING = {
  en: {
    agent: 'Agent',
    visitor: {
      agent_joined: (agent) => `${agent} joined the conversation`,
      closed_by_visitor: 'You ended the conversation',
      closed_by_agent: (agent) => `${agent} ended the conversation`,
      contact_requested: contactRequested.en,
      returned_to_queue: returnedToQueue.en,
    },
    agents: {
      agent_joined: (agent) => `${agent} joined the conversation`,
      closed_by_visitor: 'Conversation closed by the visitor',
      closed_by_agent: (agent) => `Conversation closed by ${agent}`,
      contact_requested: contactRequested.en,
      returned_to_queue: returnedToQueue.en,
    },
  },
  ru: {
    agent: 'Оператор',
    visitor: {
      agent_joined: (agent) => `${agent} теперь в чате`,
      closed_by_visitor: 'Вы завершили разговор',
      closed_by_agent: (agent) => `Разговор завершён оператором ${agent}`,
      contact_requested: contactRequested.ru,
      returned_to_queue: returnedToQueue.ru,
    },
    agents: {
      agent_joined: (agent) => `${agent} теперь в чате`,
      closed_by_visitor: 'Посетитель завершил разговор',
      closed_by_agent: (agent) => `Разговор завершён оператором ${agent}`,
      contact_requested: contactRequested.ru,
      returned_to_queue: returnedToQueue.ru,
    },
  },
} satisfies Record<string, SystemWording>;

export type WordingLanguage = keyof typeof SYSTEM_WORDING;

/**
 * A system event in a language, for the visitor or for agents; null for a code this table does not know
 * (a newer server's): then show the message's body.
 */
export function wordSystemEvent(
  event: { code: string; params: SystemEventParams } | null | undefined,
  language: WordingLanguage,
  audience: 'visitor' | 'agents' = 'visitor',
): string | null {
  if (!event) return null;
  const wording: SystemWording = SYSTEM_WORDING[language];
  const words = Object.hasOwn(wording[audience], event.code)
    ? wording[audience][event.code as SystemEventCode]
    : undefined;
  if (words === undefined) return null;
  return typeof words === 'string' ? words : words(event.params.agent_name || wording.agent);
}
