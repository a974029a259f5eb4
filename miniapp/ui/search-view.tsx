import { Button, Cell, List, Placeholder, Section } from '@telegram-apps/telegram-ui';
import type { SearchResult } from '../../contract/search-api.ts';
import { formatTime, ticketLabel } from './format.ts';
import './insights.css';

export type SearchFields = {
  q: string;
  email: string;
  phone: string;
  tag: string;
  from: string;
  to: string;
  agent: string;
};

export type SearchViewProps = {
  criteria: SearchFields;
  /** The agent filter's choices. */
  agents: { id: number; name: string }[];
  results: SearchResult[] | null;
  busy: 'search' | 'more' | null;
  error: string | null;
  hasMore: boolean;
  now: number;
  onChange: (field: keyof SearchFields, value: string) => void;
  onSubmit: () => void;
  onClear: () => void;
  onMore: () => void;
  onOpen: (ticketId: number) => void;
};

const FIELDS: {
  field: Exclude<keyof SearchFields, 'q' | 'agent'>;
  label: string;
  type: string;
  placeholder?: string;
}[] = [
  { field: 'email', label: 'Email', type: 'text', placeholder: 'ada@example.com' },
  { field: 'phone', label: 'Phone', type: 'tel', placeholder: '+44 20…' },
  { field: 'tag', label: 'Tag', type: 'text', placeholder: 'vip' },
  { field: 'from', label: 'From', type: 'date' },
  { field: 'to', label: 'To', type: 'date' },
];

const STATUS = { open: 'waiting', claimed: 'open', closed: 'closed' } as const;

/** Search across all conversations: words and filters, then matching tickets with the words marked. */
export function SearchView(props: SearchViewProps) {
  const { criteria, results } = props;
  return (
    <List className="sb-search">
      <form
        className="sb-search-form"
        aria-label="Search conversations"
        onSubmit={(event) => {
          event.preventDefault();
          props.onSubmit();
        }}
      >
        <div className="sb-search-bar">
          <input
            className="sb-field sb-field--big"
            type="search"
            aria-label="Words in the conversation"
            placeholder="Search conversations"
            value={criteria.q}
            onChange={(event) => props.onChange('q', event.target.value)}
          />
          <Button type="submit" mode="filled" size="m" loading={props.busy === 'search'}>
            Search
          </Button>
        </div>
        <div className="sb-search-filters">
          {FIELDS.map(({ field, label, type, placeholder }) => (
            <label key={field} className="sb-search-filter">
              <span>{label}</span>
              <input
                className="sb-field"
                type={type}
                name={field}
                placeholder={placeholder}
                value={criteria[field]}
                onChange={(event) => props.onChange(field, event.target.value)}
              />
            </label>
          ))}
          <label className="sb-search-filter">
            <span>Agent</span>
            <select
              className="sb-field"
              name="agent"
              value={criteria.agent}
              onChange={(event) => props.onChange('agent', event.target.value)}
            >
              <option value="">Anyone</option>
              {props.agents.map((agent) => (
                <option key={agent.id} value={String(agent.id)}>
                  {agent.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className="sb-search-hint">
          Every word must appear, as a whole word: <code>refund</code> does not find “refunds”.{' '}
          <code>"two words"</code> for a phrase, <code>-word</code> to leave out.{' '}
          <button type="button" className="sb-link-button" onClick={props.onClear}>
            Clear
          </button>
        </p>
      </form>
      {props.error && (
        <p className="sb-field-error sb-search-error" role="alert">
          {props.error}
        </p>
      )}
      {results && results.length === 0 && (
        <Placeholder header="Nothing found" description="Try fewer words, or another filter." />
      )}
      {results && results.length > 0 && (
        <Section header={`Tickets${props.hasMore ? '' : ` (${results.length})`}`}>
          {results.map((result) => (
            <Cell
              key={result.ticket_id}
              Component="button"
              type="button"
              className="sb-search-result"
              data-ticket-id={result.ticket_id}
              onClick={() => props.onOpen(result.ticket_id)}
              before={<span className={`sb-status-dot sb-status-dot--${result.status}`} aria-hidden="true" />}
              subhead={`${ticketLabel({ id: result.ticket_id, category: result.category })} · ${STATUS[result.status]}${
                result.agent_name ? ` · ${result.agent_name}` : ''
              }`}
              subtitle={
                <>
                  {[result.visitor.name, result.visitor.email, formatTime(result.created_at, props.now)]
                    .filter(Boolean)
                    .join(' · ')}
                  {result.tags.map((tag) => (
                    <span key={tag} className="sb-mini-tag">
                      #{tag}
                    </span>
                  ))}
                </>
              }
              multiline
            >
              <span className="sb-snippet">
                {result.snippet.length === 0
                  ? '…'
                  : result.snippet.map((part, i) =>
                      part.match ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: the snippet's pieces in order.
                        <mark key={i}>{part.text}</mark>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: the snippet's pieces in order.
                        <span key={i}>{part.text}</span>
                      ),
                    )}
              </span>
            </Cell>
          ))}
        </Section>
      )}
      {props.hasMore && (
        <div className="sb-button-row">
          <Button mode="gray" size="m" stretched loading={props.busy === 'more'} onClick={props.onMore}>
            Older tickets
          </Button>
        </div>
      )}
    </List>
  );
}
