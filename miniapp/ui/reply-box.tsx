import { Button, Textarea } from '@telegram-apps/telegram-ui';
import type { FormEvent } from 'react';

export type ReplyBoxProps = {
  value: string;
  maxLength: number;
  sending: boolean;
  onChange: (value: string) => void;
  onSend: () => void;
};

/** The agent's reply to the visitor. */
export function ReplyBox({ value, maxLength, sending, onChange, onSend }: ReplyBoxProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() && !sending) onSend();
  };
  return (
    <form className="sb-reply" onSubmit={submit}>
      <Textarea
        aria-label="Reply"
        placeholder="Write to the visitor…"
        value={value}
        maxLength={maxLength}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
        }}
      />
      <Button type="submit" size="m" loading={sending} disabled={!value.trim() || sending}>
        Send
      </Button>
    </form>
  );
}
