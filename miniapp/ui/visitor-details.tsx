import { Cell, Section } from '@telegram-apps/telegram-ui';
import type { ReactNode } from 'react';
import type { VisitorDetails as Visitor } from '../../contract/agent-api.ts';
import { describeUserAgent, formatTime } from './format.ts';

/**
 * Who the visitor is and where: the name and email the site vouched for (`Switchboard.identify`), the page
 * they are on now, language and time zone, where they came from (referrer, UTM), the contact they left,
 * their browser.
 */
export function VisitorDetails({ visitor, now }: { visitor: Visitor; now: number }) {
  const rows: [string, ReactNode][] = [];
  const { identity, page } = visitor;
  if (identity?.name) rows.push(['Name', identity.name]);
  if (identity?.email) rows.push(['Email (from the site)', identity.email]);
  if (identity) rows.push(['Site user id', identity.id]);
  if (page) rows.push(['Current page', <PageLink key="page" url={page.url} title={page.title} />]);
  if (visitor.contact?.email) rows.push(['Email', visitor.contact.email]);
  if (visitor.contact?.phone) rows.push(['Phone', visitor.contact.phone]);
  rows.push(['Language', visitor.locale ?? 'unknown']);
  if (visitor.time_zone) rows.push(['Time zone', visitor.time_zone]);
  rows.push(['Came from', visitor.referrer ?? 'unknown']);
  if (visitor.utm) {
    rows.push([
      'Campaign (UTM)',
      Object.entries(visitor.utm)
        .map(([key, value]) => `${key}: ${value}`)
        .join(' · '),
    ]);
  }
  if (visitor.user_agent) rows.push(['Browser', describeUserAgent(visitor.user_agent)]);
  rows.push(['First seen', formatTime(visitor.first_seen_at, now)]);
  if (visitor.previous_tickets > 0) rows.push(['Earlier tickets', String(visitor.previous_tickets)]);
  return (
    <Section header={identity ? 'Visitor · identified by the site' : 'Visitor'} className="sb-visitor">
      {rows.map(([label, value]) => (
        <Cell key={label} subhead={label} multiline>
          {value}
        </Cell>
      ))}
    </Section>
  );
}

/** The page's title as a link to it (http(s) only), with its address below. */
function PageLink({ url, title }: { url: string; title: string | null }) {
  if (!/^https?:\/\//i.test(url)) return <>{title || url}</>;
  return (
    <span className="sb-page">
      <a href={url} target="_blank" rel="noopener noreferrer" className="sb-page-link">
        {title || url}
      </a>
      {title && <span className="sb-page-url">{url}</span>}
    </span>
  );
}
