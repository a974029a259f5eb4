import { Button, List, Section } from '@telegram-apps/telegram-ui';
import type { ReactNode } from 'react';
import { CANNED_PLACEHOLDERS } from '../../contract/canned-notes-limits.ts';
import type { CannedReplyView } from '../../contract/canned-replies-api.ts';
import { InlineError, Loading } from './notice.tsx';
import './replies-notes.css';

export type CannedReplyFormValue = { id: number | null; title: string; body: string; category: string };

export type CannedRepliesViewProps = {
  replies: CannedReplyView[];
  loading: boolean;
  loadError: string | null;
  categories: { key: string; label: string }[];
  titleMaxLength: number;
  bodyMaxLength: number;
  /** The form, while adding (id null) or editing. */
  draft: CannedReplyFormValue | null;
  busy: 'save' | 'delete' | null;
  error: string | null;
  /** The reply whose deletion waits for a confirmation. */
  confirmingDelete: number | null;
  /** Above the list (the back link where Telegram has no back button). */
  notice?: ReactNode;
  onAdd: () => void;
  onEdit: (reply: CannedReplyView) => void;
  onChange: (patch: Partial<CannedReplyFormValue>) => void;
  onSave: () => void;
  onCancel: () => void;
  onAskDelete: (id: number) => void;
  onConfirmDelete: () => void;
  onCancelDelete: () => void;
  onDismissError: () => void;
  onRetry: () => void;
};

function ReplyForm(props: CannedRepliesViewProps & { draft: CannedReplyFormValue }) {
  const { draft, busy } = props;
  const insert = (name: string) => {
    const body = draft.body;
    props.onChange({ body: `${body}${body && !/\s$/.test(body) ? ' ' : ''}{${name}}` });
  };
  return (
    <Section header={draft.id === null ? 'New canned reply' : 'Edit canned reply'}>
      <form
        className="sb-canned-form"
        aria-label={draft.id === null ? 'New canned reply' : 'Edit canned reply'}
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy) props.onSave();
        }}
      >
        <label className="sb-canned-field">
          <span>Title</span>
          <input
            value={draft.title}
            maxLength={props.titleMaxLength}
            placeholder="Refund policy"
            onChange={(event) => props.onChange({ title: event.target.value })}
          />
        </label>
        <label className="sb-canned-field">
          <span>Category</span>
          <select
            value={draft.category}
            onChange={(event) => props.onChange({ category: event.target.value })}
          >
            <option value="">Any ticket</option>
            {props.categories.map((category) => (
              <option key={category.key} value={category.key}>
                {category.label}
              </option>
            ))}
          </select>
        </label>
        <label className="sb-canned-field">
          <span>Text</span>
          <textarea
            value={draft.body}
            maxLength={props.bodyMaxLength}
            placeholder="Hi {visitor_name}, …"
            onChange={(event) => props.onChange({ body: event.target.value })}
          />
        </label>
        <fieldset className="sb-placeholder-chips" aria-label="Insert a placeholder">
          {CANNED_PLACEHOLDERS.map((placeholder) => (
            <button
              key={placeholder.name}
              type="button"
              className="sb-placeholder-chip"
              title={placeholder.meaning}
              onClick={() => insert(placeholder.name)}
            >
              {`{${placeholder.name}}`}
            </button>
          ))}
        </fieldset>
        {props.error && <InlineError message={props.error} onDismiss={props.onDismissError} />}
        <div className="sb-button-row">
          <Button type="submit" mode="filled" size="m" loading={busy === 'save'} disabled={busy !== null}>
            Save
          </Button>
          <Button type="button" mode="plain" size="m" disabled={busy === 'save'} onClick={props.onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Section>
  );
}

/** The team's canned replies: add, edit, delete (with a confirmation); placeholders are explained. */
export function CannedRepliesView(props: CannedRepliesViewProps) {
  const { replies, draft } = props;
  const labelOf = (key: string | null) =>
    key ? (props.categories.find((category) => category.key === key)?.label ?? key) : null;
  return (
    <List className="sb-canned-replies">
      {props.notice}
      <Section header="Canned replies">
        <p className="sb-canned-hint sb-canned-intro">
          Shared by the whole team. In Telegram, type the bot’s @username and a word in a ticket’s thread to
          send one. Placeholders are filled for each ticket; a visitor whose name is unknown is greeted as
          “there”, or with your word: <code>{'{visitor_name|friend}'}</code>.
        </p>
        <div className="sb-button-row sb-actions">
          <Button mode="filled" size="m" disabled={draft !== null} onClick={props.onAdd}>
            Add reply
          </Button>
        </div>
      </Section>
      {draft && <ReplyForm {...props} draft={draft} />}
      {!draft && props.error && <InlineError message={props.error} onDismiss={props.onDismissError} />}
      {props.loading && <Loading label="Loading the replies" />}
      {props.loadError && (
        <InlineError
          message={`The replies could not be loaded: ${props.loadError}`}
          onDismiss={props.onRetry}
        />
      )}
      {!props.loading && !props.loadError && replies.length === 0 && (
        <p className="sb-empty">No canned replies yet. Add the answers your team gives most often.</p>
      )}
      {replies.length > 0 && (
        <Section header={`${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`}>
          <ul className="sb-canned-list sb-canned-manage-list" aria-label="The team’s canned replies">
            {replies.map((reply) => (
              <li key={reply.id} className="sb-canned-item" aria-label={reply.title}>
                <span className="sb-canned-title">
                  {reply.title}
                  {reply.category && <span className="sb-chip">{labelOf(reply.category)}</span>}
                </span>
                <span className="sb-canned-text sb-canned-body-preview">{reply.body}</span>
                {props.confirmingDelete === reply.id ? (
                  <fieldset className="sb-canned-row-actions" aria-label="Confirm deletion">
                    <span>Delete “{reply.title}” for everyone?</span>
                    <button
                      type="button"
                      className="sb-danger"
                      disabled={props.busy !== null}
                      onClick={props.onConfirmDelete}
                    >
                      Delete
                    </button>
                    <button type="button" onClick={props.onCancelDelete}>
                      Keep
                    </button>
                  </fieldset>
                ) : (
                  <span className="sb-canned-row-actions">
                    <button
                      type="button"
                      onClick={() => props.onEdit(reply)}
                      aria-label={`Edit ${reply.title}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="sb-danger"
                      onClick={() => props.onAskDelete(reply.id)}
                      aria-label={`Delete ${reply.title}`}
                    >
                      Delete
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </List>
  );
}
