import { Cell, List, Section } from '@telegram-apps/telegram-ui';
import type { TodayStatsResponse } from '../../contract/agent-api.ts';
import { formatDuration } from './format.ts';

/** Today's numbers: the queue right now, work done since midnight, the visitors' ratings. */
export function TodayView({ stats }: { stats: TodayStatsResponse }) {
  const { ratings } = stats;
  const most = Math.max(1, ...ratings.distribution);
  return (
    <List className="sb-today">
      <Section header="Right now">
        <Cell
          subtitle="unclaimed + claimed"
          after={<strong className="sb-number">{stats.open_count}</strong>}
        >
          Open tickets
        </Cell>
        <Cell after={<span className="sb-number">{stats.unclaimed_count}</span>}>Waiting for an agent</Cell>
        <Cell after={<span className="sb-number">{stats.claimed_count}</span>}>Being answered</Cell>
      </Section>
      <Section header="Today">
        <Cell data-stat="closed" after={<strong className="sb-number">{stats.closed_count}</strong>}>
          Tickets closed
        </Cell>
        <Cell
          data-stat="first-reply"
          subtitle={`over ${stats.first_replies} first ${stats.first_replies === 1 ? 'reply' : 'replies'}`}
          after={
            <strong className="sb-number">
              {stats.median_first_reply_seconds === null
                ? '—'
                : formatDuration(stats.median_first_reply_seconds)}
            </strong>
          }
        >
          Median time to first reply
        </Cell>
        <Cell
          data-stat="undeliverable"
          subtitle="refused by Telegram; marked in their tickets"
          after={<strong className="sb-number">{stats.undeliverable_count}</strong>}
        >
          Messages not delivered
        </Cell>
      </Section>
      <Section header="Ratings today">
        <Cell
          after={
            <strong className="sb-number">
              {ratings.average === null ? '—' : `★ ${ratings.average.toFixed(1)}`}
            </strong>
          }
          subtitle={`${ratings.count} ${ratings.count === 1 ? 'rating' : 'ratings'}`}
        >
          Average
        </Cell>
        <ul className="sb-rating-bars" aria-label="Ratings by stars">
          {[5, 4, 3, 2, 1].map((stars) => {
            const count = ratings.distribution[stars - 1] ?? 0;
            return (
              <li key={stars} className="sb-rating-row">
                <span className="sb-rating-stars">{stars}★</span>
                <span className="sb-rating-bar">
                  <span style={{ width: `${(count / most) * 100}%` }} />
                </span>
                <span className="sb-rating-count">{count}</span>
              </li>
            );
          })}
        </ul>
      </Section>
    </List>
  );
}
