import { wordSystemEvent } from '../contract/system-wording.ts';
import type { VisitorExport } from './visitor-data.service.ts';

/**
 * The transcript's wording; the visitor gets theirs in their widget's language. System lines are worded
 * by the shared table (contract/system-wording.ts), so each language here must have its entry there.
 */
const LABELS = {
  en: {
    title: 'Conversation transcript',
    session: 'Session',
    exported: 'Exported',
    started: 'Started',
    language: 'Language',
    page: 'Page',
    browser: 'Browser',
    contact: 'Contact',
    ticket: 'Conversation',
    opened: 'opened',
    closed: 'closed',
    open: 'still open',
    visitor: 'You',
    visitorForAgents: 'Visitor',
    agent: 'Agent',
    system: 'System',
    attachment: 'Attachment',
    deleted: 'deleted by its author',
    rating: 'Rating',
    empty: 'No messages.',
  },
  ru: {
    title: 'Стенограмма переписки',
    session: 'Сессия',
    exported: 'Выгружено',
    started: 'Начало',
    language: 'Язык',
    page: 'Страница',
    browser: 'Браузер',
    contact: 'Контакты',
    ticket: 'Обращение',
    opened: 'открыто',
    closed: 'закрыто',
    open: 'ещё открыто',
    visitor: 'Вы',
    visitorForAgents: 'Посетитель',
    agent: 'Оператор',
    system: 'Система',
    attachment: 'Вложение',
    deleted: 'удалено автором',
    rating: 'Оценка',
    empty: 'Сообщений нет.',
  },
} as const;

export type TranscriptLanguage = keyof typeof LABELS;
export const TRANSCRIPT_LANGUAGES = Object.keys(LABELS) as TranscriptLanguage[];

export type TranscriptOptions = {
  language?: TranscriptLanguage;
  /** 'agent' names the visitor "Visitor" (not "You") and words system lines as agents read them. */
  audience?: 'visitor' | 'agent';
  /** A category key's label in `language` (`CATEGORIES`); default: the key. */
  categoryLabel?: (key: string) => string;
};

/** "2026-11-30 14:05 UTC" */
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A readable plain-text transcript of an export: a header about the visitor, then every conversation
 * (ticket) with its messages in order, each line `[time] sender: text` (continued lines indented).
 * `audience` 'agent' names the visitor "Visitor" instead of "You" (the Mini App's and operator's copy).
 */
export function renderTranscript(
  data: VisitorExport,
  { language = 'en', audience = 'visitor', categoryLabel = (key) => key }: TranscriptOptions = {},
): string {
  const t = LABELS[language];
  const visitorName = audience === 'agent' ? t.visitorForAgents : t.visitor;
  const lines: string[] = [
    t.title,
    `${t.session}: ${data.session.id}`,
    `${t.started}: ${when(data.session.created_at)}`,
  ];
  lines.push(`${t.exported}: ${when(data.exported_at)}`);
  if (data.session.locale) lines.push(`${t.language}: ${data.session.locale}`);
  if (data.session.referrer) lines.push(`${t.page}: ${data.session.referrer}`);
  if (audience === 'agent' && data.session.user_agent) lines.push(`${t.browser}: ${data.session.user_agent}`);
  const contact = data.session.contact;
  if (contact) lines.push(`${t.contact}: ${[contact.email, contact.phone].filter(Boolean).join(' · ')}`);

  for (const ticket of data.tickets) {
    const label = ticket.category ? `#${ticket.id} · ${categoryLabel(ticket.category)}` : `#${ticket.id}`;
    const closed = ticket.closed_at ? `${t.closed} ${when(ticket.closed_at)}` : t.open;
    lines.push('', `=== ${t.ticket} ${label} — ${t.opened} ${when(ticket.created_at)}, ${closed} ===`);
    // The visitor's own copy leaves out what was deleted; agents' and the operator's copy marks it.
    const messages = ticket.messages.filter((message) => audience === 'agent' || !message.deleted_at);
    if (messages.length === 0) lines.push(t.empty);
    for (const message of messages) {
      const sender =
        message.sender === 'visitor'
          ? visitorName
          : message.sender === 'agent'
            ? (message.agent_name ?? t.agent)
            : t.system;
      const said =
        (message.sender === 'system' &&
          wordSystemEvent(message.event, language, audience === 'agent' ? 'agents' : 'visitor')) ||
        message.body;
      const body = said.replace(/\r\n?/g, '\n').split('\n').join('\n    ');
      const text = [
        body,
        message.attachment ? `[${t.attachment}: ${message.attachment}]` : '',
        message.deleted_at ? `(${t.deleted})` : '',
      ]
        .filter(Boolean)
        .join(' ');
      lines.push(`[${when(message.created_at)}] ${sender}: ${text}`);
    }
    if (ticket.rating) {
      const stars = `${'★'.repeat(ticket.rating)}${'☆'.repeat(5 - ticket.rating)}`;
      lines.push(`${t.rating}: ${stars}${ticket.rating_comment ? ` — ${ticket.rating_comment}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
