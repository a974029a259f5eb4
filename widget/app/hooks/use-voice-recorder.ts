import { useCallback, useEffect, useRef, useState } from 'react';
import { VOICE_TYPES } from '../../../contract/limits.ts';

/** A recording stops by itself after this long (a voice message, not a podcast). */
const MAX_SECONDS = 300;

export type VoiceRecorderState = 'unsupported' | 'idle' | 'starting' | 'recording' | 'denied';

const EXTENSIONS: Record<string, string> = { 'audio/ogg': 'ogg', 'audio/webm': 'webm', 'audio/mp4': 'm4a' };

/** The first voice format this browser records (Ogg in Firefox, WebM in Chromium, MP4 in Safari). */
function recordableType(): string | null {
  if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) return null;
  return VOICE_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? null;
}

/**
 * Records a voice message with the microphone (MediaRecorder). `start` asks for the microphone;
 * `finish` stops and hands the recording to `onRecorded` as a file; `cancel` throws it away. The
 * microphone is released whenever recording ends.
 */
export function useVoiceRecorder(onRecorded: (file: File) => void) {
  const [type] = useState(recordableType);
  const [state, setState] = useState<VoiceRecorderState>(type ? 'idle' : 'unsupported');
  const [seconds, setSeconds] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const keep = useRef(false);
  const onRecordedRef = useRef(onRecorded);
  onRecordedRef.current = onRecorded;

  const stop = useCallback((send: boolean) => {
    keep.current = send;
    if (recorder.current?.state === 'recording') recorder.current.stop();
  }, []);

  const start = useCallback(async () => {
    if (!type || recorder.current) return;
    setState('starting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setState('denied');
      return;
    }
    const media = new MediaRecorder(stream, { mimeType: type });
    const chunks: Blob[] = [];
    media.ondataavailable = (event) => chunks.push(event.data);
    media.onstop = () => {
      for (const track of stream.getTracks()) track.stop();
      recorder.current = null;
      setState('idle');
      if (!keep.current || chunks.length === 0) return;
      const base = (type.split(';')[0] as string).trim();
      onRecordedRef.current(new File(chunks, `voice.${EXTENSIONS[base] ?? 'webm'}`, { type: base }));
    };
    recorder.current = media;
    keep.current = false;
    setSeconds(0);
    media.start(250);
    setState('recording');
  }, [type]);

  // The running time, and the automatic stop at the longest allowed.
  useEffect(() => {
    if (state !== 'recording') return;
    const began = Date.now();
    const timer = setInterval(() => {
      const elapsed = Math.floor((Date.now() - began) / 1000);
      setSeconds(elapsed);
      if (elapsed >= MAX_SECONDS) stop(true);
    }, 250);
    return () => clearInterval(timer);
  }, [state, stop]);

  // Leaving the chat mid-recording throws the recording away and frees the microphone.
  useEffect(() => () => stop(false), [stop]);

  return {
    state,
    seconds,
    start,
    finish: useCallback(() => stop(true), [stop]),
    cancel: useCallback(() => stop(false), [stop]),
  };
}
