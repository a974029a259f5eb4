import { Button, Section } from '@telegram-apps/telegram-ui';
import { MAX_TAGS_PER_TICKET, TAG_MAX_LENGTH } from '../../contract/tag-rules.ts';
import './insights.css';

export type TicketTagsProps = {
  tags: string[];
  draft: string;
  busy: boolean;
  error: string | null;
  /** The ticket has MAX_TAGS_PER_TICKET tags: no more can be added. */
  full: boolean;
  onDraftChange: (value: string) => void;
  onAdd: () => void;
  onRemove: (tag: string) => void;
};

/** A ticket's tags as chips (each removable) and a box to add more (`vip refund`). */
export function TicketTags(props: TicketTagsProps) {
  return (
    <Section
      header="Tags"
      footer={props.error ? undefined : `Letters, digits, - and _; up to ${MAX_TAGS_PER_TICKET} per ticket.`}
      className="sb-tags-section"
    >
      <div className="sb-tags">
        <ul className="sb-chips" aria-label="Tags">
          {props.tags.length === 0 && <li className="sb-chips-empty">No tags yet</li>}
          {props.tags.map((tag) => (
            <li key={tag} className="sb-chip">
              <span>#{tag}</span>
              <button
                type="button"
                className="sb-chip-remove"
                aria-label={`Remove tag ${tag}`}
                disabled={props.busy}
                onClick={() => props.onRemove(tag)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <form
          className="sb-tag-form"
          onSubmit={(event) => {
            event.preventDefault();
            props.onAdd();
          }}
        >
          <input
            className="sb-field"
            aria-label="New tags"
            placeholder={props.full ? 'Remove a tag to add another' : 'Add tags: vip refund'}
            value={props.draft}
            maxLength={TAG_MAX_LENGTH * 4}
            disabled={props.full}
            onChange={(event) => props.onDraftChange(event.target.value)}
          />
          <Button
            type="submit"
            mode="bezeled"
            size="s"
            loading={props.busy}
            disabled={props.full || !props.draft.trim()}
          >
            Add
          </Button>
        </form>
        {props.error && (
          <p className="sb-field-error" role="alert">
            {props.error}
          </p>
        )}
      </div>
    </Section>
  );
}
