import type { MessageView } from '../../contract/api.ts';

/** One message in the conversation as shown: where runs and days start and end. */
export type TimelineEntry = {
  message: MessageView;
  /** The message opens a new day: the label of its separator ("Today", "Yesterday", "3 March"). */
  day?: string;
  /** First of a run (one sender, one minute): the author's name goes here. */
  startsRun: boolean;
  /** Last of a run: the time goes here, once for the run. */
  endsRun: boolean;
  /** The first message of its ticket (a new conversation starts). */
  startsTicket: boolean;
};

const MINUTE = 60_000;

/** Who a run belongs to: the visitor, one agent, or the system (whose notices never run together). */
const senderKey = (message: MessageView) =>
  message.sender === 'agent' ? `agent:${message.agent_name ?? ''}` : message.sender;

/** The local calendar day of a date, as a key. */
export const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

/**
 * Groups messages for display: consecutive messages of one sender within the same minute form a run
 * (one author label at its start, one time at its end); a day separator opens each new day.
 */
export function buildTimeline(messages: MessageView[], dayLabel: (date: Date) => string): TimelineEntry[] {
  const runKey = (message: MessageView) => {
    const at = new Date(message.created_at);
    return message.sender === 'system'
      ? `system:${message.id}`
      : `${message.ticket_id}|${senderKey(message)}|${Math.floor(at.getTime() / MINUTE)}`;
  };
  return messages.map((message, index) => {
    const previous = messages[index - 1];
    const next = messages[index + 1];
    const at = new Date(message.created_at);
    const newDay = !previous || dayKey(new Date(previous.created_at)) !== dayKey(at);
    return {
      message,
      day: newDay ? dayLabel(at) : undefined,
      startsRun: newDay || !previous || runKey(previous) !== runKey(message),
      endsRun: !next || dayKey(new Date(next.created_at)) !== dayKey(at) || runKey(next) !== runKey(message),
      startsTicket: !previous || previous.ticket_id !== message.ticket_id,
    };
  });
}

/** "Today", "Yesterday", or the date ("3 March"; with the year when it is not this year's). */
export function formatDay(
  date: Date,
  now: Date,
  locale: string,
  words: { today: string; yesterday: string },
): string {
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const daysAgo = Math.round((midnight(now) - midnight(date)) / 86_400_000);
  if (daysAgo === 0) return words.today;
  if (daysAgo === 1) return words.yesterday;
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    ...(date.getFullYear() === now.getFullYear() ? {} : { year: 'numeric' }),
  }).format(date);
}
