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
  /** Editing a sent message: a bar above the box says so, × cancels. */
  editing?: { label: string; cancelLabel: string; onCancel(): void };
  /** Voice messages, where the browser can record them. */
  voice?: {
    state: 'idle' | 'starting' | 'recording' | 'denied';
    seconds: number;
    onStart(): void;
    onFinish(): void;
    onCancel(): void;
  };
  labels: {
    message: string;
    placeholder: string;
    send: string;
    attach: string;
    removeAttachment: string;
    record: string;
    recording: string;
    sendRecording: string;
    cancelRecording: string;
    microphoneBlocked: string;
  };
};

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

const SEND_ICON = (
  <svg viewBox="0 0 24 24" aria-hidden="true">
    <path d="M3 20l18-8L3 4v6l12 2-12 2z" />
  </svg>
);

/**
 * The message box: Enter sends, Shift+Enter starts a new line; a paperclip attaches a file; with nothing
 * typed, a microphone records a voice message (its running time shows, ✓ sends it, × throws it away).
 */
export function Composer(props: ComposerProps) {
  const { text, onTextChange, onSend, fileName, preview, onPickFile, onRemoveFile, labels, voice } = props;
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
  const offerVoice = voice && !props.disabled && text.trim() === '' && fileName === undefined;
  const error = props.error ?? (voice?.state === 'denied' ? labels.microphoneBlocked : null);

  if (voice?.state === 'recording') {
    return (
      <div className="composer">
        <div className="composer__row composer__row--recording">
          <button
            type="button"
            className="icon-button"
            aria-label={labels.cancelRecording}
            onClick={voice.onCancel}
          >
            ×
          </button>
          <span className="composer__recording" role="status">
            <span className="composer__recording-dot" aria-hidden="true" />
            {labels.recording} <time>{clock(voice.seconds)}</time>
          </span>
          <button
            type="button"
            className="send-button"
            aria-label={labels.sendRecording}
            onClick={voice.onFinish}
          >
            {SEND_ICON}
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="composer" onSubmit={submit}>
      {props.editing && (
        <div className="composer__editing">
          <span>✏️ {props.editing.label}</span>
          <button
            type="button"
            className="icon-button"
            onClick={props.editing.onCancel}
            aria-label={props.editing.cancelLabel}
          >
            ×
          </button>
        </div>
      )}
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
      {error && (
        <p className="composer__error" id={errorId} role="alert">
          {error}
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
          aria-describedby={error ? errorId : undefined}
          placeholder={labels.placeholder}
          value={text}
          maxLength={props.maxLength}
          rows={1}
          onChange={(event) => onTextChange(event.target.value)}
          onKeyDown={onKeyDown}
          disabled={props.disabled}
        />
        {offerVoice ? (
          <button
            type="button"
            className="send-button"
            aria-label={labels.record}
            title={labels.record}
            onClick={voice.onStart}
            disabled={voice.state === 'starting'}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z" />
            </svg>
          </button>
        ) : (
          <button
            type="submit"
            className="send-button"
            aria-label={labels.send}
            title={labels.send}
            disabled={!canSend}
          >
            {SEND_ICON}
          </button>
        )}
      </div>
    </form>
  );
}
