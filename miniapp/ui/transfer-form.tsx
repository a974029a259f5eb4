import { Button, Cell, Radio, Section, Textarea } from '@telegram-apps/telegram-ui';
import type { TransferCandidate } from '../../contract/agent-api.ts';
import './team.css';

export type TransferFormProps = {
  /** Who it can go to, advised first; null while loading. */
  candidates: TransferCandidate[] | null;
  /** The chosen agent's id, or the queue. */
  target: number | 'queue' | null;
  note: string;
  noteMaxLength: number;
  sending: boolean;
  error: string | null;
  onChoose: (target: number | 'queue') => void;
  onNoteChange: (note: string) => void;
  onConfirm: () => void;
  onCancel: () => void;
};

const STATE_LABEL: Record<TransferCandidate['state'], string> = {
  online: 'Online',
  away: 'Away',
  offline: 'Offline',
};

function describe(agent: TransferCandidate) {
  const load = `${agent.open_tickets} open ticket${agent.open_tickets === 1 ? '' : 's'}`;
  return `${STATE_LABEL[agent.state]} · ${load}${agent.skilled ? '' : ' · other skills'}`;
}

/** Handing a ticket to a teammate (online with the skill first) or back to the queue, with a note for them. */
export function TransferForm(props: TransferFormProps) {
  const { candidates, target } = props;
  return (
    <section className="sb-transfer-form" aria-label="Transfer the ticket">
      <Section header="Hand over to">
        {candidates === null && <Cell subtitle="Loading the team…">…</Cell>}
        {candidates?.map((agent) => (
          <Cell
            key={agent.id}
            Component="label"
            before={
              <Radio
                name="transfer-to"
                checked={target === agent.id}
                onChange={() => props.onChoose(agent.id)}
              />
            }
            after={
              <span className={`sb-presence sb-presence--${agent.state}`} aria-hidden="true">
                <span className="sb-presence__dot" />
              </span>
            }
            subtitle={describe(agent)}
          >
            {agent.name}
          </Cell>
        ))}
        {candidates?.length === 0 && !props.error && (
          <Cell subtitle="Nobody else is in the team yet" multiline>
            No teammates
          </Cell>
        )}
        <Cell
          Component="label"
          before={
            <Radio name="transfer-to" checked={target === 'queue'} onChange={() => props.onChoose('queue')} />
          }
          subtitle="Whoever is free next claims it"
        >
          Back to the queue
        </Cell>
      </Section>
      <Textarea
        aria-label="Note for the next agent"
        header="Note for them (only the team sees it)"
        placeholder="What they should know"
        value={props.note}
        maxLength={props.noteMaxLength}
        onChange={(event) => props.onNoteChange(event.target.value)}
      />
      {props.error && (
        <p className="sb-form-error" role="alert">
          {props.error}
        </p>
      )}
      <div className="sb-button-row">
        <Button
          mode="filled"
          size="m"
          loading={props.sending}
          disabled={target === null}
          onClick={props.onConfirm}
        >
          {target === 'queue' ? 'Return to queue' : 'Hand over'}
        </Button>
        <Button mode="plain" size="m" disabled={props.sending} onClick={props.onCancel}>
          Cancel
        </Button>
      </div>
    </section>
  );
}
