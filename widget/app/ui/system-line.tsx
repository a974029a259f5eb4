/** A notice in the conversation (someone joined, the conversation ended, its topic): centred, muted. */
export function SystemLine({ text, time }: { text: string; time?: string }) {
  return (
    <li className="system-line" title={time}>
      {text}
    </li>
  );
}
