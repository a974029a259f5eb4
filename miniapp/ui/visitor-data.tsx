import { Button, Section } from '@telegram-apps/telegram-ui';

export type VisitorDataProps = {
  /** What is in progress, if anything. */
  busy: 'json' | 'text' | 'erase' | null;
  /** The erase confirmation is showing. */
  confirming: boolean;
  /** How many tickets of this visitor would go (this one and earlier ones). */
  ticketCount: number;
  error: string | null;
  onExport: (format: 'json' | 'text') => void;
  onStartErase: () => void;
  onConfirmErase: () => void;
  onCancelErase: () => void;
};

/**
 * The visitor's data (a data request): download their conversations as a transcript or JSON, or erase
 * them completely, after a confirmation.
 */
export function VisitorData(props: VisitorDataProps) {
  const { busy } = props;
  return (
    <Section header="Visitor data" className="sb-visitor-data">
      {props.error && (
        <p className="sb-visitor-data-error" role="alert">
          {props.error}
        </p>
      )}
      {props.confirming ? (
        <div className="sb-visitor-data-confirm" role="alertdialog" aria-label="Erase the visitor">
          <p>
            Erase this visitor for good? All{' '}
            {props.ticketCount === 1 ? 'of this conversation' : `${props.ticketCount} conversations`}, their
            messages, files and contact details are deleted; the group’s cards will say “erased”. This cannot
            be undone.
          </p>
          <div className="sb-button-row">
            <Button
              mode="filled"
              size="m"
              className="sb-danger"
              loading={busy === 'erase'}
              onClick={props.onConfirmErase}
            >
              Erase for good
            </Button>
            <Button mode="plain" size="m" disabled={busy === 'erase'} onClick={props.onCancelErase}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="sb-button-row">
          <Button
            mode="gray"
            size="s"
            loading={busy === 'text'}
            disabled={busy !== null}
            onClick={() => props.onExport('text')}
          >
            Download transcript
          </Button>
          <Button
            mode="gray"
            size="s"
            loading={busy === 'json'}
            disabled={busy !== null}
            onClick={() => props.onExport('json')}
          >
            Export JSON
          </Button>
          <Button
            mode="plain"
            size="s"
            className="sb-destructive-text"
            disabled={busy !== null}
            onClick={props.onStartErase}
          >
            Erase visitor…
          </Button>
        </div>
      )}
    </Section>
  );
}
