import { useEffect, useRef } from 'react';
import type { VisitorApi, VisitorCredentials } from '../api/visitor-api.ts';

/**
 * At most one "typing" report this often while the visitor keeps typing: a little over the server's own
 * spacing (one chat action per ticket every 4 s), so that no report is dropped there.
 */
const REPORT_EVERY_MS = 4500;

/**
 * Tells the server the visitor is typing (the agent sees Telegram's "typing…"): when the text changes, at
 * most every 4.5 s — a change within that time is reported when it is over, if the box still has text —
 * never for an empty box, only into an open conversation. Failures do not matter.
 */
export function useTypingReport(
  api: VisitorApi,
  credentials: VisitorCredentials | null,
  text: string,
  active: boolean,
) {
  const lastReport = useRef(0);
  const typing = Boolean(credentials && active && text.trim() !== '');
  // biome-ignore lint/correctness/useExhaustiveDependencies: every change of `text` is a keystroke to report
  useEffect(() => {
    if (!typing || !credentials) return;
    const report = () => {
      lastReport.current = Date.now();
      api.typing(credentials).catch(() => {});
    };
    const wait = lastReport.current + REPORT_EVERY_MS - Date.now();
    if (wait <= 0) {
      report();
      return;
    }
    const timer = setTimeout(report, wait);
    return () => clearTimeout(timer);
  }, [api, credentials, text, typing]);
}
