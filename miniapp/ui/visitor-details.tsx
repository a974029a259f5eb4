import { Cell, Section } from '@telegram-apps/telegram-ui';
import type { VisitorDetails as Visitor } from '../../contract/agent-api.ts';
import { describeUserAgent, formatTime } from './format.ts';

/** Who the visitor is: language, the page they came from, the contact they left, their browser. */
export function VisitorDetails({ visitor, now }: { visitor: Visitor; now: number }) {
  const rows: [string, string][] = [];
  if (visitor.contact?.email) rows.push(['Email', visitor.contact.email]);
  if (visitor.contact?.phone) rows.push(['Phone', visitor.contact.phone]);
  rows.push(['Language', visitor.locale ?? 'unknown']);
  rows.push(['Came from', visitor.referrer ?? 'unknown']);
  if (visitor.user_agent) rows.push(['Browser', describeUserAgent(visitor.user_agent)]);
  rows.push(['First seen', formatTime(visitor.first_seen_at, now)]);
  if (visitor.previous_tickets > 0) rows.push(['Earlier tickets', String(visitor.previous_tickets)]);
  return (
    <Section header="Visitor" className="sb-visitor">
      {rows.map(([label, value]) => (
        <Cell key={label} subhead={label} multiline>
          {value}
        </Cell>
      ))}
    </Section>
  );
}
