import { type FormEvent, type KeyboardEvent, type Ref, useId, useRef } from 'react';

export type ComposerProps = {
  text: string;
  onTextChange(text: string): void;
  onSend(): void;
  fileName?: string;
  preview?: string | null;
  onPickFile(file: File | undefined): void;
  onRemoveFile(): void;
  accept: string;
  error?: string | null;
  disabled?: boolean;
  maxLength: number;
  inputRef?: Ref<HTMLTextAreaElement>;
  labels: { message: string; placeholder: string; send: string; attach: string; removeAttachment: string };
};

/** The message box: Enter sends, Shift+Enter starts a new line; a paperclip attaches a file. */
export function Composer(props: ComposerProps) {
  const { text, onTextChange, onSend, fileName, preview, onPickFile, onRemoveFile, labels } = props;
  const fileInput = useRef<HTMLInputElement>(null);
  const errorId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSend();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  };
  const canSend = !props.disabled && (text.trim() !== '' || fileName !== undefined);

  return (
    <form className="composer" onSubmit={submit}>
      {fileName && (
        <div className="composer__file">
          {preview ? <img src={preview} alt="" /> : <span aria-hidden="true">📎</span>}
          <span className="composer__file-name">{fileName}</span>
          <button
            type="button"
            className="icon-button"
            onClick={onRemoveFile}
            aria-label={labels.removeAttachment}
          >
            ×
          </button>
        </div>
      )}
      {props.error && (
        <p className="composer__error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
      <div className="composer__row">
        <button
          type="button"
          className="icon-button"
          aria-label={labels.attach}
          title={labels.attach}
          onClick={() => fileInput.current?.click()}
          disabled={props.disabled}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.6-5.6l-7.8 7.8a6 6 0 0 0 8.5 8.5l6.4-6.4" />
          </svg>
        </button>
        <input
          ref={fileInput}
          type="file"
          hidden
          accept={props.accept}
          onChange={(event) => {
            onPickFile(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
        <textarea
          ref={props.inputRef}
          className="composer__input"
          aria-label={labels.message}
          aria-describedby={props.error ? errorId : undefined}
          placeholder={labels.placeholder}
          value={text}
          maxLength={props.maxLength}
          rows={1}
          onChange={(event) => onTextChange(event.target.value)}
          onKeyDown={onKeyDown}
          disabled={props.disabled}
        />
        <button
          type="submit"
          className="send-button"
          aria-label={labels.send}
          title={labels.send}
          disabled={!canSend}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M3 20l18-8L3 4v6l12 2-12 2z" />
          </svg>
        </button>
      </div>
    </form>
  );
}
